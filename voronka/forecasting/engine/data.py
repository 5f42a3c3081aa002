"""Input records of the pure forecast engine and their columnar form.

A loader (outside this package) turns ORM rows into the frozen dataclasses below once;
``build_frame`` turns them into numpy columns that every other module works on. Times
inside a :class:`Frame` are float days since 1970-01-01 UTC; dates are midnight UTC.

Every fact carries the moment it became known, so :func:`voronka.forecasting.engine.asof.as_of`
can cut the history at any date without letting the future leak in.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

import numpy as np

OPEN, WON, LOST = 0, 1, 2
KIND_CODES = {"open": OPEN, "won": WON, "lost": LOST}

# Codes of dated fields (``Frame.dates_field``).
F_DECISION, F_EXPECTED_CLOSE, F_CONTRACT_PLANNED, F_OTHER_PLANNED = 0, 1, 2, 3
N_DATE_FIELDS = 4

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_days(value: datetime | date | None) -> float:
    """Float days since the epoch (UTC); naive datetimes are taken as UTC; None -> NaN."""
    if value is None:
        return math.nan
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return (value - _EPOCH).total_seconds() / 86400.0
    return float((value - _EPOCH.date()).days)


def from_days(days: float) -> datetime:
    return datetime.fromtimestamp(days * 86400.0, tz=UTC)


def add_months(d: date, months: int) -> date:
    """``d`` moved by ``months`` calendar months (the day kept, or the month's last)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class StageInfo:
    id: int
    pipeline_id: int
    order: int
    kind: str  # "open" | "won" | "lost"
    default_probability: float  # 0..1 (Stage.probability / 100)
    name: str = ""


@dataclass(frozen=True, slots=True)
class StageChangeRecord:
    to_stage_id: int
    at: datetime
    from_stage_id: int | None = None


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    created_at: datetime
    due_at: datetime | None = None
    done_at: datetime | None = None  # None while not done


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    at: datetime
    value: str  # "yes" | "no" | "unknown"


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One version of a date field: its value and the moment it was recorded."""

    value: date
    known_at: datetime


@dataclass(frozen=True, slots=True)
class MilestoneRecord:
    name: str  # "contract" | "invoice" | "payment"
    planned: tuple[DatedValue, ...] = ()
    actual: date | None = None


@dataclass(frozen=True, slots=True)
class DealRecord:
    """A deal with its whole known history (current values + dated events)."""

    id: int
    pipeline_id: int
    created_at: datetime
    stage_id: int  # current stage
    external_id: str = ""
    amount: float | None = None  # None or <= 0 counts as "no amount"
    currency: str = ""
    owner_id: int | None = None
    source: str = ""
    stage_kind: str = "open"  # kind of the current stage
    changes: tuple[StageChangeRecord, ...] = ()
    closed_at: datetime | None = None
    won: bool | None = None
    activities: tuple[ActivityRecord, ...] = ()
    # Current value only (known at History.loaded_at); the as-of state derives next steps
    # from ``activities`` and uses this only when nothing else is known at load time.
    next_step_due: datetime | None = None
    answers: tuple[AnswerRecord, ...] = ()
    milestones: tuple[MilestoneRecord, ...] = ()
    decision_date: tuple[DatedValue, ...] = ()
    expected_close_date: tuple[DatedValue, ...] = ()


@dataclass(frozen=True, slots=True)
class History:
    deals: tuple[DealRecord, ...]
    stages: tuple[StageInfo, ...]
    loaded_at: datetime
    # The organisation's time zone: the frame counts days on its wall clock, so a period
    # (a calendar month, a date) begins at its local midnight and a deal closed "on 1 March"
    # (a date-only import: local midnight) falls in March, not in February's last UTC hours.
    tz: tzinfo = UTC


@dataclass(frozen=True, eq=False)
class Frame:
    """Columnar history, possibly cut at ``t`` (see ``asof.as_of``).

    Deal rows never move (index = position), so arrays from different cuts line up.
    """

    t: float
    # stages
    stage_ids: np.ndarray
    stage_pipeline: np.ndarray  # pipeline index
    stage_order: np.ndarray
    stage_kind: np.ndarray
    stage_default_p: np.ndarray
    stage_order_frac: np.ndarray  # position among the open stages of its pipeline, 0..1
    stage_is_final_open: np.ndarray
    # deals
    deal_ids: np.ndarray
    external_ids: np.ndarray  # object
    pipeline: np.ndarray
    owner: np.ndarray  # index into owner_ids, -1 = none
    source: np.ndarray  # index into sources
    created: np.ndarray
    amount: np.ndarray  # NaN = no amount
    initial_stage: np.ndarray
    exists: np.ndarray  # created by t (at or before the load time; before t once cut)
    # stage changes, sorted by (deal, at)
    ch_deal: np.ndarray
    ch_at: np.ndarray
    ch_to: np.ndarray
    # activities
    act_deal: np.ndarray
    act_created: np.ndarray
    act_due: np.ndarray
    act_done: np.ndarray  # NaN = not done (as of t)
    # answers (+1 yes, -1 no, 0 unknown)
    ans_deal: np.ndarray
    ans_at: np.ndarray
    ans_value: np.ndarray
    # dated fields (planned dates etc.)
    dates_deal: np.ndarray
    dates_field: np.ndarray
    dates_known: np.ndarray
    dates_value: np.ndarray
    # actual milestone dates (known from the date itself)
    msa_deal: np.ndarray
    msa_at: np.ndarray
    # current-only next step (known at loaded_at)
    next_step_due: np.ndarray
    loaded_at: float
    # lookup tables
    pipeline_ids: np.ndarray
    owner_ids: np.ndarray
    sources: np.ndarray = field(default_factory=lambda: np.array([""], dtype=object))

    @property
    def n_deals(self) -> int:
        return len(self.deal_ids)

    @property
    def n_stages(self) -> int:
        return len(self.stage_ids)

    def stage_index(self, stage_id: int) -> int:
        hits = np.flatnonzero(self.stage_ids == stage_id)
        if not len(hits):
            raise KeyError(stage_id)
        return int(hits[0])


class DataError(ValueError):
    """The history cannot be used (e.g. a deal points to an unknown stage)."""


def _arr(values, dtype) -> np.ndarray:
    return np.asarray(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)


def build_frame(history: History) -> Frame:
    """Columns from records. Bad input gets a documented fallback, never an exception
    for a single odd deal:

    - a stage change dated before the deal's creation moves the creation back to it;
    - a first change with no "from" stage at the creation moment is the creation itself:
      the deal starts in its "to" stage (not in the first stage, left on day 0); one later
      than the creation comes from an unknown stage, taken as the pipeline's first;
    - a closed deal without a stage change into its closed stage gets one at ``closed_at``
      (or at its last known moment);
    - a change to an unknown stage is dropped; a deal in an unknown stage raises DataError;
    - amount None, NaN or <= 0 means "no amount" (NaN).

    Moments are counted on the wall clock of ``history.tz``.
    """
    zone = history.tz

    def days_of(value):
        if zone is not UTC and isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
        return to_days(value)

    stages = history.stages
    stage_pos = {s.id: i for i, s in enumerate(stages)}
    pipeline_ids = sorted({s.pipeline_id for s in stages} | {d.pipeline_id for d in history.deals})
    pipe_pos = {p: i for i, p in enumerate(pipeline_ids)}
    n_st = len(stages)
    stage_pipeline = _arr([pipe_pos[s.pipeline_id] for s in stages], np.int64)
    stage_order = _arr([s.order for s in stages], np.int64)
    stage_kind = _arr([KIND_CODES.get(s.kind, OPEN) for s in stages], np.int8)
    stage_default_p = np.clip(_arr([s.default_probability for s in stages], np.float64), 0, 1)
    order_frac = np.zeros(n_st)
    final_open = np.zeros(n_st, dtype=bool)
    first_open: dict[int, int] = {}
    for p in range(len(pipeline_ids)):
        idx = [i for i in range(n_st) if stage_pipeline[i] == p and stage_kind[i] == OPEN]
        idx.sort(key=lambda i: (stage_order[i], stages[i].id))
        for r, i in enumerate(idx):
            order_frac[i] = r / max(len(idx) - 1, 1)
        if idx:
            final_open[idx[-1]] = True
            first_open[p] = idx[0]

    owner_vals = sorted({d.owner_id for d in history.deals if d.owner_id is not None})
    owner_pos = {o: i for i, o in enumerate(owner_vals)}
    source_vals = [""] + sorted({d.source for d in history.deals if d.source})
    source_pos = {s: i for i, s in enumerate(source_vals)}

    n = len(history.deals)
    created = np.empty(n)
    amount = np.full(n, np.nan)
    initial = np.empty(n, dtype=np.int64)
    pipeline = np.empty(n, dtype=np.int64)
    owner = np.empty(n, dtype=np.int64)
    source = np.empty(n, dtype=np.int64)
    nsd = np.full(n, np.nan)
    ch_deal, ch_at, ch_to = [], [], []
    act_deal, act_c, act_due, act_done = [], [], [], []
    ans_deal, ans_at, ans_val = [], [], []
    dt_deal, dt_field, dt_known, dt_val = [], [], [], []
    msa_deal, msa_at = [], []
    ans_code = {"yes": 1, "no": -1}
    for i, d in enumerate(history.deals):
        if d.stage_id not in stage_pos:
            raise DataError(f"deal {d.id}: unknown stage {d.stage_id}")
        cur = stage_pos[d.stage_id]
        pipeline[i] = pipe_pos[d.pipeline_id]
        owner[i] = owner_pos.get(d.owner_id, -1) if d.owner_id is not None else -1
        source[i] = source_pos.get(d.source or "", 0)
        a = d.amount
        if a is not None and a == a and a > 0:
            amount[i] = float(a)
        c = days_of(d.created_at)
        chs = sorted(
            (days_of(x.at), stage_pos[x.to_stage_id], x.from_stage_id)
            for x in d.changes
            if x.to_stage_id in stage_pos
        )
        if chs and chs[0][0] < c:
            c = chs[0][0]
        created[i] = c
        if chs:
            at0, to0, fs = chs[0]
            if fs in stage_pos:
                initial[i] = stage_pos[fs]
            elif at0 <= c:
                # the record of the creation itself: the deal was created in that stage
                initial[i] = to0
            else:
                initial[i] = first_open.get(pipeline[i], cur)
        elif stage_kind[cur] == OPEN:
            initial[i] = cur
        else:
            initial[i] = first_open.get(pipeline[i], cur)
        last_to = chs[-1][1] if chs else initial[i]
        if stage_kind[cur] != OPEN and last_to != cur:
            at = days_of(d.closed_at) if d.closed_at is not None else math.nan
            if not at == at:
                at = max([c] + [x[0] for x in chs])
            chs.append((max(at, chs[-1][0] if chs else c), cur, None))
        for at, to, _ in chs:
            ch_deal.append(i)
            ch_at.append(at)
            ch_to.append(to)
        for act in d.activities:
            act_deal.append(i)
            act_c.append(days_of(act.created_at))
            act_due.append(days_of(act.due_at))
            act_done.append(days_of(act.done_at))
        for ans in d.answers:
            ans_deal.append(i)
            ans_at.append(days_of(ans.at))
            ans_val.append(ans_code.get(ans.value, 0))
        for code, versions in (
            (F_DECISION, d.decision_date),
            (F_EXPECTED_CLOSE, d.expected_close_date),
        ):
            for v in versions:
                dt_deal.append(i)
                dt_field.append(code)
                dt_known.append(days_of(v.known_at))
                dt_val.append(days_of(v.value))
        for m in d.milestones:
            code = F_CONTRACT_PLANNED if m.name == "contract" else F_OTHER_PLANNED
            for v in m.planned:
                dt_deal.append(i)
                dt_field.append(code)
                dt_known.append(days_of(v.known_at))
                dt_val.append(days_of(v.value))
            if m.actual is not None:
                msa_deal.append(i)
                # a date without a time is known by the end of that day: a contract signed
                # on the 1st must not show as done at midnight to a replay of the 1st
                day_end = 0.0 if isinstance(m.actual, datetime) else 1.0
                msa_at.append(days_of(m.actual) + day_end)
        if d.next_step_due is not None:
            nsd[i] = days_of(d.next_step_due)

    ch_deal_a = _arr(ch_deal, np.int64)
    ch_at_a = _arr(ch_at, np.float64)
    order = np.lexsort((ch_at_a, ch_deal_a))
    loaded = days_of(history.loaded_at)
    return Frame(
        t=loaded,
        stage_ids=_arr([s.id for s in stages], np.int64),
        stage_pipeline=stage_pipeline,
        stage_order=stage_order,
        stage_kind=stage_kind,
        stage_default_p=stage_default_p,
        stage_order_frac=order_frac,
        stage_is_final_open=final_open,
        deal_ids=_arr([d.id for d in history.deals], np.int64),
        external_ids=np.array([d.external_id for d in history.deals], dtype=object),
        pipeline=pipeline,
        owner=owner,
        source=source,
        created=created,
        amount=amount,
        initial_stage=initial,
        exists=created <= loaded,
        ch_deal=ch_deal_a[order],
        ch_at=ch_at_a[order],
        ch_to=_arr(ch_to, np.int64)[order],
        act_deal=_arr(act_deal, np.int64),
        act_created=_arr(act_c, np.float64),
        act_due=_arr(act_due, np.float64),
        act_done=_arr(act_done, np.float64),
        ans_deal=_arr(ans_deal, np.int64),
        ans_at=_arr(ans_at, np.float64),
        ans_value=_arr(ans_val, np.int8),
        dates_deal=_arr(dt_deal, np.int64),
        dates_field=_arr(dt_field, np.int8),
        dates_known=_arr(dt_known, np.float64),
        dates_value=_arr(dt_val, np.float64),
        msa_deal=_arr(msa_deal, np.int64),
        msa_at=_arr(msa_at, np.float64),
        next_step_due=nsd,
        loaded_at=loaded,
        pipeline_ids=_arr(pipeline_ids, np.int64),
        owner_ids=_arr(owner_vals, np.int64),
        sources=np.array(source_vals, dtype=object),
    )
