"""Query-count caps on API lists: the number of queries does not grow with the rows."""

import pytest

from voronka.activities.services import note_create
from voronka.core import testing

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(rep, head, stages):
    company = testing.make_company(owner=rep)
    for i in range(30):
        contact = testing.make_contact(owner=rep, company=company)
        deal = testing.make_deal(owner=rep, stage=stages["qualification"], company=company)
        deal.contacts.add(contact)
        testing.make_activity(deal=deal, owner=rep)
        note_create(by=rep, body=f"note {i}", deal=deal)


@pytest.mark.parametrize(
    "url, cap",
    [
        ("/api/deals/?page_size=100", 8),
        ("/api/deals/?page_size=100&sort=-amount&flags=open&q=сделка", 8),
        ("/api/contacts/?page_size=100", 7),
        ("/api/companies/?page_size=100", 7),
        ("/api/activities/?page_size=100", 6),
        ("/api/notes/?page_size=100", 6),
        ("/api/pipelines/", 6),
        ("/api/users/", 5),
    ],
)
def test_lists_have_a_query_cap(many, token_client, head, url, cap, django_assert_max_num_queries):
    client = token_client(head)
    with django_assert_max_num_queries(cap):
        response = client.get(url)
    assert response.status_code == 200, response.content
