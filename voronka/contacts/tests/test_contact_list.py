import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from voronka.contacts.services import company_create, contact_create
from voronka.core.phones import parse_phone

pytestmark = pytest.mark.django_db


def names(response):
    return [r.name for r in response.context["rows"]]


@pytest.fixture
def people(rep, other_rep):
    firm = company_create(by=rep, owner=rep, name="ООО Ромашка", inn="7707083893")
    ivan = contact_create(
        by=rep,
        owner=rep,
        name="Иван Петров",
        company=firm,
        phones=[parse_phone("+7 912 345-67-89")],
        emails=["Ivan.Petrov@Example.com"],
        lifecycle="current",
    )
    olga = contact_create(by=rep, owner=rep, name="ОЛЬГА Сидорова", lifecycle="potential")
    foreign = contact_create(
        by=other_rep,
        owner=other_rep,
        name="Иван Чужой",
        phones=[parse_phone("+7 912 345-67-80")],
        emails=["ivan.foreign@example.com"],
    )
    return {"firm": firm, "ivan": ivan, "olga": olga, "foreign": foreign}


@pytest.mark.parametrize(
    "q,expected",
    [
        ("иван", ["Иван Петров"]),
        ("ИВАН", ["Иван Петров"]),
        ("ольга", ["ОЛЬГА Сидорова"]),
        ("сидоров", ["ОЛЬГА Сидорова"]),
        ("8 (912) 345-67-89", ["Иван Петров"]),
        ("912345", ["Иван Петров"]),
        ("ivan.petrov@example", ["Иван Петров"]),
        ("IVAN", ["Иван Петров"]),
        ("7707083893", ["Иван Петров"]),
        ("нет такого", []),
    ],
)
def test_search(client_for, rep, people, q, expected):
    response = client_for(rep).get(reverse("contacts:contact_list"), {"q": q})
    assert response.status_code == 200
    assert names(response) == expected


def test_rep_sees_none_of_another_reps_contacts(client_for, other_rep, people):
    c = client_for(other_rep)
    response = c.get(reverse("contacts:contact_list"))
    assert names(response) == ["Иван Чужой"]
    for q in ("Иван", "912", "example.com", "Петров"):
        assert "Иван Петров" not in names(c.get(reverse("contacts:contact_list"), {"q": q}))
    assert c.get(reverse("contacts:company_list")).context["rows"] == []


def test_head_sees_the_team(client_for, head, people):
    response = client_for(head).get(reverse("contacts:contact_list"))
    assert set(names(response)) == {"Иван Петров", "ОЛЬГА Сидорова", "Иван Чужой"}


def test_filters(client_for, head, rep, other_rep, people):
    c = client_for(head)
    url = reverse("contacts:contact_list")
    assert names(c.get(url, {"lifecycle": "current"})) == ["Иван Петров"]
    assert set(names(c.get(url, {"owner": rep.pk}))) == {"Иван Петров", "ОЛЬГА Сидорова"}
    assert names(c.get(url, {"owner": other_rep.pk, "q": "иван"})) == ["Иван Чужой"]


def test_rep_cannot_filter_by_a_foreign_owner(client_for, rep, other_rep, people):
    response = client_for(rep).get(reverse("contacts:contact_list"), {"owner": other_rep.pk})
    assert "Иван Чужой" not in names(response)


def test_company_search_by_inn_and_name(client_for, rep, people):
    c = client_for(rep)
    url = reverse("contacts:company_list")
    assert names(c.get(url, {"q": "770708"})) == ["ООО Ромашка"]
    assert names(c.get(url, {"q": "ромашка"})) == ["ООО Ромашка"]


def test_paging(client_for, rep, settings):
    settings.VORONKA_LIST_PAGE_SIZE = 3
    for i in range(7):
        contact_create(by=rep, owner=rep, name=f"Контакт {i:02d}")
    c = client_for(rep)
    url = reverse("contacts:contact_list")
    assert names(c.get(url)) == ["Контакт 00", "Контакт 01", "Контакт 02"]
    assert names(c.get(url, {"page": 3})) == ["Контакт 06"]
    html = c.get(url, {"page": 2, "q": "контакт"}).content.decode()
    assert "q=%D0%BA%D0%BE%D0%BD%D1%82%D0%B0%D0%BA%D1%82&amp;page=3" in html


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("list_url", ["contacts:contact_list", "contacts:company_list"])
def test_query_count_does_not_grow_with_rows(
    client_for, rep, list_url, django_assert_max_num_queries
):
    c = client_for(rep)
    url = reverse(list_url)

    def add(n):
        for i in range(n):
            firm = company_create(
                by=rep,
                owner=rep,
                name=f"Фирма {i}",
                phones=[parse_phone("+74951234567")],
                emails=[f"f{i}@example.com"],
            )
            contact_create(
                by=rep,
                owner=rep,
                name=f"Человек {i}",
                company=firm,
                phones=[parse_phone("+79123456789")],
                emails=[f"p{i}@example.com"],
            )

    add(2)
    small = _queries(c, url)
    small_search = _queries(c, url, {"q": "912"})
    add(20)
    assert _queries(c, url) == small
    assert _queries(c, url, {"q": "912"}) == small_search
    with django_assert_max_num_queries(10):
        c.get(url, {"q": "человек", "lifecycle": "potential", "owner": rep.pk})


def test_htmx_search_returns_the_fragment(client_for, rep, people):
    response = client_for(rep).get(
        reverse("contacts:contact_list"),
        {"q": "иван"},
        headers={"HX-Request": "true", "HX-Target": "list-results"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Иван Петров" in html
