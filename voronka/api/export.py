"""List exports: deals, contacts, companies and activities with the list's filters, as CSV
or XLSX, only what the user sees. Rows are read as plain value tuples in key order."""

from __future__ import annotations

import tempfile
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from voronka.accounts.models import User
from voronka.activities.choices import ActivityKind
from voronka.activities.models import Activity
from voronka.api.tabular import csv_chunks, write_xlsx
from voronka.contacts import selectors as contact_selectors
from voronka.contacts.choices import Lifecycle
from voronka.contacts.forms import ListFilterForm
from voronka.deals.filters import filter_deals, is_db_id

FORMATS = {"csv", "xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(value, tz=None):
    """Aware datetimes in the user's time zone, without the zone (spreadsheets have none)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(tz or timezone.get_current_timezone()).replace(tzinfo=None)
    return value


def _person(first, last, username):
    return " ".join(p for p in (first, last) if p) or username or ""


def _refuse(messages) -> HttpResponse:
    text = _("The export was not made: the filters are not valid.") + "\n" + "\n".join(messages)
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def _answer(request, name: str, header, rows):
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return _refuse([_("Choose CSV or XLSX.")])
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    filename = f"{name}-{stamp}.{fmt}"
    if fmt == "csv":
        decimal_comma = (translation.get_language() or "").startswith("ru")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        for chunk in csv_chunks(header, rows, decimal_comma):
            response.write(chunk.encode("utf-8"))
    else:
        with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
            write_xlsx(header, rows, spool, sheet_name=name)
            spool.seek(0)
            response = HttpResponse(spool.read(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# ---------------------------------------------------------------- deals

DEAL_COLUMNS = (
    ("pk", lambda: _("ID")),
    ("title", lambda: _("Title")),
    ("amount", lambda: _("Amount")),
    ("currency", lambda: _("Currency")),
    ("pipeline__name", lambda: _("Pipeline")),
    ("stage__name", lambda: _("Stage")),
    ("owner", lambda: _("Owner")),
    ("company__name", lambda: _("Company")),
    ("source", lambda: _("Source")),
    ("created_at", lambda: _("Created")),
    ("expected_close_date", lambda: _("Expected close")),
    ("next_step_at", lambda: _("Next step")),
    ("closed_at", lambda: _("Closed")),
    ("lost_reason__name", lambda: _("Lost reason")),
    ("external_id", lambda: _("External id")),
)


def deal_rows(queryset):
    """Rows in column order. Pipelines, stages, owners and lost reasons are small tables
    read once into dictionaries; only the company name is joined per row."""
    from voronka.deals.models import LostReason, Pipeline, Stage

    lookups = {
        "pipeline__name": dict(Pipeline.objects.values_list("pk", "name")),
        "stage__name": dict(Stage.objects.values_list("pk", "name")),
        "lost_reason__name": dict(LostReason.objects.values_list("pk", "name")),
        "owner": {
            pk: _person(first, last, username)
            for pk, first, last, username in User.objects.values_list(
                "pk", "first_name", "last_name", "username"
            )
        },
    }
    keys = {
        "pipeline__name": "pipeline_id",
        "stage__name": "stage_id",
        "lost_reason__name": "lost_reason_id",
        "owner": "owner_id",
    }
    fields = [keys.get(c, c) for c, _label in DEAL_COLUMNS]
    plan = [(i, lookups[c]) for i, (c, _label) in enumerate(DEAL_COLUMNS) if c in lookups]
    tz = timezone.get_current_timezone()
    moments = [fields.index(f) for f in ("created_at", "next_step_at", "closed_at")]
    for row in queryset.values_list(*fields).iterator(chunk_size=2000):
        values = list(row)
        for i in moments:
            if values[i] is not None:
                values[i] = values[i].astimezone(tz).replace(tzinfo=None)
        for i, names in plan:
            values[i] = names.get(values[i], "") if values[i] is not None else ""
        yield values


@require_GET
@login_required
def export_deals(request):
    result = filter_deals(request.user, request.GET)
    if not result.is_valid:
        return _refuse(result.form.error_list())
    header = [label() for _c, label in DEAL_COLUMNS]
    return _answer(request, _("deals"), header, deal_rows(result.queryset))


# ---------------------------------------------------------------- contacts, companies


def _party_filters(request):
    form = ListFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return None, [f"{form.fields[k].label}: {e}" for k, v in form.errors.items() for e in v]
    return form.filters(), []


def _owner_and_dates(row, labels=None):
    """Dates made local, the owner's name last; ``labels`` maps a column to choice labels."""
    *rest, first, last, username = row
    tz = timezone.get_current_timezone()
    values = [_local(v, tz) for v in rest]
    for at, choices in (labels or {}).items():
        values[at] = choices.get(values[at], values[at])
    return values + [_person(first, last, username)]


def _join(qs, link):
    """Phones and e-mails of the rows, one query each, as {record id: "a, b"}."""
    from voronka.contacts.models import EmailAddress, PhoneNumber

    out_phones: dict[int, list[str]] = {}
    out_emails: dict[int, list[str]] = {}
    ids = qs.values("pk")
    for pk, raw in (
        PhoneNumber.objects.filter(**{f"{link}__in": ids})
        .order_by(link, "position", "pk")
        .values_list(link, "raw")
    ):
        out_phones.setdefault(pk, []).append(raw)
    for pk, email in (
        EmailAddress.objects.filter(**{f"{link}__in": ids})
        .order_by(link, "position", "pk")
        .values_list(link, "email")
    ):
        out_emails.setdefault(pk, []).append(email)
    return out_phones, out_emails


def _party_rows(qs, link, fields):
    phones, emails = _join(qs, link)
    labels = {fields.index("lifecycle"): {k: str(v) for k, v in Lifecycle.choices}}
    for row in qs.values_list(*fields).iterator(chunk_size=2000):
        pk = row[0]
        values = _owner_and_dates(row, labels)
        values[-1:-1] = [", ".join(phones.get(pk, [])), ", ".join(emails.get(pk, []))]
        yield values


@require_GET
@login_required
def export_contacts(request):
    filters, errors = _party_filters(request)
    if filters is None:
        return _refuse(errors)
    qs = contact_selectors.contact_list(request.user, **filters).prefetch_related(None)
    qs = qs.order_by("name", "pk")
    header = [
        _("ID"),
        pgettext("person", "Name"),
        _("Position"),
        _("Company"),
        _("Lifecycle"),
        _("Source"),
        _("Created"),
        _("External id"),
        _("Phones"),
        _("E-mails"),
        _("Owner"),
    ]
    fields = [
        "pk",
        "name",
        "position",
        "company__name",
        "lifecycle",
        "source",
        "created_at",
        "external_id",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    ]
    return _answer(request, _("contacts"), header, _party_rows(qs, "contact", fields))


@require_GET
@login_required
def export_companies(request):
    filters, errors = _party_filters(request)
    if filters is None:
        return _refuse(errors)
    qs = contact_selectors.company_list(request.user, **filters).prefetch_related(None)
    qs = qs.order_by("name", "pk")
    header = [
        _("ID"),
        _("Name"),
        _("Legal name"),
        _("INN"),
        _("KPP"),
        _("Website"),
        _("Lifecycle"),
        _("Source"),
        _("Created"),
        _("External id"),
        _("Phones"),
        _("E-mails"),
        _("Owner"),
    ]
    fields = [
        "pk",
        "name",
        "legal_name",
        "inn",
        "kpp",
        "website",
        "lifecycle",
        "source",
        "created_at",
        "external_id",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    ]
    return _answer(request, _("companies"), header, _party_rows(qs, "company", fields))


# ---------------------------------------------------------------- activities


@require_GET
@login_required
def export_activities(request):
    qs = Activity.objects.visible_to(request.user)
    owner = request.GET.get("owner", "")
    if owner:
        if not is_db_id(owner) or not (
            User.objects.visible_to(request.user).filter(pk=int(owner)).exists()
        ):
            return _refuse([_("Owner") + ": " + _("Not found.")])
        qs = qs.filter(owner_id=int(owner))
    done = request.GET.get("done", "")
    if done in {"0", "1"}:
        qs = qs.filter(done=done == "1")
    qs = qs.order_by(F("due_at").asc(nulls_last=True), "pk")
    header = [
        _("ID"),
        _("Kind"),
        _("Subject"),
        _("Due"),
        _("Done"),
        _("Result"),
        _("Deal"),
        _("Contact"),
        _("Company"),
        _("Owner"),
    ]
    fields = [
        "pk",
        "kind",
        "subject",
        "due_at",
        "done",
        "result",
        "deal__title",
        "contact__name",
        "company__name",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    ]
    labels = {1: {k: str(v) for k, v in ActivityKind.choices}}
    rows = (_owner_and_dates(r, labels) for r in qs.values_list(*fields).iterator(chunk_size=2000))
    return _answer(request, _("activities"), header, rows)
