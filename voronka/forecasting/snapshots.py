"""Load an organisation's history from the database into the pure engine's records.

One pass over whole tables (a constant handful of queries, streamed with ``iterator``),
grouped by deal in Python, never one query per deal. Only live deals (``Deal.objects``,
not in the recycle bin) in the chosen currency are loaded; deals in other currencies are
counted in :attr:`LoadedHistory.excluded_currencies` so a caller can say so.

Where each fact's "known at" moment comes from:

- stage changes: ``StageChange.changed_at``;
- activities: ``created_at``, ``due_at`` and ``done_at`` (only when done);
- control-question answers: ``DealAnswer.answered_at``;
- decision date, expected close date, planned milestone dates: every distinct value in the
  deal's field history (django-simple-history), known from its ``history_date``. A current
  value that no history row holds (history switched off, imported rows) is taken as known
  from the deal's ``updated_at``: the latest moment it can have been set, so it cannot leak
  into an earlier cut. A cleared date is not a version (the last value stays known);
- actual milestone dates: the date itself;
- the deal's ``next_step_at``: the current value, known at load time only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from voronka.activities.models import Activity
from voronka.deals.models import Deal, DealAnswer, Stage, StageChange
from voronka.forecasting.engine.data import (
    ActivityRecord,
    AnswerRecord,
    DatedValue,
    DealRecord,
    History,
    MilestoneRecord,
    StageChangeRecord,
    StageInfo,
)

# Dated fields of a deal, in the order of the history query's columns.
DATE_FIELDS = ("decision_date", "expected_close_date")
MILESTONES = ("contract", "invoice", "payment")
PLANNED_FIELDS = tuple(f"{m}_planned" for m in MILESTONES)
CHUNK = 5000


@dataclass(frozen=True)
class LoadedHistory:
    history: History
    currency: str
    pipeline_ids: tuple[int, ...] | None  # None = every pipeline
    # Live deals left out because their currency differs: currency -> number of deals.
    excluded_currencies: dict[str, int] = field(default_factory=dict)

    @property
    def n_excluded(self) -> int:
        return sum(self.excluded_currencies.values())


def _deal_filter(pipeline_ids, currency: str, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}currency": currency})
    if pipeline_ids is not None:
        q &= Q(**{f"{prefix}pipeline_id__in": list(pipeline_ids)})
    return q


def _versions(rows: Iterable[tuple[datetime, object]]) -> list[DatedValue]:
    """Each change of a field's value (None skipped) with the moment it was recorded."""
    out: list[DatedValue] = []
    last = None
    for at, value in rows:
        if value is None or value == last:
            continue
        out.append(DatedValue(value=value, known_at=at))
        last = value
    return out


def load_history(
    *,
    pipeline_ids: Iterable[int] | None = None,
    currency: str | None = None,
    now: datetime | None = None,
) -> LoadedHistory:
    """The history of live deals (optionally of some pipelines) in ``currency``
    (default ``settings.VORONKA_DEFAULT_CURRENCY``), as known at ``now``."""
    loaded_at = now or timezone.now()
    currency = (currency or settings.VORONKA_DEFAULT_CURRENCY).upper()
    pids = tuple(sorted(set(pipeline_ids))) if pipeline_ids is not None else None

    stage_qs = Stage.objects.all()
    if pids is not None:
        stage_qs = stage_qs.filter(pipeline_id__in=pids)
    stages = tuple(
        StageInfo(
            id=sid,
            pipeline_id=pid,
            order=order,
            kind=kind,
            default_probability=(prob or 0) / 100.0,
            name=name,
        )
        for sid, pid, order, kind, prob, name in stage_qs.order_by(
            "pipeline_id", "order", "pk"
        ).values_list("id", "pipeline_id", "order", "kind", "probability", "name")
    )
    kind_of = {s.id: s.kind for s in stages}

    scope = Deal.objects.all()
    if pids is not None:
        scope = scope.filter(pipeline_id__in=pids)
    excluded = {
        row["currency"]: row["n"]
        for row in scope.exclude(currency=currency)
        .values("currency")
        .annotate(n=Count("id"))
        .order_by("currency")
    }
    deals_qs = Deal.objects.filter(_deal_filter(pids, currency))
    live_ids = deals_qs.values("pk")

    changes: dict[int, list[StageChangeRecord]] = defaultdict(list)
    for deal_id, from_id, to_id, at in (
        StageChange.objects.filter(deal_id__in=live_ids)
        .order_by("deal_id", "changed_at", "pk")
        .values_list("deal_id", "from_stage_id", "to_stage_id", "changed_at")
        .iterator(chunk_size=CHUNK)
    ):
        changes[deal_id].append(StageChangeRecord(to_stage_id=to_id, at=at, from_stage_id=from_id))

    activities: dict[int, list[ActivityRecord]] = defaultdict(list)
    for deal_id, created, due, done, done_at in (
        Activity.objects.filter(deal_id__in=live_ids)
        .order_by("deal_id", "created_at", "pk")
        .values_list("deal_id", "created_at", "due_at", "done", "done_at")
        .iterator(chunk_size=CHUNK)
    ):
        activities[deal_id].append(
            ActivityRecord(
                created_at=created,
                due_at=due,
                # Done without a recorded moment: known done from its creation at the latest.
                done_at=(done_at or created) if done else None,
            )
        )

    answers: dict[int, list[AnswerRecord]] = defaultdict(list)
    for deal_id, at, value in (
        DealAnswer.objects.filter(deal_id__in=live_ids)
        .order_by("deal_id", "answered_at", "pk")
        .values_list("deal_id", "answered_at", "answer")
        .iterator(chunk_size=CHUNK)
    ):
        answers[deal_id].append(AnswerRecord(at=at, value=value))

    tracked = DATE_FIELDS + PLANNED_FIELDS
    hist: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Deal.history.filter(id__in=live_ids)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_date", *tracked)
        .iterator(chunk_size=CHUNK)
    ):
        hist[row["id"]].append(row)

    records = []
    for row in (
        deals_qs.order_by("pk")
        .values(
            "id",
            "pipeline_id",
            "stage_id",
            "created_at",
            "updated_at",
            "external_id",
            "amount",
            "currency",
            "owner_id",
            "source",
            "closed_at",
            "next_step_at",
            *tracked,
            *(f"{m}_actual" for m in MILESTONES),
        )
        .iterator(chunk_size=CHUNK)
    ):
        did = row["id"]
        rows = hist.get(did, ())
        dated = {}
        for name in tracked:
            versions = _versions((r["history_date"], r[name]) for r in rows)
            current = row[name]
            if current is not None and (not versions or versions[-1].value != current):
                versions.append(DatedValue(value=current, known_at=row["updated_at"]))
            dated[name] = tuple(versions)
        kind = kind_of.get(row["stage_id"], "open")
        amount = row["amount"]
        records.append(
            DealRecord(
                id=did,
                pipeline_id=row["pipeline_id"],
                created_at=row["created_at"],
                stage_id=row["stage_id"],
                external_id=row["external_id"] or "",
                amount=float(amount) if amount is not None else None,
                currency=row["currency"],
                owner_id=row["owner_id"],
                source=row["source"] or "",
                stage_kind=kind,
                changes=tuple(changes.get(did, ())),
                closed_at=row["closed_at"] if kind != "open" else None,
                won=None if kind == "open" else kind == "won",
                activities=tuple(activities.get(did, ())),
                next_step_due=row["next_step_at"] if kind == "open" else None,
                answers=tuple(answers.get(did, ())),
                milestones=tuple(
                    MilestoneRecord(
                        name=m,
                        planned=dated[f"{m}_planned"],
                        actual=row[f"{m}_actual"],
                    )
                    for m in MILESTONES
                    if dated[f"{m}_planned"] or row[f"{m}_actual"] is not None
                ),
                decision_date=dated["decision_date"],
                expected_close_date=dated["expected_close_date"],
            )
        )
    return LoadedHistory(
        history=History(
            deals=tuple(records),
            stages=stages,
            loaded_at=loaded_at,
            tz=timezone.get_default_timezone(),
        ),
        currency=currency,
        pipeline_ids=pids,
        excluded_currencies=excluded,
    )


def stage_counts(history: History) -> Counter:
    """Deals per current stage kind (for a short summary line)."""
    return Counter(d.stage_kind for d in history.deals)
