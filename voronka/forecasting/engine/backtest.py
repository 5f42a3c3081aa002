"""Rolling-origin replay: at the start of each period, cut the history (``as_of``), fit on
what was known, forecast the period, then compare with what happened.

Deal scores: every deal open at a period start, its predicted P(won) and the outcome as of
the end of the history (won = 1; lost or still open = 0). Brier, log loss and the
reliability table use the "settled" rows: scored at least the label horizon (90th
percentile of the time to a win) before the end of the history, so deals that are simply
not won *yet* do not count as losses. Baselines on the same rows: the
stage's fixed default probability, and the stage's historic win rate (as of the cut).
Period baseline: the classic weighted pipeline, amount x default probability over open
deals with a planned date inside the period or no planned date at all.

The history ends at its last record (a deal created, a stage change, an activity, an
answer), which for an export read long after it was made lies well before the load time:
the rows are settled against that end, and a period that begins after it is not forecast
(``after_history``), since nothing of it was recorded. Outcomes are read at the load time.

A period that starts before any deal is known (a range reaching back before the history)
is not forecast: there is nothing to learn from or to project, so it is listed as
skipped, with what was won in it, and stays out of MAPE and the P10-P90 coverage. So is a
period that starts before any of the deals forecast had closed (won or lost), or before
MIN_CLOSED of them had: the forecast made then rests on the stages' default
probabilities and the default pace alone, or mostly (a stage's chance weighs its closed
deals against STAGE_PRIOR deals' worth of its default), so it would measure the settings
and not the model. Its deals are not scored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .asof import as_of, state
from .closedate import STAGE_PRIOR, win_horizon
from .data import OPEN, WON, Frame, from_days, to_days
from .forecaster import fit
from .period import add_months, forecast_period

# closed deals a replayed period needs before its start to be forecast: the weight of a
# stage's default probability in its chance, so that what was learned outweighs it
MIN_CLOSED = STAGE_PRIOR


@dataclass(frozen=True)
class PeriodRow:
    start: date
    end: date
    expected: float
    p10: float
    p50: float
    p90: float
    actual: float
    baseline: float  # weighted pipeline
    n_open: int
    fit_seconds: float
    plan: float | None = None  # the plan as known at the period start
    prob_meet_plan: float | None = None


@dataclass(frozen=True)
class SkippedPeriod:
    """A period not forecast: no deal was known at its start (``no_deal_known``), none of
    the deals forecast had closed yet (``no_deal_closed``) or fewer than MIN_CLOSED
    (``few_deals_closed``), or it begins after the last record of the history
    (``after_history``)."""

    start: date
    end: date
    actual: float
    reason: str = "no_deal_known"


@dataclass(frozen=True, eq=False)
class ScoredDeals:
    deal_id: np.ndarray
    external_id: np.ndarray
    as_of: np.ndarray  # float days
    p: np.ndarray
    p_stage_default: np.ndarray
    p_stage_rate: np.ndarray
    outcome: np.ndarray  # bool
    settled: np.ndarray  # bool: the history goes on long enough after as_of to know it


@dataclass(frozen=True)
class Metrics:
    n: int
    brier: float
    log_loss: float
    reliability: list[dict]


@dataclass(frozen=True, eq=False)
class BacktestResult:
    periods: list[PeriodRow]
    deals: ScoredDeals = field(repr=False)
    model: Metrics
    stage_default: Metrics
    stage_rate: Metrics
    mape: float | None
    baseline_mape: float | None
    coverage: float | None
    seconds: float
    skipped: list[SkippedPeriod] = field(default_factory=list)

    def to_json(self) -> dict:
        d = self.deals
        return {
            "periods": [
                {
                    "start": r.start.isoformat(),
                    "end": r.end.isoformat(),
                    "expected": r.expected,
                    "p10": r.p10,
                    "p50": r.p50,
                    "p90": r.p90,
                    "actual": r.actual,
                    "baseline": r.baseline,
                    "plan": r.plan,
                    "prob_meet_plan": r.prob_meet_plan,
                }
                for r in self.periods
            ],
            "skipped_periods": [
                {
                    "start": r.start.isoformat(),
                    "end": r.end.isoformat(),
                    "actual": r.actual,
                    "reason": r.reason,
                }
                for r in self.skipped
            ],
            "deals": [
                {
                    "id": int(d.deal_id[i]),
                    "external_id": str(d.external_id[i]),
                    "as_of": from_days(float(d.as_of[i])).date().isoformat(),
                    "p": round(float(d.p[i]), 6),
                    "p_stage_default": round(float(d.p_stage_default[i]), 6),
                    "outcome": int(d.outcome[i]),
                    "settled": bool(d.settled[i]),
                }
                for i in range(len(d.deal_id))
            ],
            "metrics": self.summary(),
        }

    def summary(self) -> dict:
        def m(x: Metrics) -> dict:
            return {"n": x.n, "brier": x.brier, "log_loss": x.log_loss}

        return {
            "model": m(self.model),
            "stage_default": m(self.stage_default),
            "stage_rate": m(self.stage_rate),
            "reliability": self.model.reliability,
            "mape": self.mape,
            "baseline_mape": self.baseline_mape,
            "p10_p90_coverage": self.coverage,
            "periods": len(self.periods),
            "periods_skipped": len(self.skipped),
            "seconds": self.seconds,
        }


def score(p: np.ndarray, y: np.ndarray, bins: int = 10) -> Metrics:
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    y = np.asarray(y, dtype=float)
    if not len(p):
        return Metrics(0, float("nan"), float("nan"), [])
    pc = np.clip(p, 1e-6, 1 - 1e-6)
    ll = float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc)))
    b = np.minimum((p * bins).astype(int), bins - 1)
    rel = []
    for k in range(bins):
        m = b == k
        if m.any():
            rel.append(
                {
                    "bin": f"{k / bins:.1f}-{(k + 1) / bins:.1f}",
                    "n": int(m.sum()),
                    "predicted": float(p[m].mean()),
                    "observed": float(y[m].mean()),
                }
            )
    return Metrics(int(len(p)), float(np.mean((p - y) ** 2)), ll, rel)


def period_starts(start: date, end: date, period: str) -> list[tuple[date, date]]:
    step = {"month": 1, "quarter": 3}.get(period)
    if step is None:
        raise ValueError("period must be month or quarter")
    first = date(start.year, start.month, 1)
    if period == "quarter":
        first = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    if first < start:
        first = add_months(first, step)
    out = []
    while first < end:
        out.append((first, add_months(first, step)))
        first = add_months(first, step)
    return out


def history_end(frame: Frame) -> float:
    """The moment of the history's last record, at most the load time ``frame.t``: the
    latest deal creation, stage change, activity (created or done) or answer."""
    parts = [
        frame.created[frame.exists],
        frame.ch_at,
        frame.act_created,
        frame.act_done,
        frame.ans_at,
    ]
    seen = [float(np.nanmax(p)) for p in parts if len(p) and not np.isnan(p).all()]
    return min(max(seen), frame.t) if seen else frame.t


def run_backtest(
    frame: Frame,
    start: date,
    end: date,
    period: str = "month",
    mask: np.ndarray | None = None,
    seed: int = 0,
    n_sims: int = 2000,
    plans: Callable[[date, date], float | None] | None = None,
) -> BacktestResult:
    """Replay periods starting in [start, end) that ended by the end of the history.

    ``plans(start, end)``, when given, returns the plan of the period as it was known at
    its start (or None); the forecast then also gives the probability of meeting it.
    """
    t0 = time.perf_counter()
    final = state(frame)
    mask = np.ones(frame.n_deals, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    won_final = final.exists & (final.kind == WON)
    last = history_end(frame)
    rows: list[PeriodRow] = []
    skipped: list[SkippedPeriod] = []
    cols: dict[str, list] = {k: [] for k in ("id", "ext", "asof", "p", "pd", "pr", "y")}
    for ps, pe in period_starts(start, end, period):
        a, b = to_days(ps), to_days(pe)
        if b > frame.t:
            break
        actual = float(
            np.nansum(
                frame.amount[won_final & mask & (final.closed_at >= a) & (final.closed_at < b)]
            )
        )
        if a > last:
            skipped.append(SkippedPeriod(ps, pe, actual, "after_history"))
            continue
        cut = as_of(frame, a)
        st = state(cut)
        if not st.exists.any():
            skipped.append(SkippedPeriod(ps, pe, actual))
            continue
        n_closed = int((st.exists & mask & (st.kind != OPEN)).sum())
        if n_closed < MIN_CLOSED:
            why = "few_deals_closed" if n_closed else "no_deal_closed"
            skipped.append(SkippedPeriod(ps, pe, actual, why))
            continue
        model = fit(cut, seed=seed)
        open_all = np.flatnonzero(st.exists & (st.kind == OPEN))
        p = model.predict(cut, st, open_all)
        plan = plans(ps, pe) if plans is not None else None
        fc = forecast_period(
            model, cut, a, b, plan=plan, mask=mask, seed=seed, n_sims=n_sims, st=st, p_win=p
        )
        sel = open_all[mask[open_all]]
        pm = p[mask[open_all]]
        stage = st.stage[sel]
        # the stage's historic win rate from entry (no ageing, no deal features)
        allst = np.arange(frame.n_stages)
        rate0 = model.timing.remaining_win(allst, np.zeros(frame.n_stages))
        n_ex = model.timing.n_exits
        rate = (n_ex * rate0 + 20.0 * frame.stage_default_p) / (n_ex + 20.0)
        target = st.target_date[sel]
        in_period = np.isnan(target) | ((target >= a) & (target < b))
        baseline = float(
            (np.nan_to_num(frame.amount[sel]) * frame.stage_default_p[stage] * in_period).sum()
        )
        rows.append(
            PeriodRow(
                ps,
                pe,
                fc.expected,
                fc.p10,
                fc.p50,
                fc.p90,
                actual,
                baseline,
                len(sel),
                model.fit_seconds,
                plan,
                fc.prob_meet_plan,
            )
        )
        cols["id"].append(frame.deal_ids[sel])
        cols["ext"].append(frame.external_ids[sel])
        cols["asof"].append(np.full(len(sel), a))
        cols["p"].append(pm)
        cols["pd"].append(frame.stage_default_p[stage])
        cols["pr"].append(rate[stage])
        cols["y"].append(won_final[sel])

    def cat(k, dtype=float):
        return np.concatenate(cols[k]) if cols[k] else np.zeros(0, dtype=dtype)

    asof_days = cat("asof")
    # Outcomes are read at the end of the history; a deal scored shortly before its last
    # record may still be won later, so the metrics use rows at least the label horizon
    # before that record.
    settle = win_horizon(frame, final)
    deals = ScoredDeals(
        cat("id", np.int64),
        cat("ext", object),
        asof_days,
        cat("p"),
        cat("pd"),
        cat("pr"),
        cat("y", bool),
        asof_days + settle <= last,
    )
    ok = deals.settled
    act = np.array([r.actual for r in rows])
    exp = np.array([r.expected for r in rows])
    base = np.array([r.baseline for r in rows])
    pos = act > 0
    mape = float(np.mean(np.abs(exp[pos] - act[pos]) / act[pos])) if pos.any() else None
    bmape = float(np.mean(np.abs(base[pos] - act[pos]) / act[pos])) if pos.any() else None
    cover = float(np.mean([r.p10 <= r.actual <= r.p90 for r in rows])) if rows else None
    return BacktestResult(
        periods=rows,
        deals=deals,
        model=score(deals.p[ok], deals.outcome[ok]),
        stage_default=score(deals.p_stage_default[ok], deals.outcome[ok]),
        stage_rate=score(deals.p_stage_rate[ok], deals.outcome[ok]),
        mape=mape,
        baseline_mape=bmape,
        coverage=cover,
        seconds=time.perf_counter() - t0,
        skipped=skipped,
    )


def format_report(r: BacktestResult) -> str:
    lines = [
        f"{'period':<12}{'expected':>14}{'P10':>14}{'P90':>14}{'actual':>14}{'weighted':>14}",
    ]
    for p in r.periods:
        lines.append(
            f"{p.start.isoformat():<12}{p.expected:>14,.0f}{p.p10:>14,.0f}{p.p90:>14,.0f}"
            f"{p.actual:>14,.0f}{p.baseline:>14,.0f}"
        )
    lines.append("")
    lines.append(f"{'probabilities':<16}{'n':>10}{'Brier':>10}{'log loss':>10}")
    for name, m in (
        ("model", r.model),
        ("stage default", r.stage_default),
        ("stage rate", r.stage_rate),
    ):
        lines.append(f"{name:<16}{m.n:>10}{m.brier:>10.4f}{m.log_loss:>10.4f}")
    lines.append("")
    lines.append("reliability (model): bin, n, predicted, observed")
    for b in r.model.reliability:
        lines.append(f"  {b['bin']}  {b['n']:>8}  {b['predicted']:.3f}  {b['observed']:.3f}")
    lines.append("")

    def pct(v):
        return "n/a" if v is None else f"{100 * v:.1f}%"

    lines.append(
        f"MAPE of the period forecast: {pct(r.mape)} (weighted pipeline: {pct(r.baseline_mape)})"
    )
    lines.append(f"actual inside P10-P90: {pct(r.coverage)} of {len(r.periods)} periods")
    why = {
        "no_deal_known": "no deal known at its start",
        "no_deal_closed": "no deal closed before it (stage defaults only)",
        "few_deals_closed": f"fewer than {MIN_CLOSED} deals closed before it (mostly defaults)",
        "after_history": "it begins after the history's last record",
    }
    for k in r.skipped:
        lines.append(
            f"not forecast, {why[k.reason]}: {k.start.isoformat()} (won in it: {k.actual:,.0f})"
        )
    return "\n".join(lines)
