"""The final-stage check: will 90% of the deals at the last open stage close by the date
promised, which deals put that at risk, and do they suffice for the plan?"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .asof import State, state
from .data import OPEN, WON, Frame, to_days
from .forecaster import ForecastModel


@dataclass(frozen=True, eq=False)
class FinalStageCheck:
    n_deals: int  # at the final open stage with a planned date before the period end
    n_without_date: int  # at the final open stage with no planned date at all
    share_expected: float  # expected share closing (won) by their planned date
    threshold: float
    prob_reach_threshold: float
    reaches_threshold: bool  # prob_reach_threshold >= 0.5
    expected_amount: float  # won so far + expected from these deals by the period end
    plan: float | None
    prob_meet_plan: float | None
    suffices: bool | None
    deal_index: np.ndarray = field(repr=False)
    p_by_date: np.ndarray = field(repr=False)
    at_risk: np.ndarray = field(repr=False)  # frame rows, most amount at risk first


def poisson_binomial(p: np.ndarray) -> np.ndarray:
    """P(K = k), k = 0..n, for a sum of independent Bernoulli(p_i)."""
    dist = np.zeros(len(p) + 1)
    dist[0] = 1.0
    for i, q in enumerate(p):
        dist[1 : i + 2] = dist[1 : i + 2] * (1 - q) + dist[: i + 1] * q
        dist[0] *= 1 - q
    return dist


def final_stage_check(
    model: ForecastModel,
    frame: Frame,
    start: float | date,
    end: float | date,
    plan: float | None = None,
    mask: np.ndarray | None = None,
    threshold: float = 0.9,
    seed: int = 0,
    n_sims: int = 4000,
    st: State | None = None,
) -> FinalStageCheck:
    start = to_days(start) if isinstance(start, date) else float(start)
    end = to_days(end) if isinstance(end, date) else float(end)
    st = st if st is not None else state(frame)
    t = st.t
    mask = np.ones(frame.n_deals, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    at_final = st.exists & mask & (st.kind == OPEN) & frame.stage_is_final_open[st.stage]
    target = st.target_date
    idx = np.flatnonzero(at_final & (target < end))
    no_date = int((at_final & np.isnan(target)).sum())
    won_now = st.exists & mask & (st.kind == WON) & (st.closed_at >= start) & (st.closed_at < end)
    won_so_far = float(np.nansum(frame.amount[won_now]))

    p_win = model.predict(frame, st, idx)
    q = np.zeros(len(idx))
    amount = np.nan_to_num(frame.amount[idx])
    # one call per distinct planned date (not per deal): thousands of deals share few dates
    ends = target[idx] + 1.0
    live = ends > t
    for d in np.unique(ends[live]):
        sel = np.flatnonzero(live & (ends == d))
        q[sel] = p_win[sel] * model.window_share(frame, st, idx[sel], t, float(d))
    n = len(idx)
    if n:
        dist = poisson_binomial(q)
        need = math.ceil(threshold * n - 1e-9)
        prob = float(dist[need:].sum())
    else:
        prob = 0.0
    # by the period end (not only by the planned date)
    q_end = p_win * model.window_share(frame, st, idx, t, end) if n else q
    rng = np.random.default_rng(seed)
    totals = won_so_far + (
        amount @ (rng.random((n, n_sims)) < q_end[:, None]) if n else np.zeros(n_sims)
    )
    prob_plan = float((totals >= plan).mean()) if plan is not None else None
    risk = (1 - q) * amount
    order = np.argsort(-risk, kind="stable")
    return FinalStageCheck(
        n_deals=n,
        n_without_date=no_date,
        share_expected=float(q.mean()) if n else 0.0,
        threshold=threshold,
        prob_reach_threshold=prob,
        reaches_threshold=prob >= 0.5,
        expected_amount=won_so_far + float((amount * q_end).sum()),
        plan=plan,
        prob_meet_plan=prob_plan,
        suffices=None if prob_plan is None else prob_plan >= 0.5,
        deal_index=idx,
        p_by_date=q,
        at_risk=idx[order][:10],
    )
