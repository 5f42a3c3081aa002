"""Fit everything the forecast needs on one cut of history."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .asof import State, state
from .closedate import TimingModel, fit_timing
from .data import WON, Frame
from .probability import ProbabilityModel, fit_probability

RATE_WINDOW_DAYS = 180.0
BIN_DAYS = 30.0
MIN_COHORT = 20


@dataclass(frozen=True, eq=False)
class ForecastModel:
    t: float  # the cut it was fitted on
    timing: TimingModel
    probability: ProbabilityModel
    conversion_sigma: float  # sd of the common log-multiplier of win chances per period
    count_dispersion: float  # relative variance of the deal-creation rate per period
    fit_seconds: float

    def predict(self, frame: Frame, st: State, idx: np.ndarray) -> np.ndarray:
        return self.probability.predict(frame, st, idx)


def fit(frame: Frame, seed: int = 0) -> ForecastModel:
    """``frame`` must already be cut (``as_of``); nothing after ``frame.t`` is visible."""
    t0 = time.perf_counter()
    st = state(frame)
    timing = fit_timing(frame, st)
    prob = fit_probability(frame, timing, st, seed=seed)
    sigma = conversion_sigma(frame, st, prob.horizon)
    disp = count_dispersion(frame)
    return ForecastModel(
        t=frame.t,
        timing=timing,
        probability=prob,
        conversion_sigma=sigma,
        count_dispersion=disp,
        fit_seconds=time.perf_counter() - t0,
    )


def count_dispersion(frame: Frame) -> float:
    """Relative variance of deals created per 30 days beyond Poisson (method of moments)."""
    c = frame.created[frame.exists]
    if len(c) < 2:
        return 0.0
    t = frame.t
    start = max(float(c.min()), t - 365.0)
    nbins = int((t - start) // BIN_DAYS)
    if nbins < 3:
        return 0.0
    edges = t - BIN_DAYS * np.arange(nbins, -1, -1)
    counts = np.histogram(c, bins=edges)[0].astype(float)
    mu = counts.mean()
    if mu <= 0:
        return 0.0
    return float(max(counts.var(ddof=1) - mu, 0.0) / mu**2)


def conversion_sigma(frame: Frame, st: State, horizon: float) -> float:
    """How much the win rate of monthly creation cohorts varies beyond binomial noise
    (cohorts old enough that their outcomes are known), as a relative sd."""
    t = frame.t
    ex = frame.exists & (frame.created <= t - horizon) & (frame.created >= t - 730.0 - horizon)
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
