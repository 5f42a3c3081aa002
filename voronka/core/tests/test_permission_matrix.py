"""The permission matrix, generated from the URL configuration.

Every route of the application is listed and classified; a route that the rules below do
not classify fails the suite, so a new screen cannot ship without its row in the matrix.
Policy: a record outside the user's zone is a 404 (its existence is not confirmed), and a
denied request changes nothing in the database (a snapshot of row counts and update
times, history tables included, is compared).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from voronka.activities.services import attachment_create, note_create
from voronka.core import testing
from voronka.deals.models import LostReason, SavedFilter
from voronka.imports.models import ImportJob

pytestmark = pytest.mark.django_db

APP_NAMESPACES = {"web", "accounts", "deals", "contacts", "activities", "plans", "dedupe"}
APP_NAMESPACES |= {"forecasting"}
APP_NAMESPACES |= {"imports"}
APP_NAMESPACES |= {"export"}
PUBLIC = {"accounts:login", "accounts:logout"}
MARKER = "Zebra7Marker"

# Kinds of objects a route parameter can name.
OWNED = {"deal", "contact", "company", "activity", "note", "attachment", "saved_filter"}
PROCESS = {"pipeline", "stage", "criterion", "lostreason"}
OWN_TEXTS = [
    f"{MARKER} {what}" for what in ("deal", "company", "contact", "call", "note", "filter")
] + ["offer.txt"]


def routes():
    out = []

    def walk(patterns, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern) and p.name and ns in APP_NAMESPACES:
                out.append((f"{ns}:{p.name}", list(p.pattern.converters)))

    walk(get_resolver().url_patterns, None)
    return sorted(set((n, tuple(k)) for n, k in out))


def kind_of(name: str, kwarg: str) -> str | None:
    """Which object a URL parameter names."""
    if kwarg in {"pipeline_id", "pipeline_pk"}:
        return "pipeline"
    if kwarg in {"stage_id", "stage_pk"}:
        return "stage"
    if kwarg in {"criterion_id", "criterion_pk"}:
        return "criterion"
    if kwarg in {"activity_id", "activity_pk"}:
        return "activity"
    if kwarg in {"deal_id", "deal_pk"}:
        return "deal"
    if kwarg in {"contact_id", "contact_pk"}:
        return "contact"
    if kwarg in {"company_id", "company_pk"}:
        return "company"
    if name.startswith("imports:"):
        return "import_job" if kwarg == "pk" else None
    if kwarg != "pk":
        return None
    short = name.split(":", 1)[1]
    if name.startswith("activities:"):
        return "attachment" if "attachment" in short else "activity"
    if name.startswith("contacts:"):
        return "company" if "company" in short else "contact"
    if name.startswith("deals:"):
        for key, kind in (
            ("saved_filter", "saved_filter"),
            ("lostreason", "lostreason"),
            ("lost_reason", "lostreason"),
            ("criterion", "criterion"),
            ("stage", "stage"),
            ("pipeline", "pipeline"),
        ):
            if key in short:
                return kind
        return "deal"
    return None


def is_process_route(name: str) -> bool:
    short = name.split(":", 1)[1]
    if name.startswith("imports:"):
        return True  # heads and admins only, like the process settings
    return name.startswith("deals:") and bool(
        re.match(r"(pipeline|stage|criterion|lostreason|lost_reason)", short)
    )


def snapshot():
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in {"accounts", "contacts", "deals", "activities"}:
            continue
        manager = getattr(model, "all_objects", model._default_manager)
        qs = manager.all()
        row = [qs.count()]
        if any(f.name == "updated_at" for f in model._meta.fields):
            row.append(qs.aggregate(m=Max("updated_at"))["m"])
        if any(f.name == "version" for f in model._meta.fields):
            row.append(sum(qs.values_list("version", flat=True)))
        state[model._meta.label] = tuple(row)
    return state


@pytest.fixture
def world(rep, other_rep, head, admin_user, stages, pipeline):
    deal = testing.make_deal(owner=rep, stage=stages["qualification"], title=f"{MARKER} deal")
    company = testing.make_company(owner=rep, name=f"{MARKER} company")
    contact = testing.make_contact(owner=rep, name=f"{MARKER} contact", company=company)
    deal.contacts.add(contact)
    activity = testing.make_activity(deal=deal, owner=rep, subject=f"{MARKER} call", due_in_days=0)
    activity.due_at = activity.due_at - timedelta(minutes=5)
    activity.save()
    note = note_create(by=rep, body=f"{MARKER} note", deal=deal)
    attachment = attachment_create(
        by=rep, upload=SimpleUploadedFile("offer.txt", b"secret offer"), deal=deal
    )
    saved = SavedFilter.objects.create(user=rep, name=f"{MARKER} filter", query="q=x")
    return {
        "deal": deal,
        "company": company,
        "contact": contact,
        "activity": activity,
        "note": note,
        "attachment": attachment,
        "saved_filter": saved,
        "pipeline": pipeline,
        "stage": stages["probability"],
        "criterion": stages["probability"].criteria.first(),
        "lostreason": LostReason.objects.first(),
        "import_job": ImportJob.objects.create(
            created_by=head, kind="deals", filename="x.csv", path="x"
        ),
    }


def url_for(name, kwargs_names, world):
    kwargs = {}
    for k in kwargs_names:
        kind = kind_of(name, k)
        if kind is None:
            return None
        kwargs[k] = world[kind].pk
    return reverse(name, kwargs=kwargs)


HOSTILE_POST = {
    "title": "changed",
    "name": "changed",
    "amount": "1",
    "currency": "RUB",
    "body": "changed",
    "subject": "changed",
    "answer": "yes",
    "version": "1",
    "override_reason": "because",
    "result": "changed",
    "query": "q=changed",
    "kind": "deal",
}


def test_every_route_is_classified():
    unclassified = []
    for name, kwargs in routes():
        for k in kwargs:
            if kind_of(name, k) is None:
                unclassified.append((name, k))
    assert unclassified == []
    assert len(routes()) > 10


def test_another_reps_records_are_404_and_unchanged(world, client_for, other_rep):
    client = client_for(other_rep)
    checked = 0
    for name, kwargs in routes():
        kinds = {kind_of(name, k) for k in kwargs}
        if not kinds & OWNED:
            continue
        if {"pipeline", "stage"} & kinds and not kinds & OWNED:
            continue
        url = url_for(name, kwargs, world)
        before = snapshot()
        for method in ("get", "post"):
            response = getattr(client, method)(url, HOSTILE_POST if method == "post" else None)
            assert response.status_code in (404, 405), (name, method, response.status_code)
            if response.status_code == 404:
                for text in OWN_TEXTS:
                    assert text.encode() not in response.content, (name, method, text)
        assert snapshot() == before, name
        checked += 1
    assert checked >= 8


def test_process_settings_are_404_for_a_rep(world, client_for, rep):
    client = client_for(rep)
    checked = 0
    for name, kwargs in routes():
        if not is_process_route(name):
            continue
        url = url_for(name, kwargs, world)
        before = snapshot()
        for method in ("get", "post"):
            response = getattr(client, method)(url, HOSTILE_POST if method == "post" else None)
            assert response.status_code in (404, 405), (name, method, response.status_code)
        assert snapshot() == before, name
        checked += 1
    assert checked >= 3


def test_anonymous_is_sent_to_login_and_changes_nothing(world, client):
    for name, kwargs in routes():
        if name in PUBLIC:
            continue
        url = url_for(name, kwargs, world)
        before = snapshot()
        for method in ("get", "post"):
            response = getattr(client, method)(url, HOSTILE_POST if method == "post" else None)
            assert response.status_code in (302, 405), (name, method, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("accounts:login")), name
        assert snapshot() == before, name


def test_lists_and_searches_never_show_another_reps_records(world, client_for, other_rep):
    client = client_for(other_rep)
    pages = 0
    for name, kwargs in routes():
        if kwargs or name in PUBLIC or is_process_route(name):
            continue
        for query in ("", f"?q={MARKER}", f"?search={MARKER}", "?closed=1"):
            response = client.get(reverse(name) + query)
            if response.status_code == 405:
                break
            assert response.status_code in (200, 302), (name, response.status_code)
            # The query text may be echoed back; the records' own texts must not appear.
            for text in OWN_TEXTS:
                assert text.encode() not in response.content, (name, query, text)
        pages += 1
    assert pages >= 5


def test_the_owner_and_the_head_reach_the_records(world, client_for, rep, head, admin_user):
    for user in (rep, head, admin_user):
        client = client_for(user)
        for name in ("deals:detail", "contacts:contact_detail", "contacts:company_detail"):
            kind = {"deals:detail": "deal"}.get(name) or kind_of(name, "pk")
            response = client.get(reverse(name, args=[world[kind].pk]))
            assert response.status_code == 200, (user.username, name)
            assert MARKER.encode() in response.content
        response = client.get(
            reverse("activities:attachment_download", args=[world["attachment"].pk])
        )
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"secret offer"
