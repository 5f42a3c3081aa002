"""The one cut of history at a moment: everything downstream sees only ``as_of(frame, t)``.

``as_of`` drops every fact recorded at or after ``t`` (stage changes, activities and their
completion, answers, versions of planned dates, actual milestone dates, deals created
later, the current-only next step unless ``t`` is at or after the load time). ``state``
reads a cut frame and returns each deal's state at its ``t``. The live forecast is
``state(as_of(frame, now))``; the backtest and the training snapshots use earlier ``t``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .data import F_CONTRACT_PLANNED, F_DECISION, F_EXPECTED_CLOSE, N_DATE_FIELDS, OPEN, Frame


def as_of(frame: Frame, t: float) -> Frame:
    """The history as it was known at ``t`` (float days). Never later than ``frame.t``."""
    t = float(min(t, frame.t))
    # Strictly before t: a fact stamped at t itself belongs to the period that starts at t
    # (periods are [start, end)), as a deal closed on the 1st (a date-only import stores
    # its midnight) belongs to the month, not to the history the month is forecast from.
    ch = frame.ch_at < t
    act = frame.act_created < t
    done = frame.act_done[act]
    done = np.where(done < t, done, np.nan)
    ans = frame.ans_at < t
    dts = frame.dates_known < t
    msa = frame.msa_at < t
    nsd = frame.next_step_due if t >= frame.loaded_at else np.full(frame.n_deals, np.nan)
    return replace(
        frame,
        t=t,
        exists=frame.exists & (frame.created < t),
        ch_deal=frame.ch_deal[ch],
        ch_at=frame.ch_at[ch],
        ch_to=frame.ch_to[ch],
        act_deal=frame.act_deal[act],
        act_created=frame.act_created[act],
        act_due=frame.act_due[act],
        act_done=done,
        ans_deal=frame.ans_deal[ans],
        ans_at=frame.ans_at[ans],
        ans_value=frame.ans_value[ans],
        dates_deal=frame.dates_deal[dts],
        dates_field=frame.dates_field[dts],
        dates_known=frame.dates_known[dts],
        dates_value=frame.dates_value[dts],
        msa_deal=frame.msa_deal[msa],
        msa_at=frame.msa_at[msa],
        next_step_due=nsd,
    )


@dataclass(frozen=True, eq=False)
class State:
    """Per-deal state at ``t`` of a cut frame (arrays over all deal rows)."""

    t: float
    exists: np.ndarray
    stage: np.ndarray
    kind: np.ndarray  # OPEN/WON/LOST; meaningful where exists
    entered: np.ndarray  # when the current stage was entered
    closed_at: np.ndarray  # when it entered its closed stage (NaN if open)
    n_changes: np.ndarray
    last_touch: np.ndarray  # last activity created/done, else creation
    has_activity: np.ndarray
    next_due: np.ndarray  # earliest due of open activities (NaN = no next step)
    answers_yes: np.ndarray
    answers_no: np.ndarray
    date_fields: np.ndarray  # (n, N_DATE_FIELDS): latest known value of each dated field
    milestones_actual: np.ndarray

    @property
    def open(self) -> np.ndarray:
        return self.exists & (self.kind == OPEN)

    @property
    def target_date(self) -> np.ndarray:
        """The planned close: contract planned > decision date > expected close date."""
        d = self.date_fields
        out = d[:, F_CONTRACT_PLANNED].copy()
        for f in (F_DECISION, F_EXPECTED_CLOSE):
            out = np.where(np.isnan(out), d[:, f], out)
        return out


def _last_per_deal(deal: np.ndarray) -> np.ndarray:
    """Positions of the last row of each deal in an array sorted by deal."""
    if not len(deal):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[deal[1:] != deal[:-1], True])


def state(frame: Frame) -> State:
    n = frame.n_deals
    t = frame.t
    stage = frame.initial_stage.copy()
    entered = frame.created.copy()
    last = _last_per_deal(frame.ch_deal)
    ld = frame.ch_deal[last]
    stage[ld] = frame.ch_to[last]
    entered[ld] = frame.ch_at[last]
    kind = frame.stage_kind[stage]
    closed_at = np.where(kind != OPEN, entered, np.nan)
    n_changes = np.bincount(frame.ch_deal, minlength=n)

    touch = np.fmax(frame.act_created, frame.act_done)
    last_touch = frame.created.copy()
    if len(touch):
        np.fmax.at(last_touch, frame.act_deal, touch)
    has_act = np.bincount(frame.act_deal, minlength=n) > 0

    next_due = np.full(n, np.nan)
    pending = np.isnan(frame.act_done) & ~np.isnan(frame.act_due)
    if pending.any():
        np.fmin.at(next_due, frame.act_deal[pending], frame.act_due[pending])
    next_due = np.where(np.isnan(next_due), frame.next_step_due, next_due)

    yes = np.bincount(frame.ans_deal, weights=frame.ans_value > 0, minlength=n)
    no = np.bincount(frame.ans_deal, weights=frame.ans_value < 0, minlength=n)

    date_fields = np.full((n, N_DATE_FIELDS), np.nan)
    if len(frame.dates_deal):
        o = np.lexsort((frame.dates_known, frame.dates_field, frame.dates_deal))
        dd, ff, vv = frame.dates_deal[o], frame.dates_field[o], frame.dates_value[o]
        key = dd * N_DATE_FIELDS + ff
        lp = _last_per_deal(key)
        date_fields[dd[lp], ff[lp]] = vv[lp]
    ms_actual = np.bincount(frame.msa_deal, minlength=n)
    return State(
        t=t,
        exists=frame.exists.copy(),
        stage=stage,
        kind=kind,
        entered=entered,
        closed_at=closed_at,
        n_changes=n_changes,
        last_touch=last_touch,
        has_activity=has_act,
        next_due=next_due,
        answers_yes=yes,
        answers_no=no,
        date_fields=date_fields,
        milestones_actual=ms_actual,
    )


def state_at(frame: Frame, t: float) -> State:
    return state(as_of(frame, t))
