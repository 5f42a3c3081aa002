"""Deals are found by title, company and contact names in any letter case, and the search
follows renames and deletions of the linked records."""

import pytest
from django.urls import reverse

from voronka.contacts.services import company_delete, contact_update
from voronka.core.testing import make_company, make_contact, make_deal
from voronka.deals.search import build_search_text, fold_query
from voronka.deals.services import deal_update

pytestmark = pytest.mark.django_db


def titles(client, q):
    html = client.get(reverse("deals:list"), {"q": q}).content.decode()
    return {t for t in ("Поставка станков", "Монтаж линии") if t in html}


def test_build_search_text_folds_case_and_spaces():
    text = build_search_text("  Поставка   СТАНКОВ ", "ООО «Север»", ["Пётр Иванов", ""])
    assert text == "поставка станков\nооо «север»\nпётр иванов"
    assert fold_query("  СТАНКОВ  ") in text


def test_search_follows_contact_and_company_changes(client_for, rep, stages):
    company = make_company(owner=rep, name="ООО «Северсталь-Опт»")
    contact = make_contact(owner=rep, name="Пётр Иванов")
    deal = make_deal(owner=rep, stage=stages["lead"], title="Поставка станков", company=company)
    make_deal(owner=rep, stage=stages["lead"], title="Монтаж линии")
    client = client_for(rep)
    assert titles(client, "СЕВЕРСТАЛЬ") == {"Поставка станков"}
    assert titles(client, "иванов") == set()

    deal_update(deal, by=rep, expected_version=None, contacts=[contact])
    assert titles(client, "ИВАНОВ") == {"Поставка станков"}

    contact_update(contact, by=rep, name="Пётр Сидоров")
    assert titles(client, "иванов") == set()
    assert titles(client, "сидоров") == {"Поставка станков"}

    company_delete(company, by=rep)
    assert titles(client, "северсталь") == set()
    assert titles(client, "ЛИНИИ") == {"Монтаж линии"}
