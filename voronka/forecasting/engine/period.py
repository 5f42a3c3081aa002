"""The won-revenue distribution of a period (month, quarter) as of a cut.

total = won so far in the period
      + sum over open deals of Bernoulli(P(won) * share of that chance inside the period) x amount
      + deals not created yet: Poisson(rate x days) of them, each won inside the period with
        the cohort chance for the days it has left, amount drawn from recent won amounts
        (those quick enough to fit in the period, ``_new_deal_amounts``).

Monte Carlo, vectorised and seeded (same seed -> same numbers). The deals that carry most
of the variance are simulated one by one; the long tail of small contributions is added as
a normal with its exact mean and variance (hybrid, so 100,000 open deals stay fast). Two
common factors, both measured from the history, widen the range beyond independent coins:
a period multiplier of the creation rate (gamma, its variance from monthly creation counts)
and a period multiplier of win chances (log-normal, its sd from the spread of monthly
cohort win rates).

What the model still does not explain (timing that shifts, a change in deal sizes, an
import's quirks) is measured when it is fitted: the fitted model forecasts each of the last
few calendar months from the state at that month's start and is compared with what was won
in it (``interval_spread``). Where the misses are larger than the model's own spread says,
the difference becomes one more log-normal factor on what is still to be won; where they
are not, nothing changes. The expected value is unchanged. The same replays, twelve
months of them, give the calendar (``calendar_factors``): how a quarter's first, second and
last month missed by their place in it, which scales what is still to be won in a month
(the deals' window share, ``ForecastModel.window_share``, and the inflow's).

A history in which no deal has been won yet measures neither the win rate nor the time to a
win: the forecast then rests on the stages' default probabilities and a default time to
close, and its P10 is what is already won in the period (nothing more may be won).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .asof import State, as_of, state
from .data import OPEN, WON, Frame, add_months, from_days, to_days
from .forecaster import RATE_WINDOW_DAYS, ForecastModel, calendar_weight

EXACT_DEALS = 2000
N_SIMS = 4000
SPREAD_MONTHS = 6  # latest months whose misses measure the interval's extra spread
CALENDAR_MONTHS = 12  # months replayed; their misses by place in the quarter: the calendar
# the spread of the places' misses must exceed this many times its noise for a calendar to
# be read at all: misses that are pure noise get past it about once in twenty (simulated:
# 3%, 5%, 5% of histories with 6, 9, 12 months; a chi-square on 2 df would say exp(-4),
# but the months' differences from their neighbours overlap)
CALENDAR_EVIDENCE = 4.0
SPREAD_PRIOR = 2.0  # months' worth of "no extra spread" the estimate is shrunk with
SPREAD_SIMS = 1000
MIN_POOL = 20
MAX_AMOUNT_DRAWS = 4_000_000


class PeriodError(ValueError):
    pass


_PERIOD_RE = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|[Qq]([1-4]))$")


def parse_period(text: str) -> tuple[date, date]:
    """'2026-03' -> (2026-03-01, 2026-04-01); '2026-Q2' -> (2026-04-01, 2026-07-01)."""
    m = _PERIOD_RE.match(text.strip()) if isinstance(text, str) else None
    if not m:
        raise PeriodError("period must look like 2026-03 or 2026-Q1")
    year = int(m.group(1))
    first = int(m.group(2)) if m.group(2) else (int(m.group(3)) - 1) * 3 + 1
    months = 1 if m.group(2) else 3
    return date(year, first, 1), add_months(date(year, first, 1), months)


@dataclass(frozen=True, eq=False)
class PeriodForecast:
    start: float
    end: float
    as_of: float
    expected: float
    p10: float
    p50: float
    p90: float
    won_so_far: float
    open_expected: float
    new_expected: float
    plan: float | None
    prob_meet_plan: float | None
    gap: float | None  # plan - expected (positive = short of plan)
    coverage: float | None  # open weighted pipeline / (plan - won so far)
    deal_index: np.ndarray = field(repr=False)  # open deals considered (frame rows)
    p_win: np.ndarray = field(repr=False)
    p_in_period: np.ndarray = field(repr=False)
    amount_used: np.ndarray = field(repr=False)
    movers: np.ndarray = field(repr=False)  # frame rows of deals moving the outcome most
    samples: np.ndarray = field(repr=False)


def _won_bases(frame: Frame, st: State, mask: np.ndarray, before: float) -> list[np.ndarray]:
    """The deals won before ``before`` (so a win inside the period never lowers the rest)
    with an amount, in the order their amounts are looked for: the scope's in the last
    year, the scope's, everyone's in the last year, everyone's."""
    won = st.exists & (st.kind == WON) & ~np.isnan(frame.amount) & (st.closed_at < before)
    recent = won & (st.closed_at >= before - 365.0)
    return [recent & mask, won & mask, recent, won]


def _won_amount_pool(frame: Frame, st: State, mask: np.ndarray, before: float) -> np.ndarray:
    """Amounts of deals won before the period: the first of ``_won_bases`` with MIN_POOL
    deals, or any at all."""
    bases = _won_bases(frame, st, mask, before)
    for base in bases:
        if base.sum() >= MIN_POOL or (base is bases[-1] and base.any()):
            return frame.amount[base]
    have = st.exists & ~np.isnan(frame.amount)
    if have.any():
        return np.array([float(np.median(frame.amount[have]))])
    return np.array([0.0])


def _new_deal_amounts(
    frame: Frame, st: State, mask: np.ndarray, span: float, before: float
) -> tuple[np.ndarray, np.ndarray]:
    """Amounts for the deals not created yet that are won inside a span of ``span`` days,
    with their weights (summing to 1).

    A deal won ``c`` days after its creation is created and won inside the span only if it
    is created in its first ``span - c`` days, so the won deals' amounts are weighed by
    ``max(span - c, 0)``: the quickest count most. Quick wins are often the small deals;
    the deals won within twice the span, unweighed, gave a month's new deals 48% more than
    the wins of the deals created in it on the demo bases (287,000 against 194,000 each).
    Where fewer than MIN_POOL won deals are that quick, ``_won_amount_pool``'s amounts,
    unweighed."""
    fit = np.maximum(span - (st.closed_at - frame.created), 0.0)
    for base in _won_bases(frame, st, mask, before):
        quick = base & (fit > 0)
        if quick.sum() >= MIN_POOL:
            w = fit[quick]
            return frame.amount[quick], w / w.sum()
        if base.sum() >= MIN_POOL:
            break
    pool = _won_amount_pool(frame, st, mask, before)
    return pool, np.full(len(pool), 1.0 / len(pool))


def forecast_period(
    model: ForecastModel,
    frame: Frame,
    start: float | date,
    end: float | date,
    plan: float | None = None,
    mask: np.ndarray | None = None,
    seed: int = 0,
    n_sims: int = N_SIMS,
    st: State | None = None,
    p_win: np.ndarray | None = None,
) -> PeriodForecast:
    """Forecast won revenue in [start, end) from the cut ``frame`` (its ``t`` is "now").

    ``mask`` (bool per deal row) restricts to a team or a rep. ``p_win`` may pass
    already-computed win probabilities of the open deals (same order as ``st.open``).
    Deals without an amount count with amounts drawn from recent won deals.
    """
    start = to_days(start) if isinstance(start, date) else float(start)
    end = to_days(end) if isinstance(end, date) else float(end)
    if end <= start:
        raise PeriodError("the period ends before it starts")
    if plan is not None and (plan != plan or plan < 0):
        raise PeriodError("a plan cannot be negative")
    st = st if st is not None else state(frame)
    t = st.t
    mask = np.ones(frame.n_deals, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    rng = np.random.default_rng(seed)

    won_now = st.exists & mask & (st.kind == WON) & (st.closed_at >= start) & (st.closed_at < end)
    won_so_far = float(np.nansum(frame.amount[won_now]))

    open_all = np.flatnonzero(st.exists & (st.kind == OPEN))
    if p_win is None:
        p_all = model.predict(frame, st, open_all)
    else:
        p_all = np.asarray(p_win, dtype=float)
    keep = mask[open_all]
    idx = open_all[keep]
    pw = p_all[keep]
    share = model.window_share(frame, st, idx, start, end)
    p = np.clip(pw * share, 0.0, 1.0)

    pool = _won_amount_pool(frame, st, mask, min(start, t))
    pool_mean = float(pool.mean())
    pool_sq = float((pool**2).mean())
    amt = frame.amount[idx]
    miss = np.isnan(amt)
    a_mean = np.where(miss, pool_mean, amt)
    a_sq = np.where(miss, pool_sq, np.nan_to_num(amt) ** 2)
    open_expected = float((a_mean * p).sum())

    # new deals
    lo = max(start, t)
    days = max(end - lo, 0.0)
    created = frame.created[frame.exists & mask]
    window = 1.0
    if frame.exists.any():
        # creations before the first move may be missing (an export of the deals closed
        # since a date lacks the quick ones of before it): the rate is read from then on
        since = max(float(frame.created[frame.exists].min()), model.timing.follow_from)
        window = min(RATE_WINDOW_DAYS, max(t - since, 1.0))
    rate = float(((created >= t - window) & (created <= t)).sum()) / window
    if days > 0 and rate > 0:
        grid = lo + (np.arange(64) + 0.5) * days / 64
        cal = calendar_weight(model.calendar, lo, end)
        q_bar = min(float(model.timing.created_win_share(None, end - grid).mean()) * cal, 1.0)
    else:
        q_bar = 0.0
    new_pool, new_w = _new_deal_amounts(frame, st, mask, max(end - lo, 1.0), min(start, t))
    new_mean = float(new_pool @ new_w)
    lam = rate * days * q_bar
    new_expected = lam * new_mean

    # Monte Carlo
    sigma = model.conversion_sigma
    mult = (
        np.exp(sigma * rng.standard_normal(n_sims) - sigma**2 / 2) if sigma > 0 else np.ones(n_sims)
    )
    var_c = a_sq * p - (a_mean * p) ** 2
    order = np.argsort(-var_c, kind="stable")
    ex = order[:EXACT_DEALS]
    tail = order[EXACT_DEALS:]
    total = np.full(n_sims, won_so_far)
    if len(ex):
        pe = np.minimum(p[ex][:, None] * mult[None, :], 1.0)
        hit = rng.random((len(ex), n_sims)) < pe
        a_ex = np.where(miss[ex], np.nan, amt[ex])
        fixed = np.nan_to_num(a_ex)
        total += fixed @ hit
        mi = np.flatnonzero(miss[ex])
        if len(mi):
            draws = rng.choice(pool, size=(len(mi), n_sims))
            total += (draws * hit[mi]).sum(axis=0)
    if len(tail):
        s1 = float((a_mean[tail] * p[tail]).sum())
        s2 = float((a_sq[tail] * p[tail]).sum())
        s3 = float((a_mean[tail] ** 2 * p[tail] ** 2).sum())
        mean_t = mult * s1
        var_t = np.maximum(mult * s2 - mult**2 * s3, 0.0)
        total += mean_t + np.sqrt(var_t) * rng.standard_normal(n_sims)
    if lam > 0:
        disp = model.count_dispersion
        g = rng.gamma(1.0 / disp, disp, n_sims) if disp > 0 else np.ones(n_sims)
        k = rng.poisson(lam * g * np.minimum(mult, 1.0 / max(q_bar, 1e-9)))
        n_draw = int(k.sum())
        if n_draw <= MAX_AMOUNT_DRAWS:
            amounts = rng.choice(new_pool, size=n_draw, p=new_w)
            total += np.bincount(np.repeat(np.arange(n_sims), k), weights=amounts, minlength=n_sims)
        else:
            m1 = new_mean
            sd = float(np.sqrt(max(((new_pool - m1) ** 2) @ new_w, 0.0)))
            total += k * m1 + np.sqrt(k) * sd * rng.standard_normal(n_sims)
    tau = model.interval_tau
    if tau > 0:
        z = np.random.default_rng([seed, 1]).standard_normal(n_sims)
        total = won_so_far + (total - won_so_far) * np.exp(tau * z - tau**2 / 2)
    total = np.maximum(total, won_so_far)

    expected = won_so_far + open_expected + new_expected
    p10, p50, p90 = (float(v) for v in np.quantile(total, [0.1, 0.5, 0.9]))
    if not model.has_wins:
        # No deal won yet: the stages' default chances and a default time to close are a
        # guess, and "nothing more is won this period" cannot be ruled out.
        p10 = won_so_far
    prob = gap = cov = None
    if plan is not None:
        prob = float((total >= plan).mean())
        gap = float(plan - expected)
        remaining = plan - won_so_far
        cov = float(open_expected / remaining) if remaining > 0 else None
    movers = idx[order[:10]] if len(idx) else idx
    return PeriodForecast(
        start=start,
        end=end,
        as_of=t,
        expected=float(expected),
        p10=p10,
        p50=p50,
        p90=p90,
        won_so_far=won_so_far,
        open_expected=open_expected,
        new_expected=float(new_expected),
        plan=plan,
        prob_meet_plan=prob,
        gap=gap,
        coverage=cov,
        deal_index=idx,
        p_win=pw,
        p_in_period=p,
        amount_used=a_mean,
        movers=movers,
        samples=total,
    )


@dataclass(frozen=True)
class MonthMisses:
    """The fitted model's forecasts of the latest calendar months, each from the state at
    the month's start, against what was won (oldest first)."""

    month: np.ndarray  # calendar months since January of year 0 (consecutive: adjacent)
    z: np.ndarray  # log(actual / expected)
    v: np.ndarray  # the model's own variance of the log total: log(1 + var / expected^2)
    last: int = 0  # the last month replayed (scored or left out), as ``month``

    @property
    def place(self) -> np.ndarray:
        """0, 1, 2: the month is the first, second or third of its quarter."""
        return self.month % 3


def month_misses(model: ForecastModel, frame: Frame, st: State, seed: int = 0) -> MonthMisses:
    """Replays the last ``CALENDAR_MONTHS`` calendar months that ended by the cut. Only
    what the cut holds is used; a month that begins before the first deal or before the
    first move (``TimingModel.follow_from``), with no open deal at its start, or with
    nothing won or expected in it, is left out."""
    empty = MonthMisses(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
    if not frame.exists.any():
        return empty
    first = float(frame.created[frame.exists].min())
    # a month that begins over a day before the first move lies partly before what the
    # history follows (an export of the deals closed since a date shows no close before it)
    first = max(first, model.timing.follow_from - 1.0)
    end_day = from_days(frame.t).date().replace(day=1)
    won = st.exists & (st.kind == WON)
    months, zs, vs = [], [], []
    for k in range(CALENDAR_MONTHS, 0, -1):
        start = add_months(end_day, -k)
        a, b = to_days(start), to_days(add_months(end_day, -k + 1))
        if a < first:
            continue
        cut = as_of(frame, a)
        cst = state(cut)
        if not (cst.exists & (cst.kind == OPEN)).any():
            continue
        actual = float(np.nansum(frame.amount[won & (st.closed_at >= a) & (st.closed_at < b)]))
        fc = forecast_period(model, cut, a, b, seed=seed, n_sims=SPREAD_SIMS, st=cst)
        if actual <= 0 or fc.expected <= 0:
            continue
        months.append(start.year * 12 + start.month - 1)
        zs.append(np.log(actual / fc.expected))
        vs.append(np.log1p(float(np.var(fc.samples)) / fc.expected**2))
    if not zs:
        return empty
    last = end_day.year * 12 + end_day.month - 2
    return MonthMisses(np.array(months, dtype=np.int64), np.array(zs), np.array(vs), last)


def calendar_factors(misses: MonthMisses) -> np.ndarray:
    """Per place in the quarter (first, second, third month), the factor by which the
    model's forecasts of such months missed what was won, shrunk towards 1.

    Sales often bunch up at a quarter's end (deals pushed to close "this quarter") and
    thin out after it; a model of time in stage does not see the calendar. Each month's
    miss is compared with the mean of its own and its two neighbours' (one month of each
    place), so a level error, or one drifting from month to month, cancels out; these
    differences are averaged per place, centred, and shrunk (empirical Bayes) by their
    noise (their spread between quarters, at least what the model's own variance gives)
    against the spread of the three places beyond that noise, and by k / (k + 1) for k
    months of the place seen, so that one quarter moves a factor half way at most.
    Ones without a month of each place, or when the places' spread stays under
    CALENDAR_EVIDENCE times its noise: without that bar, and without the comparison with
    the neighbours, a demo base with no calendar at all read one from the noise of its
    misses and lost a month of P10-P90 (bench/forecast/README.md)."""
    month, z, v = misses.month, misses.z, misses.v
    pos = {int(m): i for i, m in enumerate(month)}
    mid = [i for i, m in enumerate(month) if m - 1 in pos and m + 1 in pos]
    if len(mid) < 3:
        return np.ones(3)
    mid = np.array(mid)
    prev = np.array([pos[int(month[i]) - 1] for i in mid])
    nxt = np.array([pos[int(month[i]) + 1] for i in mid])
    d = z[mid] - (z[prev] + z[mid] + z[nxt]) / 3.0
    noise = (4.0 * v[mid] + v[prev] + v[nxt]) / 9.0
    place = misses.place[mid]
    if not all((place == j).any() for j in range(3)):
        return np.ones(3)
    k = np.array([(place == j).sum() for j in range(3)], dtype=float)
    raw = np.array([d[place == j].mean() for j in range(3)])
    dof = len(d) - 3
    between = float(((d - raw[place]) ** 2).sum() / dof) if dof > 0 else 0.0
    var = np.array([max(float(noise[place == j].mean()), between) for j in range(3)]) / k
    raw = raw - raw.mean()
    spread = float((raw**2).sum()) / 2.0  # two degrees of freedom: the three are centred
    if spread < CALENDAR_EVIDENCE * float(var.mean()):
        return np.ones(3)
    signal = spread - float(var.mean())
    log_f = raw * signal / (signal + var) * k / (k + 1.0)
    return np.exp(log_f - log_f.mean())


def interval_spread(misses: MonthMisses) -> float:
    """Log-scale sd of the misses beyond the model's own spread, over the last
    ``SPREAD_MONTHS`` calendar months replayed (a miss z = log(actual / expected) against the
    model's variance v of the log total; tau^2 = sum(z^2 - v) / (months + SPREAD_PRIOR), at
    least 0). One month counts already: a young model that missed the one or two months it
    can replay by far more than its own spread says (a history's first months after its
    first close) gets a wider range at once; the two months' worth of prior keep one miss
    to a third of its square. No month gives 0. The misses are taken as they were, before
    the calendar factors: those are fitted on the same months, and the misses left after
    them would understate what the next month can bring.
    """
    recent = misses.month > misses.last - SPREAD_MONTHS
    z, v = misses.z[recent], misses.v[recent]
    if not len(z):
        return 0.0
    excess = float((z**2 - v).sum())
    return float(np.sqrt(max(excess, 0.0) / (len(z) + SPREAD_PRIOR)))
