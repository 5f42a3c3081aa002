"""The deal form lists only linked companies/contacts and finds others as the user types."""

import pytest
from django.urls import reverse

from voronka.core.testing import make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db


def test_deal_page_renders_only_linked_records(client_for, rep, stages):
    linked = make_company(owner=rep, name="Альфа-Трейд")
    for i in range(30):
        make_company(owner=rep, name=f"Other company {i}")
    deal = make_deal(owner=rep, stage=stages["lead"], company=linked)
    html = client_for(rep).get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "Альфа-Трейд" in html
    assert "Other company 7" not in html


def test_search_finds_visible_records_case_insensitively(client_for, rep, other_rep):
    mine = make_company(owner=rep, name="ООО «Северсталь-Опт»")
    make_company(owner=other_rep, name="ООО «Северный ветер»")
    selected = make_company(owner=rep, name="Zeta")
    url = reverse("deals:record_options")
    html = (
        client_for(rep)
        .get(url, {"kind": "company", "q": "северс", "company": selected.pk})
        .content.decode()
    )
    assert f'<option value="{mine.pk}">' in html
    assert f'<option value="{selected.pk}" selected>' in html
    assert "Северный ветер" not in html


def test_contact_search_hides_another_reps_contacts(client_for, rep, other_rep):
    make_contact(owner=other_rep, name="Пётр Секретов")
    html = (
        client_for(rep)
        .get(reverse("deals:record_options"), {"kind": "contact", "q": "секрет"})
        .content.decode()
    )
    assert "Секретов" not in html
