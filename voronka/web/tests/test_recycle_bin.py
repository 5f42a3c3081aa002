from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from voronka.contacts.models import Company, Contact
from voronka.contacts.services import company_create, contact_create
from voronka.core.testing import make_deal
from voronka.deals.models import Deal

pytestmark = pytest.mark.django_db


def bin_names(response, kind):
    section = next(s for s in response.context["sections"] if s["kind"] == kind)
    return [str(r["obj"]) for r in section["rows"]]


def test_deal_delete_restore_round_trip(client_for, rep, stages):
    from voronka.deals.services import deal_delete

    deal = make_deal(owner=rep, title="Удалённая сделка")
    deal_delete(deal, by=rep)
    assert not Deal.objects.filter(pk=deal.pk).exists()
    c = client_for(rep)
    page = c.get(reverse("web:recycle_bin"))
    assert bin_names(page, "deal") == ["Удалённая сделка"]
    assert f"<td>{rep}</td>" in page.content.decode()  # deleted by
    response = c.post(reverse("web:restore"), {"kind": "deal", "pk": deal.pk})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.deleted_at is None and deal.deleted_by is None
    assert Deal.objects.filter(pk=deal.pk).exists()
    assert bin_names(c.get(reverse("web:recycle_bin")), "deal") == []


def test_contact_delete_restore_round_trip(client_for, rep):
    contact = contact_create(by=rep, owner=rep, name="Удалённый контакт")
    c = client_for(rep)
    c.post(reverse("contacts:contact_delete", args=[contact.pk]))
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert c.get(reverse("contacts:contact_list")).context["rows"] == []
    page = c.get(reverse("web:recycle_bin"))
    assert bin_names(page, "contact") == ["Удалённый контакт"]
    response = c.post(reverse("web:restore"), {"kind": "contact", "pk": contact.pk})
    assert response.status_code == 302
    assert c.get(contact.get_absolute_url()).status_code == 200
    assert contact.history.first().history_user == rep


def test_company_restore(client_for, head, rep):
    company = company_create(by=rep, owner=rep, name="Удалённая фирма")
    c = client_for(head)
    c.post(reverse("contacts:company_delete", args=[company.pk]))
    assert bin_names(c.get(reverse("web:recycle_bin")), "company") == ["Удалённая фирма"]
    c.post(reverse("web:restore"), {"kind": "company", "pk": company.pk})
    assert Company.objects.filter(pk=company.pk).exists()


def test_rep_neither_sees_nor_restores_anothers_records(client_for, rep, other_rep, stages):
    from voronka.contacts.services import contact_delete
    from voronka.deals.services import deal_delete

    contact = contact_create(by=rep, owner=rep, name="Личный контакт")
    contact_delete(contact, by=rep)
    deal = make_deal(owner=rep, title="Личная сделка")
    deal_delete(deal, by=rep)
    c = client_for(other_rep)
    page = c.get(reverse("web:recycle_bin"))
    assert bin_names(page, "contact") == [] and bin_names(page, "deal") == []
    assert "Личный контакт" not in page.content.decode()
    before = (
        list(Contact.all_objects.values_list("pk", "deleted_at", "updated_at")),
        list(Deal.all_objects.values_list("pk", "deleted_at", "updated_at")),
    )
    for kind, pk in (("contact", contact.pk), ("deal", deal.pk)):
        assert c.post(reverse("web:restore"), {"kind": kind, "pk": pk}).status_code == 404
    after = (
        list(Contact.all_objects.values_list("pk", "deleted_at", "updated_at")),
        list(Deal.all_objects.values_list("pk", "deleted_at", "updated_at")),
    )
    assert after == before


@pytest.mark.parametrize("data", [{"kind": "user", "pk": "1"}, {"kind": "contact", "pk": "x"}, {}])
def test_bad_restore_request_is_404(client_for, rep, data):
    assert client_for(rep).post(reverse("web:restore"), data).status_code == 404


def test_live_record_cannot_be_restored(client_for, rep):
    contact = contact_create(by=rep, owner=rep, name="Живой")
    response = client_for(rep).post(reverse("web:restore"), {"kind": "contact", "pk": contact.pk})
    assert response.status_code == 404


def test_old_records_are_marked_to_be_purged(client_for, rep, settings):
    settings.VORONKA_RECYCLE_DAYS = 30
    old = contact_create(by=rep, owner=rep, name="Старый")
    new = contact_create(by=rep, owner=rep, name="Новый")
    now = timezone.now()
    Contact.all_objects.filter(pk=old.pk).update(
        deleted_at=now - timedelta(days=31), deleted_by=rep
    )
    Contact.all_objects.filter(pk=new.pk).update(deleted_at=now - timedelta(days=1), deleted_by=rep)
    page = client_for(rep).get(reverse("web:recycle_bin"))
    section = next(s for s in page.context["sections"] if s["kind"] == "contact")
    assert [(str(r["obj"]), r["purge"]) for r in section["rows"]] == [
        ("Новый", False),
        ("Старый", True),
    ]
    assert page.content.decode().count("to be purged") == 1


def test_restore_needs_post(client_for, rep):
    assert client_for(rep).get(reverse("web:restore")).status_code == 405
