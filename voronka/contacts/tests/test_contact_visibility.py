import pytest
from django.urls import reverse

from voronka.activities.models import Note
from voronka.contacts.models import Company, Contact, PhoneNumber
from voronka.contacts.services import company_create, contact_create
from voronka.core.phones import parse_phone

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(
            Contact.all_objects.order_by("pk").values_list("pk", "name", "updated_at", "deleted_at")
        ),
        list(
            Company.all_objects.order_by("pk").values_list("pk", "name", "updated_at", "deleted_at")
        ),
        PhoneNumber.objects.count(),
        Note.all_objects.count(),
    )


@pytest.fixture
def records(rep):
    contact = contact_create(
        by=rep, owner=rep, name="Контакт A", phones=[parse_phone("+79123456789")]
    )
    company = company_create(by=rep, owner=rep, name="Компания A")
    return contact, company


@pytest.mark.parametrize("who", ["other_rep", "rep_other_team"])
def test_foreign_rep_gets_404_everywhere(request, client_for, records, who):
    contact, company = records
    c = client_for(request.getfixturevalue(who))
    before = snapshot()
    for name, pk in (("contact", contact.pk), ("company", company.pk)):
        assert c.get(reverse(f"contacts:{name}_detail", args=[pk])).status_code == 404
        assert c.get(reverse(f"contacts:{name}_edit", args=[pk])).status_code == 404
        assert (
            c.post(reverse(f"contacts:{name}_edit", args=[pk]), {"name": "Взлом"}).status_code
            == 404
        )
        assert c.post(reverse(f"contacts:{name}_delete", args=[pk])).status_code == 404
        assert c.post(reverse(f"contacts:{name}_note", args=[pk]), {"body": "x"}).status_code == 404
    assert snapshot() == before


def test_head_of_another_team_gets_404(client_for, other_team, records):
    from voronka.core.testing import make_user

    other_head = make_user(role="head", team=other_team)
    contact, _ = records
    assert client_for(other_head).get(contact.get_absolute_url()).status_code == 404


def test_head_of_the_team_can_open_and_edit(client_for, head, records):
    contact, _ = records
    c = client_for(head)
    assert c.get(contact.get_absolute_url()).status_code == 200
    response = c.post(
        reverse("contacts:contact_edit", args=[contact.pk]),
        {"name": "Контакт A2", "lifecycle": "current", "owner": str(contact.owner_id)},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Контакт A2"


def test_unowned_contact_is_visible_to_reps(client_for, rep, other_rep):
    contact = contact_create(by=rep, owner=None, name="Ничей")
    assert client_for(other_rep).get(contact.get_absolute_url()).status_code == 200


def test_contact_detail_hides_invisible_company_and_deals(client_for, rep, other_rep, stages):
    from voronka.core.testing import make_deal

    foreign_company = company_create(by=other_rep, owner=other_rep, name="Секретная фирма")
    contact = contact_create(by=rep, owner=rep, name="Общий", company=foreign_company)
    mine = make_deal(owner=rep, title="Моя сделка")
    theirs = make_deal(owner=other_rep, title="Чужая сделка")
    mine.contacts.add(contact)
    theirs.contacts.add(contact)
    html = client_for(rep).get(contact.get_absolute_url()).content.decode()
    assert "Моя сделка" in html
    assert "Чужая сделка" not in html
    assert "Секретная фирма" not in html
    list_html = client_for(rep).get(reverse("contacts:contact_list")).content.decode()
    assert "Секретная фирма" not in list_html


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("contacts:contact_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
