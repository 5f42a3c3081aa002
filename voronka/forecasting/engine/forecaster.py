"""Fit everything the forecast needs on one cut of history."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from .asof import State, state
from .closedate import TimingModel, fit_timing
from .data import OPEN, WON, Frame, add_months, from_days, to_days
from .probability import ProbabilityModel, fit_probability

RATE_WINDOW_DAYS = 180.0
BIN_DAYS = 30.0
MIN_COHORT = 20


@dataclass(frozen=True, eq=False)
class ForecastModel:
    t: float  # the cut it was fitted on
    timing: TimingModel
    probability: ProbabilityModel
    # sd of the common log-multiplier of win chances per period: how much monthly cohorts'
    # win rates vary, and how well the rate is known from the deals closed so far
    conversion_sigma: float
    count_dispersion: float  # relative variance of the deal-creation rate per period
    fit_seconds: float
    # sd of a log-normal factor on what is still to be won, for what the model does not
    # explain: measured on the latest months of the history (``period.interval_spread``)
    interval_tau: float = 0.0
    # the share of a month's wins against the forecast by its place in the quarter (first,
    # second, third month): measured on the latest months (``period.calendar_factors``)
    calendar: np.ndarray = field(default_factory=lambda: np.ones(3))
    # whether any deal had been won by the cut: without one neither the win rate nor the
    # time to a win is measured, and the period's range starts at what is won already
    has_wins: bool = True

    def predict(self, frame: Frame, st: State, idx: np.ndarray) -> np.ndarray:
        return self.probability.predict(frame, st, idx)

    def window_share(
        self, frame: Frame, st: State, idx: np.ndarray, start: float, end: float
    ) -> np.ndarray:
        """The share of open deals' remaining win chance inside (max(start, t), end]: the
        timing model's, weighed by the calendar factor of those days (at most 1)."""
        share = self.timing.window_share(frame, st, idx, start, end)
        cal = calendar_weight(self.calendar, max(start, st.t), end)
        return share if cal == 1.0 else np.minimum(share * cal, 1.0)


def calendar_weight(factors: np.ndarray, lo: float, end: float) -> float:
    """The calendar factor of the days in [lo, end) (``factors``: first, second, third
    month of a quarter), against the mean of the three: a whole quarter weighs 1."""
    if end <= lo or np.allclose(factors, 1.0):
        return 1.0
    day = from_days(lo).date().replace(day=1)
    total, a = 0.0, lo
    while a < end:
        nxt = add_months(day, 1)
        b = min(to_days(nxt), end)
        total += float(factors[(day.month - 1) % 3]) * (b - a)
        day, a = nxt, b
    return total / (end - lo) / float(np.mean(factors))


def fit(frame: Frame, seed: int = 0) -> ForecastModel:
    """``frame`` must already be cut (``as_of``); nothing after ``frame.t`` is visible."""
    t0 = time.perf_counter()
    st = state(frame)
    timing = fit_timing(frame, st)
    prob = fit_probability(frame, timing, st, seed=seed)
    sigma = float(
        np.hypot(
            conversion_sigma(frame, st, prob.horizon, timing.follow_from), level_uncertainty(st)
        )
    )
    disp = count_dispersion(frame, timing.follow_from)
    model = ForecastModel(
        t=frame.t,
        timing=timing,
        probability=prob,
        conversion_sigma=sigma,
        count_dispersion=disp,
        fit_seconds=0.0,
        has_wins=bool((st.exists & (st.kind == WON)).any()),
    )
    from .period import calendar_factors, interval_spread, month_misses  # builds on this

    misses = month_misses(model, frame, st, seed=seed)
    factors = calendar_factors(misses)
    tau = interval_spread(misses)
    return replace(model, calendar=factors, interval_tau=tau, fit_seconds=time.perf_counter() - t0)


def count_dispersion(frame: Frame, follow_from: float = -np.inf) -> float:
    """Relative variance of deals created per 30 days beyond Poisson (method of moments),
    over the last year from the first move on (``conversion_sigma`` says why)."""
    c = frame.created[frame.exists]
    if len(c) < 2:
        return 0.0
    t = frame.t
    start = max(float(c.min()), follow_from, t - 365.0)
    nbins = int((t - start) // BIN_DAYS)
    if nbins < 3:
        return 0.0
    edges = t - BIN_DAYS * np.arange(nbins, -1, -1)
    counts = np.histogram(c, bins=edges)[0].astype(float)
    mu = counts.mean()
    if mu <= 0:
        return 0.0
    return float(max(counts.var(ddof=1) - mu, 0.0) / mu**2)


def level_uncertainty(st: State) -> float:
    """Relative sd of the win rate as estimated from the deals closed so far: with n_won
    wins out of n closed, sqrt((1 - rate) / n_won) (binomial). Negligible on a long history;
    on a young one (a few dozen closed deals) it is what keeps the range honest. No closed
    deal at all: 1.0."""
    closed = st.exists & (st.kind != OPEN)
    n = int(closed.sum())
    n_won = int((closed & (st.kind == WON)).sum())
    if n == 0 or n_won == 0:
        return 1.0
    return float(min(np.sqrt((1.0 - n_won / n) / n_won), 1.0))


def conversion_sigma(
    frame: Frame, st: State, horizon: float, follow_from: float = -np.inf
) -> float:
    """How much the win rate of monthly creation cohorts varies beyond binomial noise
    (cohorts old enough that their outcomes are known), as a relative sd.

    Only cohorts created from ``follow_from`` on (the first move out of an open stage,
    ``closedate.follow_up_start``): in an export of the deals closed since some date, the
    cohorts of before it lack their quick deals, and their win rates differ by how much
    of each was cut, not by how conversion varies. A one-row-per-opportunity export read
    so said 0.15-0.22 where its complete cohorts say under 0.08: its month ranges were
    +-40% around forecasts that missed by about 10%."""
    t = frame.t
    ex = frame.exists & (frame.created <= t - horizon) & (frame.created >= t - 730.0 - horizon)
    ex &= frame.created >= follow_from
    if ex.sum() < 3 * MIN_COHORT:
        return 0.0
    c = frame.created[ex]
    won = (st.kind[ex] == WON).astype(float)
    b = np.floor((c - c.min()) / BIN_DAYS).astype(np.int64)
    n = np.bincount(b).astype(float)
    w = np.bincount(b, weights=won)
    ok = n >= MIN_COHORT
    if ok.sum() < 3:
        return 0.0
    r = w[ok] / n[ok]
    mean = r.mean()
    if mean <= 0:
        return 0.0
    excess = r.var(ddof=1) - np.mean(r * (1 - r) / n[ok])
    return float(np.sqrt(max(excess, 0.0)) / mean)
