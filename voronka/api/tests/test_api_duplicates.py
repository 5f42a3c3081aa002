"""Contacts and companies created or edited through the API come back with their likely
duplicates (the check the form's warning runs), and the API's intake policy applies."""

import pytest

from voronka.contacts.models import Company, Contact
from voronka.contacts.services import company_create, contact_create
from voronka.core.phones import parse_phone
from voronka.dedupe.intake import policy_set
from voronka.dedupe.models import CandidatePair, Event, IntakePolicy

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _ivanov(owner, **extra):
    return contact_create(
        by=owner,
        name="Иванов Александр",
        owner=owner,
        phones=[parse_phone("8 912 345 67 89", "RU")],
        emails=["ivanov@example.ru"],
        **extra,
    )


INCOMING = {
    "name": "Александр Иванов",
    "phones": ["+7 (912) 345-67-89", "+7 495 111-22-33"],
    "emails": ["IVANOV@example.ru"],
    "position": "Директор",
}


def test_created_contact_lists_its_likely_duplicates_and_is_flagged(token_client, rep):
    first = _ivanov(rep)
    r = token_client(rep).post("/api/contacts/", INCOMING, content_type=JSON)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["id"] != first.pk
    assert body["intake"] == {"policy": "flag", "action": "flagged"}
    assert body["duplicates_hidden"] == 0
    [dup] = body["duplicates"]
    assert dup["id"] == first.pk and dup["name"] == "Иванов Александр"
    assert dup["is_match"] is True and 50 < dup["probability"] <= 100 and dup["points"] >= 1.0
    assert "same phone" in dup["reasons"] and "same e-mail" in dup["reasons"]
    assert dup["url"] == f"http://testserver/contacts/{first.pk}/"
    pair = CandidatePair.objects.get(kind="contact")
    assert (pair.a_id, pair.b_id) == (first.pk, body["id"])
    assert pair.origin == CandidatePair.INTAKE and pair.status == CandidatePair.OPEN
    flagged = Event.objects.get(action=Event.FLAGGED)
    assert flagged.record_id == body["id"] and flagged.other_ids == [first.pk]
    assert flagged.by == rep
    assert flagged.detail["source"] == "api" and flagged.detail["policy"] == "flag"
    assert "same phone" in flagged.detail["reason"]


def test_a_record_without_duplicates_is_simply_created(token_client, rep):
    r = token_client(rep).post("/api/contacts/", {"name": "Пётр Сидоров"}, content_type=JSON)
    assert r.status_code == 201
    assert r.json()["duplicates"] == [] and r.json()["duplicates_hidden"] == 0
    assert r.json()["intake"] == {"policy": "flag", "action": "created"}
    assert not CandidatePair.objects.exists()
    assert not Event.objects.filter(action=Event.FLAGGED).exists()


def test_edit_returns_the_duplicates_too(token_client, rep):
    first = _ivanov(rep)
    other = contact_create(by=rep, name="Someone", owner=rep)
    r = token_client(rep).patch(
        f"/api/contacts/{other.pk}",
        {"name": "Иванов Саша", "phones": ["89123456789"]},
        content_type=JSON,
    )
    assert r.status_code == 200, r.content
    assert [d["id"] for d in r.json()["duplicates"]] == [first.pk]
    assert r.json()["intake"] is None


def test_records_of_another_rep_are_only_counted_never_shown(token_client, rep, other_rep, head):
    theirs = _ivanov(other_rep)
    policy_set(IntakePolicy.API, IntakePolicy.SKIP, by=head)
    r = token_client(rep).post("/api/contacts/", INCOMING, content_type=JSON)
    # skip acts only on a match the rep may see: created and flagged for the head instead
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["duplicates"] == [] and body["duplicates_hidden"] == 1
    assert body["intake"] == {"policy": "skip", "action": "flagged"}
    assert "Иванов Александр" not in r.content.decode()
    assert f"/contacts/{theirs.pk}/" not in r.content.decode()
    assert CandidatePair.objects.filter(kind="contact", a_id=theirs.pk, b_id=body["id"]).exists()
    shown = token_client(head).patch(f"/api/contacts/{body['id']}", {}, content_type=JSON)
    assert [d["id"] for d in shown.json()["duplicates"]] == [theirs.pk]


def test_attach_fills_empty_fields_adds_phones_and_overwrites_nothing(token_client, rep, head):
    first = _ivanov(rep, source="выставка")
    policy_set(IntakePolicy.API, IntakePolicy.ATTACH, by=head, note="amoCRM habits")
    r = token_client(rep).post("/api/contacts/", {**INCOMING, "source": "сайт"}, content_type=JSON)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["id"] == first.pk
    assert body["intake"] == {"policy": "attach", "action": "attached"}
    assert body["name"] == "Иванов Александр"  # kept
    assert body["source"] == "выставка"  # kept
    assert body["position"] == "Директор"  # was empty: filled
    assert [p["e164"] for p in body["phones"]] == ["+79123456789", "+74951112233"]
    assert body["emails"] == ["ivanov@example.ru"]
    assert Contact.objects.count() == 1
    event = Event.objects.get(action=Event.ATTACHED)
    assert event.record_id == first.pk and event.by == rep
    assert event.detail["source"] == "api" and event.detail["policy"] == "attach"
    assert event.detail["points"] >= 1.0
    assert Contact.history.filter(id=first.pk).count() == 2


def test_skip_refuses_with_a_stable_code_and_creates_nothing(token_client, rep, head):
    first = _ivanov(rep)
    policy_set(IntakePolicy.API, IntakePolicy.SKIP, by=head)
    r = token_client(rep).post("/api/contacts/", INCOMING, content_type=JSON)
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["code"] == "duplicate_skipped"
    assert "likely duplicate" in body["message"]
    assert [d["id"] for d in body["duplicates"]] == [first.pk]
    assert Contact.objects.count() == 1
    event = Event.objects.get(action=Event.SKIPPED)
    assert event.record_id == first.pk and event.detail["source"] == "api"


def test_a_weak_candidate_is_flagged_even_under_attach(token_client, rep, head):
    first = contact_create(by=rep, name="Иванов Александр", owner=rep)
    policy_set(IntakePolicy.API, IntakePolicy.ATTACH, by=head)
    r = token_client(rep).post("/api/contacts/", {"name": "Иванова Анна"}, content_type=JSON)
    assert r.status_code == 201
    body = r.json()
    if body["duplicates"]:  # a name alike is worth a look, never an attach
        assert not body["duplicates"][0]["is_match"]
        assert body["intake"]["action"] == "flagged"
    assert body["id"] != first.pk


def test_company_with_the_same_inn(token_client, rep, head):
    first = company_create(by=rep, name="ООО «Ромашка»", inn="7707083893", owner=rep)
    r = token_client(rep).post(
        "/api/companies/", {"name": "Ромашка", "inn": "7707083893"}, content_type=JSON
    )
    assert r.status_code == 201, r.content
    [dup] = r.json()["duplicates"]
    assert dup["id"] == first.pk and "same INN" in dup["reasons"]
    assert dup["url"].endswith(f"/companies/{first.pk}/")
    policy_set(IntakePolicy.API, IntakePolicy.ATTACH, by=head)
    r = token_client(rep).post(
        "/api/companies/",
        {"name": "Ромашка", "inn": "7707083893", "website": "https://romashka.ru"},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["id"] in {first.pk, dup["id"]}
    assert Company.objects.count() == 2


def test_policy_of_another_source_does_not_apply(token_client, rep, head):
    _ivanov(rep)
    policy_set(IntakePolicy.IMPORT, IntakePolicy.SKIP, by=head)
    r = token_client(rep).post("/api/contacts/", INCOMING, content_type=JSON)
    assert r.status_code == 201


# ---------------------------------------------------------------- deals


def _deal_request(client, stage, contact, title="Новый запрос: станки"):
    return client.post(
        "/api/deals/",
        {"title": title, "stage_id": stage.pk, "contact_ids": [contact.pk], "amount": "150000",
         "source": "сайт"},
        content_type=JSON,
    )  # fmt: skip


@pytest.fixture
def with_open_deal(rep, stages):
    """(a contact of ``rep``, that contact's open deal)."""
    from voronka.core.testing import make_deal

    contact = _ivanov(rep)
    return contact, make_deal(owner=rep, stage=stages["qualification"], contacts=[contact])


def test_a_deal_for_a_contact_with_an_open_deal_becomes_a_note_under_attach(
    token_client, head, rep, stages, with_open_deal
):
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    from voronka.activities.models import Note
    from voronka.deals.models import Deal

    contact, open_deal = with_open_deal
    policy_set(IntakePolicy.API, IntakePolicy.ATTACH, by=head)
    before = Deal.objects.count()
    r = _deal_request(token_client(rep), stages["lead"], contact)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["id"] == open_deal.pk and Deal.objects.count() == before
    note = Note.objects.get(deal=open_deal)
    assert body["intake"] == {"policy": "attach", "action": "attached", "note_id": note.pk}
    with translation.override(settings.LANGUAGE_CODE):
        heading = gettext("Incoming deal request (API): %(title)s") % {
            "title": "Новый запрос: станки"
        }
    assert note.body.startswith(heading) and "150000" in note.body and note.author == rep
    event = Event.objects.get(action=Event.ATTACHED)
    assert (event.record_id, event.detail["deal"], event.detail["source"]) == (
        contact.pk, open_deal.pk, "api",
    )  # fmt: skip


def test_under_skip_it_is_refused_and_under_flag_created(
    token_client, head, rep, stages, with_open_deal
):
    from voronka.deals.models import Deal

    contact, open_deal = with_open_deal
    policy_set(IntakePolicy.API, IntakePolicy.SKIP, by=head)
    before = Deal.objects.count()
    r = _deal_request(token_client(rep), stages["lead"], contact)
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["code"] == "duplicate_skipped"
    assert f"#{open_deal.pk}" in body["fields"]["contact_ids"][0]
    assert Deal.objects.count() == before
    assert Event.objects.get(action=Event.SKIPPED).detail["deal"] == open_deal.pk

    policy_set(IntakePolicy.API, IntakePolicy.FLAG, by=head)
    r = _deal_request(token_client(rep), stages["lead"], contact)
    assert r.status_code == 201, r.content
    assert r.json()["intake"] == {"policy": "flag", "action": "created", "note_id": None}
    assert Deal.objects.count() == before + 1


def test_an_open_deal_the_user_cannot_see_does_not_count(
    token_client, head, rep, other_rep, stages
):
    from voronka.core.testing import make_deal

    contact = contact_create(by=head, name="Общий Контакт", owner=None)  # visible to both
    make_deal(owner=other_rep, stage=stages["qualification"], contacts=[contact])
    policy_set(IntakePolicy.API, IntakePolicy.ATTACH, by=head)
    r = _deal_request(token_client(rep), stages["lead"], contact)
    assert r.status_code == 201, r.content
    assert r.json()["intake"]["action"] == "created"
    assert not Event.objects.exists()
