"""Stored keys, check on create, scan into the queue, merge and exact undo (real database)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from voronka.activities.models import Activity, Attachment, Note
from voronka.activities.services import attachment_create, note_create
from voronka.contacts.models import Company, Contact, EmailAddress, PhoneNumber
from voronka.contacts.services import company_create, contact_create, contact_update
from voronka.core import testing
from voronka.core.phones import parse_phone
from voronka.deals.models import Deal
from voronka.dedupe import keystore, services
from voronka.dedupe.models import CandidatePair, Event, MatchKey, Merge, RecordKeys

pytestmark = pytest.mark.django_db


def phones(*raw):
    return [parse_phone(p, region="RU") for p in raw]


def test_keys_are_stored_and_refreshed_by_the_contacts_services(rep):
    c = contact_create(by=rep, name="Иванов Александр", owner=rep, phones=phones("8 912 345 67 89"))
    assert MatchKey.objects.filter(kind="contact", record_id=c.pk, key="p:+79123456789").exists()
    contact_update(c, by=rep, phones=phones("+7 (495) 111-22-33 доб. 5"))
    keys = set(
        MatchKey.objects.filter(record_id=c.pk, kind="contact").values_list("key", flat=True)
    )
    assert "p:+74951112233" in keys and "p:+79123456789" not in keys
    assert RecordKeys.objects.filter(kind="contact", record_id=c.pk).count() == 1


def test_check_finds_the_duplicate_and_saving_anyway_is_logged(rep):
    a = contact_create(by=rep, name="Александр Иванов", owner=rep, phones=phones("89123456789"))
    b = contact_create(by=rep, name="Саша Иванов", owner=rep, phones=phones("+7 912 345-67-89"))
    found = keystore.candidates("contact", keystore.keys_of_record("contact", b), exclude=b.pk)
    assert [c.id for c in found] == [a.pk]
    assert found[0].score.is_match
    event = Event.objects.get(kind="contact", record_id=b.pk)
    assert event.action == Event.SAVED_WITH_CANDIDATES and event.other_ids == [a.pk]
    # saving again next to the same duplicate does not log it twice
    contact_update(b, by=rep, position="CEO")
    assert Event.objects.filter(kind="contact", record_id=b.pk).count() == 1


def test_a_deleted_record_is_no_candidate(rep):
    from voronka.contacts.services import contact_delete

    a = contact_create(by=rep, name="Пётр Петров", owner=rep, emails=["petr@example.ru"])
    contact_delete(a, by=rep)
    b = contact_create(by=rep, name="Петр Петров", owner=rep, emails=["PETR@example.ru"])
    assert keystore.candidates("contact", keystore.keys_of_record("contact", b), exclude=b.pk) == []


def test_scan_fills_the_queue_and_a_dismissed_pair_never_comes_back(rep, tmp_path):
    a = contact_create(by=rep, name="Мария Смирнова", owner=rep, emails=["m.smirnova@mail.ru"])
    b = contact_create(by=rep, name="Maria Smirnova", owner=rep, emails=["M.Smirnova@mail.ru "])
    testing.make_contact(owner=rep, name="Someone Else")  # bulk-loaded: no keys yet
    RecordKeys.objects.all().delete()
    MatchKey.objects.all().delete()
    out = tmp_path / "pairs.json"
    call_command("dedupe_scan", "--json", str(out))
    pair = CandidatePair.objects.get()
    assert (pair.a_id, pair.b_id, pair.status) == (a.pk, b.pk, "open")
    import json

    rows = json.loads(out.read_text())
    assert rows[0]["a_id"] == a.pk and rows[0]["b_id"] == b.pk and rows[0]["match"]
    assert RecordKeys.objects.filter(kind="contact").count() == 3
    services.pair_dismiss(pair, by=rep)
    services.scan_run("contact")
    assert CandidatePair.objects.get().status == "dismissed"


def snapshot(*records) -> dict:
    """Every row a merge may touch, minus update times."""

    def rows(qs):
        out = []
        for obj in qs.order_by("pk"):
            d = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
            d.pop("updated_at", None)
            out.append(d)
        return out

    ids = [r.pk for r in records]
    kind = "company" if isinstance(records[0], Company) else "contact"
    model = type(records[0])
    hist = model.history.model
    return {
        "records": rows(model.all_objects.filter(pk__in=ids)),
        "phones": rows(PhoneNumber.objects.filter(**{f"{kind}_id__in": ids})),
        "emails": rows(EmailAddress.objects.filter(**{f"{kind}_id__in": ids})),
        "deals": rows(Deal.all_objects.all()),
        "deal_contacts": sorted(
            Deal.contacts.through.objects.values_list("pk", "deal_id", "contact_id")
        ),
        "contacts": rows(Contact.all_objects.all()) if kind == "company" else None,
        "activities": rows(Activity.all_objects.all()),
        "notes": rows(Note.all_objects.all())
        if hasattr(Note, "all_objects")
        else rows(Note.objects.all()),
        "files": rows(Attachment.all_objects.all())
        if hasattr(Attachment, "all_objects")
        else rows(Attachment.objects.all()),
        "history": sorted(
            hist.objects.filter(history_id__lte=HIST[0]).values_list("history_id", "id")
        ),
        "keys": sorted(MatchKey.objects.values_list("kind", "record_id", "key")),
        "link_history": sorted(
            (m._meta.label, *row)
            for m in (Activity, Note, Attachment, Deal, Contact)
            if hasattr(m, "history")
            and any(f.attname == f"{kind}_id" for f in m.history.model._meta.concrete_fields)
            for row in m.history.model.objects.values_list("history_id", f"{kind}_id")
        ),
    }


HIST = [0]


def _world(rep, stages):
    a = contact_create(
        by=rep,
        name="Иванов Александр",
        owner=rep,
        position="Менеджер",
        phones=phones("89123456789", "+7 495 000-00-01"),
        emails=["a@ivanov.ru"],
    )
    b = contact_create(
        by=rep,
        name="Саша Иванов",
        owner=rep,
        source="выставка",
        phones=phones("+7 912 345 67 89"),
        emails=["sasha@ivanov.ru"],
    )
    d1 = testing.make_deal(owner=rep, stage=stages["qualification"], title="Поставка")
    d2 = testing.make_deal(owner=rep, stage=stages["qualification"], title="Сервис")
    d1.contacts.add(a, b)
    d2.contacts.add(b)
    testing.make_activity(deal=d2, owner=rep, subject="Звонок")
    Activity.objects.create(subject="Встреча", contact=b, owner=rep)
    note_create(by=rep, body="Знакомы с выставки", contact=b)
    attachment_create(by=rep, upload=SimpleUploadedFile("card.txt", b"vcard"), contact=b)
    contact_update(b, by=rep, messengers="@sasha")
    return a, b, d1, d2


def test_merge_moves_everything_and_undo_restores_it_exactly(rep, stages):
    a, b, d1, d2 = _world(rep, stages)
    HIST[0] = Contact.history.model.objects.order_by("-history_id").first().history_id
    before = snapshot(a, b)
    values = services.default_values("contact", [a, b])
    assert values["messengers"] == "@sasha" and values["position"] == "Менеджер"
    assert values["name"] == "Саша Иванов"  # the most recently updated non-empty value
    values["name"] = a.name
    merge = services.records_merge("contact", a, [b], values, by=rep)
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.deleted_at is not None and a.messengers == "@sasha" and a.source == "выставка"
    assert set(d1.contacts.all()) == {a} and set(d2.contacts.all()) == {a}
    assert Activity.objects.filter(contact=b).count() == 0
    assert Activity.history.model.objects.filter(contact_id=b.pk).count() == 0
    assert Activity.history.model.objects.filter(contact_id=a.pk).count() >= 1
    assert Note.objects.filter(contact=a).count() == 1
    assert Attachment.objects.filter(contact=a).count() == 1
    assert sorted(a.phones.values_list("e164", flat=True)) == ["+74950000001", "+79123456789"]
    assert sorted(a.emails.values_list("email", flat=True)) == ["a@ivanov.ru", "sasha@ivanov.ru"]
    assert Contact.history.model.objects.filter(id=b.pk, history_id__lte=HIST[0]).count() == 0
    assert Event.objects.filter(record_id=a.pk, action="merged").exists()

    plan = services.undo_plan(merge)
    assert plan["fields_kept"] == [] and plan["missing"] == {} and plan["records_gone"] == []
    services.merge_undo(merge, by=rep)
    assert snapshot(a, b) == before
    merge.refresh_from_db()
    assert merge.undone_at is not None
    with pytest.raises(services.UndoError):
        services.merge_undo(merge, by=rep)


def test_undo_after_an_edit_reports_what_stays(rep, stages):
    a, b, d1, d2 = _world(rep, stages)
    values = services.default_values("contact", [a, b])
    merge = services.records_merge("contact", a, [b], values, by=rep)
    a.refresh_from_db()
    contact_update(a, by=rep, name="Александр Иванов-Петров")
    Note.objects.filter(contact=a).delete()
    plan = services.undo_plan(merge)
    assert [str(x) for x in plan["fields_kept"]] == ["name"]
    assert sum(plan["missing"].values()) == 1
    services.merge_undo(merge, by=rep)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.name == "Александр Иванов-Петров" and a.messengers == ""
    assert b.deleted_at is None and b.messengers == "@sasha"
    assert set(d2.contacts.all()) == {b}


def test_merging_a_record_with_itself_is_refused(rep):
    a = contact_create(by=rep, name="Один", owner=rep)
    with pytest.raises(services.MergeError):
        services.records_merge("contact", a, [a], {}, by=rep)
    assert Merge.objects.count() == 0


def test_companies_merge_with_their_contacts_and_undo(rep, stages):
    x = company_create(by=rep, name="ООО «Ромашка»", owner=rep, inn="7707083893")
    y = company_create(by=rep, name="Ромашка", owner=rep, inn="7707083893")
    c = contact_create(by=rep, name="Ольга", owner=rep, company=y)
    deal = testing.make_deal(owner=rep, stage=stages["qualification"], company=y)
    HIST[0] = Company.history.model.objects.order_by("-history_id").first().history_id
    before = snapshot(x, y)
    merge = services.records_merge(
        "company", x, [y], services.default_values("company", [x, y]), by=rep
    )
    c.refresh_from_db()
    deal.refresh_from_db()
    assert c.company_id == x.pk and deal.company_id == x.pk
    services.merge_undo(merge, by=rep)
    assert snapshot(x, y) == before


def test_automatic_merge_is_off_by_default_and_only_above_the_threshold(rep, settings):
    a = contact_create(
        by=rep,
        name="Мария Смирнова",
        owner=rep,
        emails=["m.smirnova@mail.ru"],
        phones=phones("89161234567"),
    )
    b = contact_create(
        by=rep,
        name="Смирнова Мария",
        owner=rep,
        emails=["m.smirnova@mail.ru"],
        phones=phones("+79161234567"),
    )
    c = contact_create(by=rep, name="Смирнов Пётр", owner=rep, phones=phones("+79161234567"))
    services.scan_run("contact")
    assert Merge.objects.count() == 0
    settings.VORONKA_DEDUPE_AUTO_MERGE = True
    stats = services.scan_run("contact")
    assert stats["merged"] == 1
    merge = Merge.objects.get()
    assert merge.automatic and merge.survivor_id == a.pk and merge.merged_ids == [b.pk]
    assert Contact.objects.filter(pk=c.pk).exists()


def test_keys_of_an_older_matching_version_are_recomputed_by_the_scan(rep):
    a = contact_create(by=rep, name="Давыдин Ильдар", owner=rep, emails=["ildar@list.ru"])
    RecordKeys.objects.filter(record_id=a.pk).update(version=1, keys={})
    MatchKey.objects.filter(record_id=a.pk).delete()
    services.scan_run("contact")
    row = RecordKeys.objects.get(kind="contact", record_id=a.pk)
    assert row.version == keystore.KEYS_VERSION and row.keys["surname"] == "davidin"
    assert MatchKey.objects.filter(record_id=a.pk, key="e:ildar@list.ru").exists()


def test_every_agreeing_reason_of_the_matcher_has_a_text():
    import importlib

    from voronka.dedupe.selectors import REASONS

    # the package exports a function of the same name as the module
    core_score = importlib.import_module("voronka.dedupe.matching.score")
    agreeing = {code for code, points in core_score.W.items() if points > 0}
    assert agreeing <= set(REASONS)


def test_scan_json_lists_every_pair_of_a_cluster_as_a_match(rep, tmp_path):
    """The JSON's ``match`` is the product's verdict: two records in one cluster (what
    "Merge all" joins), each pair of a cluster listed even when only the cluster joins it."""
    import json

    a = contact_create(by=rep, name="Мария Смирнова", owner=rep, emails=["m.smirnova@mail.ru"])
    b = contact_create(
        by=rep, name="Maria Smirnova", owner=rep, emails=["M.Smirnova@mail.ru"],
        phones=[parse_phone("8 912 345 67 89")],
    )  # fmt: skip
    c = contact_create(
        by=rep, name="Смирнова Мария Ивановна", owner=rep, phones=[parse_phone("+7 912 3456789")]
    )
    other = contact_create(by=rep, name="Пётр Иванов", owner=rep, emails=["petr@example.ru"])
    out = tmp_path / "pairs.json"
    call_command("dedupe_scan", "--kind", "contact", "--json", str(out))
    rows = {(r["a_id"], r["b_id"]): r for r in json.loads(out.read_text())}
    trio = sorted((a.pk, b.pk, c.pk))
    for x, y in ((trio[0], trio[1]), (trio[0], trio[2]), (trio[1], trio[2])):
        assert rows[(x, y)]["match"] and rows[(x, y)]["cluster"] == trio[0]
    assert rows[(min(a.pk, b.pk), max(a.pk, b.pk))]["score"] >= 1.0
    assert not any(other.pk in pair for pair in rows)
    # a pair joined only through its cluster (never scored as a candidate): no score
    from voronka.dedupe.management.commands.dedupe_scan import json_pairs

    listed = json_pairs("contact", [(trio[0], trio[1], 7.5)], [trio])
    assert [(r["a_id"], r["b_id"], r["score"], r["match"]) for r in listed] == [
        (trio[0], trio[1], 7.5, True),
        (trio[0], trio[2], None, True),
        (trio[1], trio[2], None, True),
    ]
