"""The import's intake policy: rows matching existing contacts and companies are attached
to them, created and flagged (the default), or skipped, in one batched look-up."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from voronka.contacts.models import Company, Contact
from voronka.contacts.services import company_create, contact_create
from voronka.core.phones import parse_phone
from voronka.dedupe.intake import policy_set
from voronka.dedupe.models import CandidatePair, Event, IntakePolicy
from voronka.imports import parsing
from voronka.imports.importer import ContactImport, ImportRefused, Options, run_import

pytestmark = pytest.mark.django_db

FIELDS = {"name": "ФИО", "position": "Должность", "phones": "Телефон", "emails": "Email",
          "source": "Источник"}  # fmt: skip
HEAD = "ФИО;Должность;Телефон;Email;Источник\n"
DUP = "Александр Иванов;Директор;+7 (912) 345-67-89;IVANOV@example.ru;сайт\n"


def _table(text: str):
    return parsing.read_table(text.encode("utf-8"), "contacts.csv")


def _import(user, text, kind="contacts", fields=FIELDS, **options):
    with translation.override("en"):
        return run_import(_table(text), Options(kind=kind, by=user, fields=fields, **options))


def _ivanov(owner, **extra):
    return contact_create(
        by=owner, name="Иванов Александр", owner=owner, phones=[parse_phone("89123456789")],
        emails=["ivanov@example.ru"], **extra,
    )  # fmt: skip


def test_by_default_a_matching_row_is_created_and_flagged(head):
    first = _ivanov(head)
    report = _import(head, HEAD + DUP + "Пётр Сидоров;;;;\n")
    assert report.created == 2
    new = Contact.objects.get(name="Александр Иванов")
    pair = CandidatePair.objects.get(kind="contact")
    assert (pair.a_id, pair.b_id, pair.origin) == (first.pk, new.pk, CandidatePair.INTAKE)
    event = Event.objects.get(action=Event.FLAGGED)
    assert event.record_id == new.pk and event.other_ids == [first.pk] and event.by == head
    assert event.detail["source"] == "import" and event.detail["row"] == 2
    assert event.detail["policy"] == "flag" and event.detail["points"] >= 1.0
    [entry] = [d for d in report.duplicates if d.get("action")]
    assert entry == {"row": 2, "field": "intake", "value": entry["value"], "record": first.pk,
                     "action": "flagged"}  # fmt: skip
    assert "same phone" in entry["value"]


def test_attach_fills_the_existing_record_and_creates_nothing(head):
    first = _ivanov(head, source="выставка")
    policy_set(IntakePolicy.IMPORT, IntakePolicy.ATTACH, by=head)
    again = "Иванов А.;Менеджер;+7 495 111-22-33;ivanov@example.ru;\n"
    report = _import(head, HEAD + DUP + again + "Пётр Сидоров;;;;\n")
    assert report.created == 1 and report.updated == 1
    assert Contact.objects.count() == 2
    first.refresh_from_db()
    assert first.name == "Иванов Александр" and first.source == "выставка"  # kept
    assert first.position == "Директор"  # was empty: the first matching row filled it
    assert [p.e164 for p in first.phones.order_by("position")] == ["+79123456789", "+74951112233"]
    assert list(first.emails.values_list("email", flat=True)) == ["ivanov@example.ru"]
    events = Event.objects.filter(action=Event.ATTACHED).order_by("pk")
    assert [(e.record_id, e.detail["row"], e.detail["source"]) for e in events] == [
        (first.pk, 2, "import"),
        (first.pk, 3, "import"),
    ]
    assert not CandidatePair.objects.exists()
    assert first.history.first().history_change_reason == "import"
    assert any("intake policy: attach" in n["message"] for n in report.notes)


def test_skip_reports_the_row_and_writes_nothing_for_it(head):
    first = _ivanov(head)
    policy_set(IntakePolicy.IMPORT, IntakePolicy.SKIP, by=head)
    report = _import(head, HEAD + DUP + "Пётр Сидоров;;;;\n")
    assert (report.created, report.skipped) == (1, 1)
    assert not Contact.objects.filter(name="Александр Иванов").exists()
    [error] = report.errors
    assert error.row == 2
    message = error.render(lambda m: m)
    assert message.startswith(f"Skipped: a likely duplicate of record #{first.pk}")
    event = Event.objects.get(action=Event.SKIPPED)
    assert event.record_id == first.pk and event.detail["row"] == 2


def test_a_match_outside_the_importers_zone_is_created_and_flagged(head, rep_other_team):
    theirs = _ivanov(rep_other_team)
    policy_set(IntakePolicy.IMPORT, IntakePolicy.ATTACH, by=head)
    report = _import(head, HEAD + DUP)
    assert report.created == 1
    theirs.refresh_from_db()
    assert theirs.position == ""
    [entry] = [d for d in report.duplicates if d.get("action")]
    assert entry["action"] == "flagged" and entry["record"] is None and entry["value"] == ""
    assert CandidatePair.objects.filter(a_id=theirs.pk).exists()


def test_a_refused_file_leaves_the_existing_record_untouched(head):
    first = _ivanov(head)
    policy_set(IntakePolicy.IMPORT, IntakePolicy.ATTACH, by=head)
    with pytest.raises(ImportRefused):
        _import(head, HEAD + DUP + "Плохой;;abc;;\n")
    first.refresh_from_db()
    assert first.position == "" and first.phones.count() == 1
    assert not Event.objects.filter(action=Event.ATTACHED).exists()


def test_companies_attach_by_inn(head):
    first = company_create(by=head, name="ООО «Ромашка»", inn="7707083893", owner=head)
    policy_set(IntakePolicy.IMPORT, IntakePolicy.ATTACH, by=head)
    fields = {"name": "Название", "inn": "ИНН", "website": "Сайт"}
    report = _import(
        head, "Название;ИНН;Сайт\nРомашка;7707083893;https://romashka.ru\n", "companies", fields
    )
    assert report.created == 0 and Company.objects.count() == 1
    first.refresh_from_db()
    assert first.website == "https://romashka.ru" and first.name == "ООО «Ромашка»"


def test_the_look_up_is_batched_not_one_query_per_row(head):
    for i in range(3):
        contact_create(by=head, name=f"Иванов {i}", owner=head, emails=[f"i{i}@example.ru"])

    def queries(n):
        rows = "".join(f"Иванов {i % 3};;;i{i % 3}@example.ru;\n" for i in range(n))
        importer = ContactImport(_table(HEAD + rows), Options("contacts", head, FIELDS))
        importer.validate()
        importer.existing = {}
        with CaptureQueriesContext(connection) as ctx:
            decisions = importer.intake_decisions(importer.rows)
        assert len(decisions) == n
        return len(ctx.captured_queries)

    assert queries(300) == queries(30)


DEAL_FIELDS = {"title": "Название", "amount": "Сумма", "contact": "Контакт",
               "contact_email": "Email"}  # fmt: skip
DEALS = "Название;Сумма;Контакт;Email\n"


def _deal_setup(head, stages):
    """Ivanov has an open deal; Sidorov only a won one."""
    from voronka.core.testing import make_deal
    from voronka.deals.models import Deal

    ivan = _ivanov(head)
    lonely = contact_create(by=head, name="Пётр Сидоров", owner=head, emails=["p@example.ru"])
    open_deal = make_deal(owner=head, stage=stages["qualification"], contacts=[ivan])
    won = make_deal(owner=head, stage=stages["lead"], contacts=[lonely])
    Deal.objects.filter(pk=won.pk).update(stage=stages["won"])
    return ivan, lonely, open_deal


def test_deals_attach_a_request_to_the_contacts_open_deal(head, stages):
    from voronka.activities.models import Note
    from voronka.deals.models import Deal

    ivan, lonely, open_deal = _deal_setup(head, stages)
    policy_set(IntakePolicy.IMPORT, IntakePolicy.ATTACH, by=head)
    before = Deal.objects.count()
    report = _import(
        head,
        DEALS + "Станки;150 000;Иванов А.;IVANOV@example.ru\nЛицензии;300;Пётр;p@example.ru\n",
        "deals",
        DEAL_FIELDS,
    )
    assert report.created == 1  # the contact without an open deal gets the new deal
    assert Deal.objects.count() == before + 1
    assert lonely.deals.filter(title="Лицензии").exists()
    note = Note.objects.get(deal=open_deal)
    with translation.override(settings.LANGUAGE_CODE):  # notes speak the site's language
        heading = gettext("Incoming deal request (import, row %(row)s): %(title)s")
    assert note.body.startswith(heading % {"row": 2, "title": "Станки"})
    assert "150000" in note.body
    assert note.author == head and note.history.first().history_change_reason == "import"
    open_deal.refresh_from_db()
    assert open_deal.last_activity_at is not None
    event = Event.objects.get(action=Event.ATTACHED)
    assert (event.kind, event.record_id, event.detail["deal"], event.detail["row"]) == (
        "contact",
        ivan.pk,
        open_deal.pk,
        2,
    )
    assert any(d.get("action") == "attached" and d["record"] == open_deal.pk
               for d in report.duplicates)  # fmt: skip


def test_deals_skip_a_request_of_a_contact_with_an_open_deal(head, stages):
    from voronka.activities.models import Note
    from voronka.deals.models import Deal

    ivan, _lonely, open_deal = _deal_setup(head, stages)
    policy_set(IntakePolicy.IMPORT, IntakePolicy.SKIP, by=head)
    before = Deal.objects.count()
    report = _import(head, DEALS + "Станки;150 000;Иванов;ivanov@example.ru\n", "deals",
                     DEAL_FIELDS)  # fmt: skip
    assert (report.created, report.skipped) == (0, 1)
    assert Deal.objects.count() == before and not Note.objects.exists()
    assert f"open deal #{open_deal.pk}" in report.errors[0].render(lambda m: m)
    assert Event.objects.get(action=Event.SKIPPED).record_id == ivan.pk


def test_deals_by_default_create_the_second_deal_as_before(head, stages):
    from voronka.deals.models import Deal

    ivan, _lonely, _open_deal = _deal_setup(head, stages)
    report = _import(head, DEALS + "Станки;150 000;Иванов;ivanov@example.ru\n", "deals",
                     DEAL_FIELDS)  # fmt: skip
    assert report.created == 1
    assert Deal.objects.filter(contacts=ivan).count() == 2
    assert not Event.objects.filter(action__in=[Event.ATTACHED, Event.SKIPPED]).exists()
