"""Reads for the board and the deal page, always through the user's visible querysets.

Pipelines, stages, criteria and lost reasons are process configuration that every user
sees; deals, users, companies, contacts, activities, notes and files are scoped with
``visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from babel import Locale
from babel.numbers import get_currency_symbol, parse_pattern
from django.conf import settings
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone, translation
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from voronka.accounts.models import User
from voronka.deals.choices import CriterionKind, StageKind
from voronka.deals.models import Deal, DealAnswer, LostReason, Pipeline, Stage, StageCriterion

BOARD_ORDER = ("-created_at", "-pk")
SEARCH_MAX = 200

# ---------------------------------------------------------------- money


def _babel_locale() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).replace("-", "_")


_MONEY_PATTERN = parse_pattern("#,##0.00")


@functools.lru_cache(maxsize=256)
def _money_locale(loc: str, currency: str) -> tuple[Locale, str]:
    """The parsed locale and the currency's symbol in it (parsing a locale is most of the
    cost of formatting one amount, and a page formats hundreds)."""
    locale = Locale.parse(loc)
    try:
        symbol = get_currency_symbol(currency, locale=locale)
    except Exception:  # an unknown code: the code itself is clear enough
        symbol = currency
    return locale, symbol


def format_money(amount, currency: str) -> str:
    """``100 000,00 ₽`` in Russian, ``100,000.00 RUB`` in English."""
    locale, symbol = _money_locale(_babel_locale(), currency)
    number = _MONEY_PATTERN.apply(Decimal(amount or 0), locale)
    return f"{number}\u00a0{symbol}"


# ---------------------------------------------------------------- deals


def visible_deals(user):
    return Deal.objects.visible_to(user)


def get_visible_deal(user, pk) -> Deal:
    """The deal, or a 404 when it does not exist or lies outside the user's zone."""
    qs = visible_deals(user).select_related("stage", "pipeline", "owner", "company", "lost_reason")
    return get_object_or_404(qs, pk=pk)


def visible_users(user):
    return User.objects.visible_to(user).filter(is_active=True)


# ---------------------------------------------------------------- board


def first_pipeline() -> Pipeline:
    from voronka.deals.setup import ensure_default_pipeline

    active = Pipeline.objects.filter(is_active=True).order_by("order", "pk").first()
    return active or ensure_default_pipeline()


def get_pipeline(pk) -> Pipeline:
    return get_object_or_404(Pipeline.objects.all(), pk=pk)


def pipeline_stages(pipeline_id) -> list[Stage]:
    return list(Stage.objects.filter(pipeline_id=pipeline_id).order_by("order", "pk"))


def active_lost_reasons() -> list[LostReason]:
    return list(LostReason.objects.filter(is_active=True))


@dataclass
class BoardFilter:
    owner_id: int | None = None
    q: str = ""
    owners: list = field(default_factory=list)

    def params(self) -> dict:
        out = {}
        if self.owner_id:
            out["owner"] = self.owner_id
        if self.q:
            out["q"] = self.q
        return out


def parse_board_filter(user, data) -> BoardFilter:
    """Owner (only among the user's visible users) and a title search, from GET or POST."""
    owners = list(visible_users(user).only("pk", "username", "first_name", "last_name"))
    owner_id = None
    raw = str(data.get("owner", "") or "").strip()
    if raw.isdigit() and any(u.pk == int(raw) for u in owners):
        owner_id = int(raw)
    q = str(data.get("q", "") or "").strip()[:SEARCH_MAX]
    return BoardFilter(owner_id=owner_id, q=q, owners=owners)


def board_deals(user, pipeline_id, flt: BoardFilter, stage_ids=None):
    # Filtering on the pipeline's stage ids (not pipeline_id) lets the database walk the
    # board index (stage, deleted_at, created_at) instead of every deal of the pipeline.
    if stage_ids is None:
        stage_ids = list(Stage.objects.filter(pipeline_id=pipeline_id).values_list("pk", flat=True))
    qs = visible_deals(user).filter(stage_id__in=list(stage_ids))
    if flt.owner_id:
        qs = qs.filter(owner_id=flt.owner_id)
    if flt.q:
        qs = qs.filter(title__icontains=flt.q)
    return qs


@dataclass
class ColumnTotal:
    count: int = 0
    main: Decimal = Decimal("0")
    currency: str = ""
    others: dict = field(default_factory=dict)

    @property
    def main_display(self) -> str:
        return format_money(self.main, self.currency)

    @property
    def others_display(self) -> list[str]:
        return [format_money(v, c) for c, v in sorted(self.others.items())]


def column_totals(qs, stage_ids) -> dict[int, ColumnTotal]:
    """Count and sums of every column in ONE query grouped by stage and currency.

    The sum is in the main currency (``VORONKA_DEFAULT_CURRENCY``); deals in other
    currencies are summed apart per currency and shown next to it, never converted.
    """
    main = settings.VORONKA_DEFAULT_CURRENCY
    out = {sid: ColumnTotal(currency=main) for sid in stage_ids}
    rows = (
        qs.filter(stage_id__in=list(stage_ids))
        .order_by()
        .values("stage_id", "currency")
        .annotate(n=Count("*"), total=Sum("amount"))  # COUNT(*): answered from the index
    )
    for row in rows:
        t = out[row["stage_id"]]
        t.count += row["n"]
        amount = row["total"] or Decimal("0")
        if row["currency"] == main:
            t.main += amount
        else:
            t.others[row["currency"]] = t.others.get(row["currency"], Decimal("0")) + amount
    return out


def _card_qs(qs):
    return qs.select_related("company", "owner").order_by(*BOARD_ORDER)


def first_pages(qs, stage_ids, size: int) -> dict[int, list[Deal]]:
    """The first ``size`` cards of every column: one small key query per column (it walks
    the board index of its stage), then one query for the cards by primary key. The
    number of queries follows the number of stages, never the number of deals."""
    out: dict[int, list[Deal]] = {sid: [] for sid in stage_ids}
    ids: list[int] = []
    for sid in stage_ids:
        ids += list(
            qs.filter(stage_id=sid).order_by(*BOARD_ORDER).values_list("pk", flat=True)[:size]
        )
    if not ids:
        return out
    # The zone and the filters are already applied above; fetch the rows by key.
    cards = list(Deal.all_objects.filter(pk__in=ids).select_related("company", "owner"))
    cards.sort(key=lambda d: (d.created_at, d.pk), reverse=True)
    for deal in cards:
        out[deal.stage_id].append(deal)
    return out


def column_page(qs, stage_id: int, page: int, size: int) -> list[Deal]:
    start = (page - 1) * size
    return list(_card_qs(qs.filter(stage_id=stage_id))[start : start + size])


def _stage_options(stages, current_id):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((s.pk, mark_safe(" selected") if s.pk == current_id else "", s.name) for s in stages),
    )


def prepare_cards(deals, stages, now=None) -> None:
    """Set the card flags, the formatted amount and the "Move to…" options of each deal.

    Flags concern work still to do, so a won or lost deal carries none. The options are
    built once per stage (all cards of a column share them).
    """
    now = now or timezone.now()
    by_id = {s.pk: s for s in stages}
    options = {}
    for d in deals:
        stage = by_id.get(d.stage_id)
        is_open = stage is None or stage.kind == StageKind.OPEN
        d.flag_no_next = is_open and d.next_step_at is None
        d.flag_overdue = is_open and d.next_step_at is not None and d.next_step_at < now
        d.flag_stale = False
        if is_open and stage is not None and stage.stale_after_days:
            last = max(t for t in (d.last_activity_at, d.stage_entered_at) if t is not None)
            d.flag_stale = last < now - timedelta(days=stage.stale_after_days)
        d.amount_display = format_money(d.amount, d.currency)
        if d.stage_id not in options:
            options[d.stage_id] = _stage_options(stages, d.stage_id)
        d.move_options = options[d.stage_id]


# ---------------------------------------------------------------- deal page


@dataclass
class Question:
    criterion: StageCriterion
    answer: str = "unknown"
    note: str = ""


def stage_questions(deal: Deal) -> list[Question]:
    """Control questions of the deal's current stage with the deal's answers."""
    criteria = list(
        StageCriterion.objects.filter(
            stage_id=deal.stage_id, kind=CriterionKind.QUESTION, is_active=True
        ).order_by("order", "pk")
    )
    answers = {
        a.criterion_id: a
        for a in DealAnswer.objects.filter(deal=deal, criterion__in=[c.pk for c in criteria])
    }
    out = []
    for c in criteria:
        a = answers.get(c.pk)
        out.append(Question(c, a.answer if a else "unknown", a.note if a else ""))
    return out


def question_of_deal(deal: Deal, criterion_id) -> StageCriterion:
    """A control question of one of the stages of the deal's pipeline, or a 404."""
    qs = StageCriterion.objects.filter(
        stage__pipeline_id=deal.pipeline_id, kind=CriterionKind.QUESTION, is_active=True
    )
    return get_object_or_404(qs, pk=criterion_id)


def deal_activities(user, deal):
    from voronka.activities.models import Activity

    return list(
        Activity.objects.visible_to(user)
        .filter(deal=deal)
        .select_related("owner")
        .order_by("done", "due_at", "pk")
    )


def deal_notes(user, deal):
    from voronka.activities.models import Note

    return list(Note.objects.visible_to(user).filter(deal=deal).select_related("author"))


def deal_attachments(user, deal):
    from voronka.activities.models import Attachment

    return list(Attachment.objects.visible_to(user).filter(deal=deal).select_related("uploaded_by"))


def deal_activity(user, deal, activity_pk):
    from voronka.activities.models import Activity

    return get_object_or_404(Activity.objects.visible_to(user).filter(deal=deal), pk=activity_pk)


# ---------------------------------------------------------------- timeline

# Fields whose changes the timeline shows; stage moves come from StageChange instead.
TIMELINE_SKIP = {
    "id",
    "created_at",
    "pipeline",
    "stage",
    "closed_at",
    "deleted_by",
    "deleted_at",
    "updated_at",
    "version",
    "next_step_at",
    "last_activity_at",
    "stage_entered_at",
}


def _tracked_fields() -> list[str]:
    history_fields = {f.name for f in Deal.history.model._meta.fields}
    return [
        f.name
        for f in Deal._meta.concrete_fields
        if f.name in history_fields and f.name not in TIMELINE_SKIP
    ]


@dataclass
class TimelineEntry:
    kind: str  # created, stage, fields, activity_planned, activity_done, note, file
    at: dt.datetime
    who: object = None
    data: dict = field(default_factory=dict)


def _display(value, field_name, names) -> str:
    if value is None or value == "":
        return "—"
    if field_name in names:
        return names[field_name].get(value, _("(not visible)"))
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    return str(value)


def field_changes(user, deal) -> list[TimelineEntry]:
    """Field changes from the deal's history: one entry per save that changed fields."""
    from voronka.contacts.models import Company

    fields = _tracked_fields()
    records = list(deal.history.select_related("history_user").order_by("history_date", "pk"))
    pairs = []
    owner_ids, company_ids, reason_ids = set(), set(), set()
    for older, newer in zip(records, records[1:], strict=False):
        delta = newer.diff_against(older, included_fields=fields)
        if not delta.changes:
            continue
        pairs.append((newer, delta.changes))
        for ch in delta.changes:
            ids = {"owner": owner_ids, "company": company_ids, "lost_reason": reason_ids}.get(
                ch.field
            )
            if ids is not None:
                ids.update(v for v in (ch.old, ch.new) if v is not None)
    names = {"owner": {}, "company": {}, "lost_reason": {}}
    if owner_ids:
        names["owner"] = {u.pk: str(u) for u in visible_users(user).filter(pk__in=owner_ids)}
    if company_ids:
        names["company"] = {
            c.pk: c.name for c in Company.objects.visible_to(user).filter(pk__in=company_ids)
        }
    if reason_ids:
        names["lost_reason"] = {r.pk: r.name for r in LostReason.objects.filter(pk__in=reason_ids)}
    out = []
    for record, changes in pairs:
        rows = [
            {
                "field": capfirst(Deal._meta.get_field(ch.field).verbose_name),
                "old": _display(ch.old, ch.field, names),
                "new": _display(ch.new, ch.field, names),
            }
            for ch in changes
        ]
        out.append(
            TimelineEntry(
                "fields",
                record.history_date,
                record.history_user,
                {"changes": rows, "reason": record.history_change_reason or ""},
            )
        )
    return out


def deal_timeline(user, deal, activities, notes, attachments) -> list[TimelineEntry]:
    """Stage changes, field changes, activities, notes and files, newest first."""
    entries: list[TimelineEntry] = []
    for sc in deal.stage_changes.select_related("from_stage", "to_stage", "changed_by"):
        entries.append(
            TimelineEntry(
                "stage" if sc.from_stage_id else "created",
                sc.changed_at,
                sc.changed_by,
                {"from": sc.from_stage, "to": sc.to_stage, "override": sc.override_reason},
            )
        )
    entries.extend(field_changes(user, deal))
    for a in activities:
        entries.append(TimelineEntry("activity_planned", a.created_at, a.owner, {"a": a}))
        if a.done and a.done_at:
            entries.append(TimelineEntry("activity_done", a.done_at, a.owner, {"a": a}))
    for n in notes:
        entries.append(TimelineEntry("note", n.created_at, n.author, {"note": n}))
    for f in attachments:
        entries.append(TimelineEntry("file", f.created_at, f.uploaded_by, {"file": f}))
    order = {"created": 0, "stage": 1, "fields": 2}
    entries.sort(key=lambda e: (e.at, order.get(e.kind, 3)), reverse=True)
    return entries
