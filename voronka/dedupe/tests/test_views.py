"""Duplicate screens through the test client: zones, refusals, merge and undo."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from voronka.contacts.models import Contact
from voronka.contacts.services import contact_create, contact_update
from voronka.core.phones import parse_phone
from voronka.dedupe import services
from voronka.dedupe.models import CandidatePair, Event, Merge

pytestmark = pytest.mark.django_db


def phones(*raw):
    return [parse_phone(p, region="RU") for p in raw]


@pytest.fixture
def pair(rep):
    a = contact_create(by=rep, name="Иванов Александр", owner=rep, phones=phones("89123456789"))
    b = contact_create(by=rep, name="Саша Иванов", owner=rep, phones=phones("+79123456789"))
    return a, b


def test_warning_while_typing_names_the_duplicate_with_its_reason(client_for, rep, pair):
    a, _ = pair
    r = client_for(rep).get(
        reverse("dedupe:check_contact"),
        {"name": "Александр Иванов", "phones_text": "8 (912) 345-67-89 доб. 7"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert a.get_absolute_url() in body and "Иванов Александр" in body
    assert "same phone" in body and "% alike" in body


def test_a_phone_alone_warns_and_an_empty_form_does_not(client_for, rep, pair):
    c = client_for(rep)
    r = c.get(reverse("dedupe:check_contact"), {"phones_text": "9123456789"})
    assert "dup-candidate" in r.content.decode()
    assert c.get(reverse("dedupe:check_contact"), {"name": ""}).content.strip() == b""


def test_another_reps_duplicate_is_only_counted(client_for, other_rep, pair):
    a, _ = pair
    r = client_for(other_rep).get(
        reverse("dedupe:check_contact"), {"name": "Иванов", "phones_text": "89123456789"}
    )
    body = r.content.decode()
    assert "Иванов Александр" not in body and a.get_absolute_url() not in body
    assert "dup-hidden" in body


def test_editing_a_record_does_not_warn_about_itself(client_for, rep):
    a = contact_create(by=rep, name="Одинокий Контакт", owner=rep, phones=phones("89001112233"))
    r = client_for(rep).get(
        reverse("dedupe:check_contact"),
        {"name": a.name, "phones_text": "89001112233", "record": str(a.pk)},
    )
    assert r.content.strip() == b""


def test_company_check_by_inn_and_bad_input(client_for, rep):
    from voronka.contacts.services import company_create

    x = company_create(by=rep, name="ООО «Ромашка»", owner=rep, inn="7707083893")
    c = client_for(rep)
    r = c.get(reverse("dedupe:check_company"), {"name": "Ромашка", "inn": "7707083893"})
    assert x.get_absolute_url() in r.content.decode()
    for data in (
        {"name": "ООО"},
        {"name": "x" * 5000, "phones_text": "abc\n+7 9x2"},
        {"emails_text": "пример@почта.рф", "company": "not-a-number"},
    ):
        assert c.get(reverse("dedupe:check_company"), data).status_code == 200
        assert c.get(reverse("dedupe:check_contact"), data).status_code == 200


def test_queue_merge_and_undo_through_the_screens(client_for, rep, pair):
    a, b = pair
    services.scan_run("contact")
    c = client_for(rep)
    r = c.get(reverse("dedupe:queue"))
    assert r.status_code == 200 and "Саша Иванов" in r.content.decode()
    url = f"{reverse('dedupe:merge')}?kind=contact&ids={a.pk}&ids={b.pk}"
    r = c.get(url)
    assert r.status_code == 200
    form = r.context["form"]
    data = {k: form[k].value() for k in form.fields}
    data.update(kind="contact", ids=[a.pk, b.pk], f_name=str(a.pk))
    r = c.post(url, data)
    assert r.status_code == 302 and r["Location"] == a.get_absolute_url()
    merge = Merge.objects.get()
    assert Contact.objects.filter(pk=b.pk).count() == 0
    assert CandidatePair.objects.get().status == "merged"
    page = c.get(a.get_absolute_url()).content.decode()
    assert f"?merge={merge.pk}" in page
    r = c.get(f"{reverse('dedupe:undo')}?merge={merge.pk}")
    assert r.status_code == 200 and r.context["cannot"] == []
    r = c.post(reverse("dedupe:undo"), {"merge": merge.pk})
    assert r.status_code == 302
    assert Contact.objects.filter(pk=b.pk).exists()
    assert CandidatePair.objects.get().status == "open"


def test_undo_after_an_edit_says_what_cannot_be_restored(client_for, rep, pair):
    a, b = pair
    merge = services.records_merge("contact", a, [b], {"name": "Саша Иванов"}, by=rep)
    a.refresh_from_db()
    contact_update(a, by=rep, name="Александр Петрович Иванов")
    c = client_for(rep)
    r = c.get(f"{reverse('dedupe:undo')}?merge={merge.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert any("name" in line for line in r.context["cannot"])
    r = c.post(reverse("dedupe:undo"), {"merge": merge.pk}, follow=True)
    text = r.content.decode()
    assert "Edited after the merge" in text or "после объединения" in text
    a.refresh_from_db()
    assert a.name == "Александр Петрович Иванов"


def test_merging_a_record_with_itself_is_a_clear_400(client_for, rep, pair):
    a, _ = pair
    r = client_for(rep).get(f"{reverse('dedupe:merge')}?kind=contact&ids={a.pk}&ids={a.pk}")
    assert r.status_code == 400 and "merge-error" in r.content.decode()
    r = client_for(rep).post(reverse("dedupe:merge"), {"kind": "contact", "ids": ["x", "1"]})
    assert r.status_code == 400
    assert Merge.objects.count() == 0


def test_a_rep_cannot_merge_dismiss_or_undo_another_reps_records(client_for, other_rep, rep, pair):
    a, b = pair
    services.scan_run("contact")
    c = client_for(other_rep)
    url = f"{reverse('dedupe:merge')}?kind=contact&ids={a.pk}&ids={b.pk}"
    assert c.get(url).status_code == 404
    assert c.post(url, {"survivor": a.pk}).status_code == 404
    pair_obj = CandidatePair.objects.get()
    assert c.post(reverse("dedupe:dismiss"), {"pair": pair_obj.pk}).status_code == 404
    assert "Иванов" not in c.get(reverse("dedupe:queue")).content.decode()
    merge = services.records_merge("contact", a, [b], {}, by=rep)
    assert c.get(f"{reverse('dedupe:undo')}?merge={merge.pk}").status_code == 404
    assert c.post(reverse("dedupe:undo"), {"merge": merge.pk}).status_code == 404
    assert c.post(reverse("dedupe:scan")).status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None and CandidatePair.objects.get().status == "merged"


def test_dismiss_keeps_the_pair_away(client_for, rep, pair):
    services.scan_run("contact")
    p = CandidatePair.objects.get()
    c = client_for(rep)
    assert c.post(reverse("dedupe:dismiss"), {"pair": p.pk}).status_code == 302
    services.scan_run("contact")
    assert "Саша Иванов" not in c.get(reverse("dedupe:queue")).content.decode()


def test_saving_next_to_a_duplicate_shows_on_the_timeline(client_for, rep, pair):
    a, b = pair
    assert Event.objects.filter(record_id=b.pk, action="saved").exists()
    page = client_for(rep).get(b.get_absolute_url()).content.decode()
    assert 'id="duplicates"' in page and a.get_absolute_url() in page


@pytest.mark.django_db(transaction=True)
def test_the_scan_runs_in_the_background_worker(client_for, head, rep):
    contact_create(by=rep, name="Мария Смирнова", owner=rep, emails=["m.smirnova@mail.ru"])
    contact_create(by=rep, name="Maria Smirnova", owner=rep, emails=["M.Smirnova@mail.ru"])
    r = client_for(head).post(reverse("dedupe:scan"), {"kind": "contact"})
    assert r.status_code == 302
    assert CandidatePair.objects.count() == 0
    name = str(connection.settings_dict["NAME"])
    if "memory" in name or name == ":memory:":
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    else:  # a separate worker process on the same (test) database
        env = dict(os.environ)
        engine = connection.settings_dict["ENGINE"]
        if "sqlite" in engine:
            env["DATABASE_URL"] = f"sqlite:///{name}"
        else:
            s = connection.settings_dict
            env["DATABASE_URL"] = (
                f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{name}"
            )
        subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
             "--no-reload"],
            cwd=settings.BASE_DIR, env=env, check=True, timeout=120,
        )  # fmt: skip
    assert CandidatePair.objects.filter(kind="contact").count() == 1


def test_the_deal_quick_add_warns_and_keys_its_new_lead(client_for, rep, pair, pipeline, stages):
    a, _ = pair
    c = client_for(rep)
    r = c.get(
        reverse("dedupe:check_contact"),
        {"contact_name": "Александр Иванов", "contact_phone": "8 912 345-67-89"},
    )
    assert a.get_absolute_url() in r.content.decode()
    assert 'id="dup-warning"' in c.get(reverse("deals:quick_add")).content.decode()
    r = c.post(
        reverse("deals:quick_add"),
        {"title": "Поставка", "amount": "1000", "currency": "RUB", "pipeline": pipeline.pk,
         "stage": stages["qualification"].pk, "company_name": "ООО Станкомаш",
         "contact_name": "Шура Иванов", "contact_phone": "+7 912 345 67 89"},
    )  # fmt: skip
    assert r.status_code == 302
    lead = Contact.objects.get(name="Шура Иванов")
    assert Event.objects.filter(kind="contact", record_id=lead.pk, action="saved").exists()
    from voronka.dedupe.models import RecordKeys

    company = lead.company
    assert RecordKeys.objects.filter(kind="company", record_id=company.pk).exists()


def test_odd_ids_are_a_404_or_ignored_never_a_500(client_for, rep, pair):
    c = client_for(rep)
    huge = "9" * 40
    assert c.get(reverse("dedupe:check_contact"), {"name": "Иванов", "company": huge,
                                                   "record": huge}).status_code == 200  # fmt: skip
    assert c.post(reverse("dedupe:dismiss"), {"pair": huge}).status_code == 404
    assert c.get(f"{reverse('dedupe:undo')}?merge={huge}").status_code == 404
    assert c.get(f"{reverse('dedupe:undo')}?merge=١٢").status_code == 404
    r = c.get(f"{reverse('dedupe:merge')}?kind=contact&ids={huge}&ids=1")
    assert r.status_code == 400
    assert c.get(f"{reverse('dedupe:merge')}?kind=deal&ids=1&ids=2").status_code == 404
