"""Time to close: competing-risks survival (won / lost / still open = censored) and slips.

``aalen_johansen`` is the discrete (daily) Aalen–Johansen estimator: the cumulative
incidence of "won" by day d after an origin, with "lost" as the competing event and deals
still open at the cut counted as censored (they stay in the risk set until then, instead
of being dropped, which would make closing look faster and likelier than it is).

``TimingModel`` turns it into, per open deal, the share of its remaining chance to be won
that falls inside a window, from its current stage and its age in that stage; a known
planned date (contract planned, decision date, expected close) shifts it through the
empirical distribution of how late such dates were met, per rep and per stage, as far as
such dates told the timing on the history (``date_weights``, per stage).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.stats import poisson

from .asof import State, as_of, state
from .data import LOST, OPEN, WON, Frame

MAX_DAYS = 730  # curves are kept for two years after the origin
STAGE_PRIOR_SPELLS = 30.0  # a stage with fewer spells leans on the pooled curve
SLIP_PRIOR = 20.0  # pseudo-count for the planned-date model and the per-rep / per-stage shift
# past dates (a month apart) on which the planned dates' timing is checked against the
# stages' (``date_weights``), and the window they are checked over
DATE_CHECKS = 12
DATE_WINDOW = 30.0
# smoothing mass of the default pace (exponential, ``median_win_days``) in a deal's window
# share, as a fraction of the chance to be won from the stage's (or pipeline's) start: it
# decides only for deals older than anything seen to close, whose own curve has nothing
# left. An absolute 0.02 (the earlier form) was as large as a first stage's whole chance
# (0.11 from entry on the 315,000-deal synthetic history) and pulled that stage's window
# shares towards the default pace: 0.21 said where 0.18 of the wins came within the month,
# 0.43 for old deals where none did.
TAIL_MASS = 0.02
STAGE_PRIOR = 20.0  # pseudo-deals of a stage's default probability in its win chance
LATE_MIN_DAYS = 7  # the narrowest window read for the hazard past the follow-up
LATE_TEST_LEVEL = 0.01  # a narrower window's exits this unlikely at a wider one's rate


@dataclass(frozen=True, eq=False)
class Curve:
    cif_won: np.ndarray  # (MAX_DAYS + 1,)
    cif_lost: np.ndarray
    surv: np.ndarray  # P(still open after d days)
    at_risk: np.ndarray
    n: int  # number of spells
    n_closed: int

    def remaining_win(self, age: np.ndarray) -> np.ndarray:
        """P(won eventually | still open at ``age`` days)."""
        a = np.clip(np.floor(age), 0, MAX_DAYS).astype(np.int64)
        s = np.maximum(self.surv[a], 1e-9)
        return np.clip((self.cif_won[-1] - self.cif_won[a]) / s, 0.0, 1.0)


def _at_risk(day: np.ndarray, entry: np.ndarray | None, size: int) -> np.ndarray:
    """Per day u: the stays followed on day u (entered by then, not ended before)."""
    ended_before = np.r_[0.0, np.bincount(day, minlength=size)[: size - 1].cumsum()]
    if entry is None:
        return float(len(day)) - ended_before
    e = np.minimum(np.floor(np.maximum(entry, 0.0)).astype(np.int64), day)
    return np.bincount(e, minlength=size)[:size].cumsum().astype(float) - ended_before


def aalen_johansen(
    durations: np.ndarray,
    event: np.ndarray,
    max_days: int = MAX_DAYS,
    entry: np.ndarray | None = None,
) -> Curve:
    """event: 1 won, 2 lost, 0 censored (still open). Durations in days (>= 0). ``entry``
    (days, optional): the age from which each one was followed (delayed entry, see
    ``follow_up_start``)."""
    d = np.clip(np.floor(np.nan_to_num(durations, nan=0.0)), 0, max_days + 1).astype(np.int64)
    # events later than max_days are censored at the end of the curve
    ev = np.where(d > max_days, 0, event)
    d = np.minimum(d, max_days)
    size = max_days + 1
    won = np.bincount(d[ev == WON], minlength=size)[:size].astype(float)
    lost = np.bincount(d[ev == LOST], minlength=size)[:size].astype(float)
    at_risk = _at_risk(d, entry, size)
    safe = np.maximum(at_risk, 1.0)
    hz_w = np.where(at_risk > 0, won / safe, 0.0)
    hz_l = np.where(at_risk > 0, lost / safe, 0.0)
    surv = np.cumprod(1.0 - hz_w - hz_l)
    surv_before = np.r_[1.0, surv[:-1]]
    cif_w = np.cumsum(surv_before * hz_w)
    cif_l = np.cumsum(surv_before * hz_l)
    return Curve(
        cif_won=cif_w,
        cif_lost=cif_l,
        surv=surv,
        at_risk=at_risk,
        n=int(len(d)),
        n_closed=int((ev != 0).sum()),
    )


def blend_curves(a: Curve, b: Curve, w: float) -> Curve:
    """w * a + (1 - w) * b (a mixture of two populations)."""
    return Curve(
        cif_won=w * a.cif_won + (1 - w) * b.cif_won,
        cif_lost=w * a.cif_lost + (1 - w) * b.cif_lost,
        surv=w * a.surv + (1 - w) * b.surv,
        at_risk=a.at_risk + b.at_risk,
        n=a.n,
        n_closed=a.n_closed,
    )


# Ages in a stage (days) at which the conditional curves are kept; in between they are
# interpolated (``TimingModel.age_between``). Daily for the first fortnight, then weekly to
# half a year, fortnightly to a year and monthly to MAX_DAYS: a curve bends most early on,
# and one that rises to a hard limit (every stay over by some day) needs a fine grid there.
AGE_GRID = np.unique(
    np.r_[
        np.arange(0, 14),
        np.arange(14, 182, 7),
        np.arange(182, 364, 14),
        np.arange(364, 731, 30),
        MAX_DAYS,
    ]
).astype(float)


def stage_stays(frame: Frame, st: State) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every stay of a deal in an open stage: (stage, days in it, where it went, when it
    began).

    A stay ends with a move to another stage (``dest`` = that stage index) or is censored
    at the cut while the deal is still there (``dest`` = -1).
    """
    ex = frame.exists
    e_deal = np.r_[np.flatnonzero(ex), frame.ch_deal]
    e_stage = np.r_[frame.initial_stage[ex], frame.ch_to]
    e_at = np.r_[frame.created[ex], frame.ch_at]
    if not len(e_deal):
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0)
    o = np.lexsort((np.r_[np.zeros(ex.sum()), np.ones(len(frame.ch_deal))], e_at, e_deal))
    e_deal, e_stage, e_at = e_deal[o], e_stage[o], e_at[o]
    # a "move" into the stage the deal is already in is not a new stay
    keep = np.r_[True, (e_deal[1:] != e_deal[:-1]) | (e_stage[1:] != e_stage[:-1])]
    e_deal, e_stage, e_at = e_deal[keep], e_stage[keep], e_at[keep]
    nxt_same = np.r_[e_deal[1:] == e_deal[:-1], False]
    nxt_stage = np.r_[e_stage[1:], -1]
    nxt_at = np.r_[e_at[1:], np.nan]
    is_open = frame.stage_kind[e_stage] == OPEN
    dest = np.where(nxt_same, nxt_stage, -1)
    end = np.where(nxt_same, nxt_at, st.t)
    m = is_open
    return e_stage[m], np.maximum(end[m] - e_at[m], 0.0), dest[m], e_at[m]


def follow_up_start(begin: np.ndarray, dur: np.ndarray, dest: np.ndarray) -> float:
    """The first moment any deal left an open stage (-inf if none has).

    Before it the history shows no move at all, so it cannot tell "nothing moves in the
    first weeks" from "moves were not recorded yet": an export that lists only the deals
    closed from some date on (and the open ones), or a CRM that began keeping stages later
    than deals. The curves follow each stay from that moment (delayed entry: a deal created
    60 days before it enters the risk set at age 60), so those early weeks do not read as
    weeks in which deals stayed put. Where moves begin with the first deals (any history
    kept in a CRM from its start) it changes nothing.
    """
    left = dest >= 0
    return float((begin + dur)[left].min()) if left.any() else -np.inf


@dataclass(frozen=True, eq=False)
class TimingModel:
    """Semi-Markov model of the pipeline learned from stays in stages (censoring-aware).

    ``win_by[k, g, u]`` = P(won within u days | in open stage k for AGE_GRID[g] days).
    """

    win_by: np.ndarray
    eventual: np.ndarray  # (stage, grid age): P(won eventually), the tail extrapolated
    # evidence per stage: exits seen plus the exits its quiet stays would have shown
    # (``_quiet_stays``), at most the closed deals of its pipeline
    n_exits: np.ndarray
    creation: tuple[Curve, ...]  # per pipeline: from creation (Aalen–Johansen)
    creation_pooled: Curve
    median_win_days: float
    slips: np.ndarray  # observed (won date - planned date) in days, sorted
    owner_shift: np.ndarray  # per owner index (+1 slot for "no owner")
    stage_shift: np.ndarray  # per stage index
    # the default probability of the stage deals start in (mean over the deals so far)
    entry_default: float = 0.0
    # the first moment any deal left an open stage (``follow_up_start``; -inf: none has)
    follow_from: float = -np.inf
    # per stage, the weight of the planned dates' timing against the stage's own
    # (``date_weights``); empty: the planned dates' count alone sets it
    date_weight: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @staticmethod
    def age_between(age: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The grid ages around ``age`` (indices g0 <= g1) and the weight of g1: figures
        kept per grid age are interpolated linearly in between. Rounding an age down to the
        grid instead (119 days read as 90 on a coarse grid) biases every deal in between, towards
        a later close where the chance of closing rises with age."""
        a = np.clip(np.asarray(age, dtype=float), 0.0, AGE_GRID[-1])
        g0 = np.clip(np.searchsorted(AGE_GRID, a, side="right") - 1, 0, len(AGE_GRID) - 1)
        g1 = np.minimum(g0 + 1, len(AGE_GRID) - 1)
        span = AGE_GRID[g1] - AGE_GRID[g0]
        lam = np.where(span > 0, (a - AGE_GRID[g0]) / np.where(span > 0, span, 1.0), 0.0)
        return g0, g1, lam

    def remaining_win(self, stage: np.ndarray, age: np.ndarray) -> np.ndarray:
        """P(won eventually | in ``stage`` for ``age`` days), from the stage history alone."""
        g0, g1, lam = self.age_between(age)
        return (1.0 - lam) * self.eventual[stage, g0] + lam * self.eventual[stage, g1]

    def window_share(
        self, frame: Frame, st: State, idx: np.ndarray, start: float, end: float
    ) -> np.ndarray:
        """For open deals ``idx`` at ``st.t``: the share of their remaining chance to be won
        that lands in (max(start, t), end]: the stage's timing, and for a deal with a
        planned date, that date's too, weighed as ``date_weights`` measured."""
        share = self.stage_share(frame, st, idx, start, end)
        target = st.target_date[idx]
        has = ~np.isnan(target)
        if has.any() and len(self.slips):
            stage = st.stage[idx][has]
            if len(self.date_weight):
                w = self.date_weight[stage]
            else:
                w = len(self.slips) / (len(self.slips) + SLIP_PRIOR)
            dated = self.date_share(frame, st, idx[has], start, end)
            share[has] = w * dated + (1 - w) * share[has]
        return np.clip(share, 0.0, 1.0)

    def stage_share(
        self, frame: Frame, st: State, idx: np.ndarray, start: float, end: float
    ) -> np.ndarray:
        """``window_share`` from the time in stage alone (planned dates left aside)."""
        t = st.t
        lo = max(start, t)
        if end <= lo or not len(idx):
            return np.zeros(len(idx))
        stage = st.stage[idx]
        g0, g1, lam = self.age_between(np.maximum(t - st.entered[idx], 0.0))
        u_end = int(min(np.floor(end - t), MAX_DAYS))
        u_lo = int(min(np.floor(lo - t), MAX_DAYS))
        tau = max(self.median_win_days, 1.0)
        prior_in = np.exp(-(lo - t) / tau) - np.exp(-(end - t) / tau)
        mass = TAIL_MASS * np.maximum(self.win_by[stage, 0, -1], 1e-9)

        def at(g: np.ndarray) -> np.ndarray:
            curve_end = self.win_by[stage, g, u_end]
            curve_lo = self.win_by[stage, g, u_lo] if u_lo > 0 else 0.0
            rem = self.win_by[stage, g, -1]
            return (curve_end - curve_lo + mass * prior_in) / (rem + mass)

        share = (1.0 - lam) * at(g0) + lam * at(g1)
        # A stage seldom seen to end (e.g. history imported without stage changes) leans on
        # the pipeline's time to close from creation, at the deal's age.
        w = self.n_exits[stage] / (self.n_exits[stage] + STAGE_PRIOR_SPELLS)
        if np.any(w < 0.99):
            share = w * share + (1.0 - w) * self._creation_share(frame, idx, t, lo, end, tau)
        return np.clip(share, 0.0, 1.0)

    def date_share(
        self, frame: Frame, st: State, idx: np.ndarray, start: float, end: float
    ) -> np.ndarray:
        """``window_share`` from the planned dates of deals ``idx`` (each has one), shifted
        by how late this rep's and this stage's dates were met, and by how late dates were
        met in general (``slips``), given the deal is still open."""
        t = st.t
        lo = max(start, t)
        if end <= lo or not len(idx) or not len(self.slips):
            return np.zeros(len(idx))
        own = frame.owner[idx]
        own = self.owner_shift[np.where(own < 0, len(self.owner_shift) - 1, own)]
        d = st.target_date[idx] + own + self.stage_shift[st.stage[idx]]
        slips = self.slips
        n = len(slips)

        def cdf(x: np.ndarray) -> np.ndarray:
            return (np.searchsorted(slips, x, side="right") + 0.5) / (n + 1.0)

        done = cdf(t - d)
        return np.clip((cdf(end - d) - cdf(lo - d)) / np.maximum(1.0 - done, 1e-6), 0.0, 1.0)

    def _creation_share(
        self, frame: Frame, idx: np.ndarray, t: float, lo: float, end: float, tau: float
    ) -> np.ndarray:
        """Share of the remaining win chance inside (lo, end] from the creation curve of the
        deal's pipeline, given that it is still open at its age."""
        age = np.maximum(t - frame.created[idx], 0.0)
        a0 = np.clip(np.floor(age), 0, MAX_DAYS).astype(np.int64)
        a_lo = np.clip(np.floor(age + (lo - t)), 0, MAX_DAYS).astype(np.int64)
        a_end = np.clip(np.floor(age + (end - t)), 0, MAX_DAYS).astype(np.int64)
        out = np.empty(len(idx))
        pipes = frame.pipeline[idx]
        prior_in = np.exp(-(lo - t) / tau) - np.exp(-(end - t) / tau)
        for p in np.unique(pipes):
            m = pipes == p
            c = self.creation[p] if p < len(self.creation) else self.creation_pooled
            rem = c.cif_won[-1] - c.cif_won[a0[m]]
            inside = c.cif_won[a_end[m]] - c.cif_won[a_lo[m]]
            mass = TAIL_MASS * max(float(c.cif_won[-1]), 1e-9)
            out[m] = (inside + mass * prior_in) / (rem + mass)
        return np.clip(out, 0.0, 1.0)

    def created_win_share(self, pipeline: int | None, days_left: np.ndarray) -> np.ndarray:
        """P(won within ``days_left`` of creation) for a new deal: the creation curve,
        shrunk as ``stage_prior`` is (STAGE_PRIOR pseudo-deals) to a guess while few deals
        have closed: the default probability of the stage new deals start in, won at the
        default pace (exponential, mean ``median_win_days``). Before any deal has closed,
        new deals count at that guess instead of at nothing."""
        c = self.creation_pooled if pipeline is None else self.creation[pipeline]
        d = np.clip(np.floor(days_left), 0, MAX_DAYS).astype(np.int64)
        tau = max(self.median_win_days, 1.0)
        guess = self.entry_default * (1.0 - np.exp(-np.maximum(days_left, 0.0) / tau))
        w = c.n_closed / (c.n_closed + STAGE_PRIOR)
        return w * c.cif_won[d] + (1.0 - w) * guess


@dataclass(frozen=True, eq=False)
class _Stays:
    dens: np.ndarray  # (k, d, u): P(leave k to stage d on day u)
    surv: np.ndarray  # (k, u): P(still in k after u days)
    n_exits: np.ndarray  # (k,)
    seen: np.ndarray  # (k,): the longest stay followed, in days (-1: none)
    late: np.ndarray  # (k, d): hazard per day of leaving to d over the second half of ``seen``
    quiet: np.ndarray  # (k,): exits the stays still in k would have shown (``_quiet_stays``)


def _transition_densities(
    frame: Frame, stage: np.ndarray, dur: np.ndarray, dest: np.ndarray, entry: np.ndarray
) -> _Stays:
    """Per open stage k: dens[k, d, u] = P(leave k to stage d on day u) (Aalen–Johansen with
    every destination a competing event, censored stays in the risk set), surv[k, u] =
    P(still in k after u days), the number of exits, how far the stays were followed and the
    hazards of leaving at the end of that follow-up."""
    n_st = frame.n_stages
    size = MAX_DAYS + 1
    dens = np.zeros((n_st, n_st, size))
    surv = np.ones((n_st, size))
    n_exits = np.zeros(n_st)
    seen = np.full(n_st, -1, dtype=np.int64)
    late = np.zeros((n_st, n_st))
    day = np.minimum(np.floor(dur), MAX_DAYS + 1).astype(np.int64)
    dest = np.where(day > MAX_DAYS, -1, dest)
    day = np.minimum(day, MAX_DAYS)
    quiet = _quiet_stays(stage, day, dest, entry, n_st)
    for k in np.unique(stage):
        m = stage == k
        dk, ek = day[m], dest[m]
        at_risk = _at_risk(dk, entry[m], size)
        moved = ek >= 0
        n_exits[k] = moved.sum()
        ev = np.zeros((n_st, size))
        np.add.at(ev, (ek[moved], dk[moved]), 1.0)
        hz = ev / np.maximum(at_risk, 1.0)[None, :]
        s = np.cumprod(1.0 - hz.sum(axis=0))
        s_before = np.r_[1.0, s[:-1]]
        dens[k] = hz * s_before[None, :]
        surv[k] = s
        # Beyond the longest stay followed the estimate says nothing: with a short history
        # (a new install) that is where the slower deals still are.
        followed = np.flatnonzero(at_risk > 0)
        if len(followed):
            d_seen = int(followed[-1])
            lo = late_window(at_risk, ev.sum(axis=0), d_seen)
            seen[k] = d_seen
            # deal-days at risk in that window; a window followed by fewer than
            # STAGE_PRIOR_SPELLS stays counts as if the missing ones stayed without leaving,
            # so a handful of old deals cannot make lingering look promising
            exposure = at_risk[lo : d_seen + 1].sum() + STAGE_PRIOR_SPELLS * (d_seen + 1 - lo)
            late[k] = ev[:, lo : d_seen + 1].sum(axis=1) / exposure
            _extend_tail(dens[k], surv[k], d_seen, late[k])
    return _Stays(dens, surv, n_exits, seen, late, quiet)


def late_window(at_risk: np.ndarray, exits: np.ndarray, d_seen: int) -> int:
    """The first age of the window ending at ``d_seen`` whose exits set the hazard past
    the follow-up (``_extend_tail``): the widest of the last eighth, quarter and half of
    the follow-up (at least LATE_MIN_DAYS) whose exit rate each narrower one does not
    contradict (a two-sided Poisson test at LATE_TEST_LEVEL).

    The half alone, the earlier rule, mixes in exits from ages where deals still left when
    nobody leaves any more at the end: an export that lists only deals closed from some date
    on shows every stay over within 138 days, and deals that sat 140-220 days without a
    move (thousands of deal-days, not one exit) were still extrapolated to leave, and win,
    at the rate of ages 111-138. Where the narrower windows agree (a steady or thinly
    followed end) the half is kept: a wider window is the steadier estimate."""
    widths = [d_seen - d_seen // 2]
    while widths[-1] // 2 >= LATE_MIN_DAYS and len(widths) < 3:
        widths.append(widths[-1] // 2)
    starts = [d_seen - w for w in reversed(widths)]  # narrowest window first
    spans = [
        (float(at_risk[lo : d_seen + 1].sum()), float(exits[lo : d_seen + 1].sum()))
        for lo in starts
    ]
    chosen = starts[0]
    for j in range(1, len(starts)):
        exposure, n = spans[j]
        rate = n / max(exposure, 1.0)
        if any(_contradicts(x, e * rate) for e, x in spans[:j]):
            break
        chosen = starts[j]
    return chosen


def _contradicts(seen: float, expected: float) -> bool:
    """Whether ``seen`` exits are implausible for a Poisson count of mean ``expected``."""
    if expected <= 0:
        return seen > 0
    lower = poisson.cdf(seen, expected)
    upper = poisson.sf(seen - 1, expected)
    return min(lower, upper) < LATE_TEST_LEVEL / 2


def _quiet_stays(
    stage: np.ndarray, day: np.ndarray, dest: np.ndarray, entry: np.ndarray, n_st: int
) -> np.ndarray:
    """Per stage: how many exits its stays still in it would have shown, had they left at
    the pace of all stays of the history (pooled Aalen–Johansen): each censored stay
    followed from ``entry`` to ``day`` counts P(leave in that span | not left at entry).

    A stage that many deals have sat in for months without anyone leaving it is known to be
    one deals seldom leave, as surely as one left a hundred times is known by its exits; a
    stage only just entered is not known at all. Counting exits alone would leave the first
    kind at its default probability for ever (in an export that holds no stage history,
    the stage of the deals still open at the export)."""
    out = np.zeros(n_st)
    if not len(stage):
        return out
    e = np.minimum(np.floor(np.maximum(entry, 0.0)).astype(np.int64), day)
    pooled = aalen_johansen(day.astype(float), (dest >= 0).astype(np.int64), entry=e)
    s = np.r_[1.0, pooled.surv]  # s[u]: still in after u - 1 days, s[0] = 1
    cens = dest < 0
    s_entry = np.maximum(s[e[cens]], 1e-12)
    p_leave = np.clip(1.0 - s[day[cens] + 1] / s_entry, 0.0, 1.0)
    np.add.at(out, stage[cens], p_leave)
    return out


def _extend_tail(dens: np.ndarray, surv: np.ndarray, d_seen: int, rate: np.ndarray) -> None:
    """Past the longest stay followed, the stays still open leave at the hazards seen at the
    end of the follow-up (``rate`` per destination and day), up to MAX_DAYS: the same tail
    ``_eventual_win`` values, so the timing curves place that chance in time instead of
    dropping it. Without it a short history says that every deal still to be won is won
    within the few weeks it has watched. In place; nothing changes where the follow-up
    reaches MAX_DAYS or nobody is left."""
    total = float(rate.sum())
    left = float(surv[d_seen])
    if d_seen >= MAX_DAYS or total <= 0 or left <= 0:
        return
    u = np.arange(0, MAX_DAYS - d_seen + 1, dtype=float)
    s = left * np.exp(-total * u)  # s[0] is surv[d_seen]
    surv[d_seen + 1 :] = s[1:]
    dens[:, d_seen + 1 :] = (rate / total)[:, None] * (s[:-1] - s[1:])[None, :]


def _eventual_win(frame: Frame, stays: _Stays, n_exits: np.ndarray) -> np.ndarray:
    """P(won eventually | in open stage k for AGE_GRID[g] days), shape (k, g).

    Where the stays were followed (up to ``seen`` days) the Aalen–Johansen exits are used;
    after that the deals still in the stage leave at the hazards seen at the end of the
    follow-up, kept constant up to MAX_DAYS. A long history is followed to about MAX_DAYS,
    so the extrapolated part vanishes and deals that linger stay unlikely to be won; a short
    one (a new install, the first months of a replay) no longer reads "not won yet" as
    "never won". Each destination is valued by its own chance from entry (a fixed point over
    the open stages, so stage skips and moves backwards count), shrunk to its default
    probability as ``stage_prior`` does: a stage seldom left passes on its default.
    """
    n_st = frame.n_stages
    is_open = frame.stage_kind == OPEN
    won = (frame.stage_kind == WON).astype(float)
    dens, surv = stays.dens, stays.surv
    cum = np.cumsum(dens, axis=2)  # (k, d, u)
    reach = np.zeros((n_st, len(AGE_GRID), n_st))  # P(next stage is d)
    for k in np.flatnonzero(is_open):
        d_seen = int(stays.seen[k])
        rate = stays.late[k]
        total = rate.sum()
        for g, age in enumerate(AGE_GRID):
            a = int(age)
            if a <= d_seen:
                s_a = surv[k, a - 1] if a > 0 else 1.0
                if s_a <= 1e-12:
                    continue
                before = cum[k, :, a - 1] if a > 0 else 0.0
                seen_part = (cum[k, :, d_seen] - before) / s_a
                left = surv[k, d_seen] / s_a
                days = MAX_DAYS - d_seen
            else:
                seen_part = np.zeros(n_st)
                left = 1.0
                days = MAX_DAYS - a
            tail = np.zeros(n_st)
            if total > 0 and days > 0 and left > 0:
                tail = left * rate / total * (1.0 - np.exp(-total * days))
            reach[k, g] = np.clip(seen_part + tail, 0.0, None)
    # value of entering each stage: won 1, lost 0, open stages by fixed-point iteration
    a0 = reach[:, 0, :]
    w = n_exits / (n_exits + STAGE_PRIOR)
    default = frame.stage_default_p
    value = won.copy()
    for _ in range(1000):
        new = np.where(is_open, w * (a0 @ value) + (1 - w) * default, won)
        if np.allclose(new, value, atol=1e-12):
            value = new
            break
        value = new
    out = np.clip(reach @ value, 0.0, 1.0)
    out[~is_open] = 0.0
    return out


def _win_curves(frame: Frame, dens: np.ndarray, surv: np.ndarray) -> np.ndarray:
    """win_by[k, g, u] by composing the stage-to-stage densities (renewal equations)."""
    n_st = frame.n_stages
    size = MAX_DAYS + 1
    nfft = 2 * size
    won = frame.stage_kind == WON
    is_open = frame.stage_kind == OPEN
    # f[j]: density of the time to a win from entering stage j
    f = np.zeros((n_st, size))
    f[won, 0] = 1.0
    fd = np.fft.rfft(dens, nfft, axis=2)  # (k, d, freq)
    for _ in range(max(4, int(is_open.sum()) + 1)):
        ff = np.fft.rfft(f, nfft, axis=1)
        new = np.fft.irfft(np.einsum("kdf,df->kf", fd, ff), nfft, axis=1)[:, :size]
        new = np.maximum(new, 0.0)
        new[~is_open] = 0.0
        new[won, 0] = 1.0
        if np.allclose(new, f, atol=1e-10):
            f = new
            break
        f = new
    ff = np.fft.rfft(f, nfft, axis=1)
    out = np.zeros((n_st, len(AGE_GRID), size))
    for k in np.flatnonzero(is_open):
        for g, age in enumerate(AGE_GRID):
            a = int(age)
            s_a = surv[k, a - 1] if a > 0 else 1.0
            if s_a <= 1e-9:
                continue
            shifted = np.zeros((n_st, size))
            shifted[:, : size - a] = dens[k, :, a:] / s_a
            g_fft = np.fft.rfft(shifted, nfft, axis=1)
            dens_win = np.fft.irfft((g_fft * ff).sum(axis=0), nfft)[:size]
            out[k, g] = np.clip(np.cumsum(np.maximum(dens_win, 0.0)), 0.0, 1.0)
    return out


def fit_timing(frame: Frame, st: State | None = None) -> TimingModel:
    """Fit on a cut frame (only facts known at ``frame.t``)."""
    st = st if st is not None else state(frame)
    stage, dur, dest, begin = stage_stays(frame, st)
    t0 = follow_up_start(begin, dur, dest)
    stays = _transition_densities(frame, stage, dur, dest, np.maximum(t0 - begin, 0.0))
    win_by = _win_curves(frame, stays.dens, stays.surv)
    closed = frame.exists & (st.kind != OPEN)
    closed_per_pipeline = np.bincount(frame.pipeline[closed], minlength=len(frame.pipeline_ids))
    n_exits = np.minimum(
        stays.n_exits + stays.quiet, closed_per_pipeline[frame.stage_pipeline].astype(float)
    )
    eventual = _eventual_win(frame, stays, n_exits)

    ex = frame.exists
    kind = st.kind
    cdur = np.where(kind == OPEN, st.t, st.closed_at) - frame.created
    cdur = np.maximum(np.nan_to_num(cdur, nan=0.0), 0.0)
    centry = np.maximum(t0 - frame.created, 0.0)
    cpool = aalen_johansen(cdur[ex], kind[ex].astype(np.int64), entry=centry[ex])
    creation = []
    for p in range(len(frame.pipeline_ids)):
        m = ex & (frame.pipeline == p)
        if not m.any():
            creation.append(cpool)
            continue
        c = aalen_johansen(cdur[m], kind[m].astype(np.int64), entry=centry[m])
        creation.append(blend_curves(c, cpool, c.n / (c.n + STAGE_PRIOR_SPELLS)))
    won = ex & (kind == WON)
    med = float(np.median(cdur[won])) if won.any() else 60.0

    slips, owner_shift, stage_shift = _fit_slips(frame, st)
    model = TimingModel(
        win_by=win_by,
        eventual=eventual,
        n_exits=n_exits,
        creation=tuple(creation),
        creation_pooled=cpool,
        median_win_days=med,
        slips=slips,
        owner_shift=owner_shift,
        stage_shift=stage_shift,
        entry_default=_entry_default(frame),
        follow_from=t0,
    )
    return replace(model, date_weight=date_weights(frame, st, model))


def win_horizon(frame: Frame, st: State) -> float:
    """The 90th percentile of the time from creation to a win, within [30, 365] days (180
    before any win): by then most of a date's open deals have their outcome."""
    won = st.exists & (st.kind == WON)
    if not won.any():
        return 180.0
    cycle = st.closed_at[won] - frame.created[won]
    return float(np.clip(np.quantile(cycle, 0.9), 30.0, 365.0))


def date_weights(frame: Frame, st: State, model: TimingModel) -> np.ndarray:
    """Per stage: the weight of the planned dates' timing (``date_share``) against the
    stage's own (``stage_share``) in ``window_share``, measured on the history.

    Planned dates help where reps set them from the buyer's plans, and mislead where they
    are a routine "in 30 days" or an optimistic guess, or where the slips measured on all
    won deals do not fit a deal still early in the pipeline. On up to DATE_CHECKS past
    dates (a month apart, ending ``win_horizon`` before the cut, so that the outcomes are
    known), the deals then open in a stage with a planned date and won by the cut are
    asked both timings for the next DATE_WINDOW days; the weight is the least-squares
    blend of the two against whether the win came inside, within [0, 1], shrunk to the
    earlier fixed weight (the slips' count against SLIP_PRIOR) by SLIP_PRIOR deals.
    Measured with the model fitted at the cut (in sample for both timings alike)."""
    n_st = frame.n_stages
    n_slips = len(model.slips)
    fixed = n_slips / (n_slips + SLIP_PRIOR)
    out = np.full(n_st, fixed)
    if not n_slips or not frame.exists.any():
        return out
    won = st.exists & (st.kind == WON)
    first = max(float(frame.created[frame.exists].min()), model.follow_from)
    last = frame.t - win_horizon(frame, st)
    num, den = np.zeros(n_st), np.zeros(n_st)
    seen: list[np.ndarray] = []
    for k in range(DATE_CHECKS):
        s = last - DATE_WINDOW * k
        if s <= first:
            break
        cut = as_of(frame, s)
        cs = state(cut)
        idx = np.flatnonzero(cs.open & ~np.isnan(cs.target_date) & won)
        if not len(idx):
            continue
        by_stage = model.stage_share(cut, cs, idx, s, s + DATE_WINDOW)
        by_date = model.date_share(cut, cs, idx, s, s + DATE_WINDOW)
        inside = (st.closed_at[idx] <= s + DATE_WINDOW).astype(float)
        stage = cs.stage[idx]
        diff = by_date - by_stage
        np.add.at(num, stage, (inside - by_stage) * diff)
        np.add.at(den, stage, diff**2)
        seen.append(np.c_[stage, idx])
    if not seen:
        return out
    pairs = np.unique(np.vstack(seen), axis=0)
    deals = np.bincount(pairs[:, 0], minlength=n_st).astype(float)
    measured = np.clip(num / np.where(den > 0, den, 1.0), 0.0, 1.0)
    measured = np.where(den > 0, measured, fixed)
    return (deals * measured + SLIP_PRIOR * fixed) / (deals + SLIP_PRIOR)


def _entry_default(frame: Frame) -> float:
    """The default probability of the open stage deals start in, averaged over the deals
    created so far (those imported straight into won or lost say nothing about it); with
    none, over the first open stage of each pipeline."""
    first = frame.initial_stage[frame.exists]
    first = first[frame.stage_kind[first] == OPEN]
    if len(first):
        return float(frame.stage_default_p[first].mean())
    top = (frame.stage_kind == OPEN) & (frame.stage_order_frac == 0.0)
    return float(frame.stage_default_p[top].mean()) if top.any() else 0.0


def _fit_slips(frame: Frame, st: State) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Won deals with a planned date recorded before their close: how late it was met.

    The first recorded version of the target date is compared with the win date (the
    original promise, so reps who keep moving the date are seen as slipping).
    """
    n_own = len(frame.owner_ids) + 1
    zeros = np.zeros(n_own), np.zeros(frame.n_stages)
    won = frame.exists & (st.kind == WON)
    if not len(frame.dates_deal) or not won.any():
        return np.zeros(0), *zeros
    dd, kn, val = frame.dates_deal, frame.dates_known, frame.dates_value
    ok = won[dd] & (kn < st.closed_at[dd]) & ~np.isnan(val)
    if not ok.any():
        return np.zeros(0), *zeros
    dd, kn, val = dd[ok], kn[ok], val[ok]
    o = np.lexsort((kn, dd))
    dd, kn, val = dd[o], kn[o], val[o]
    first = np.r_[True, dd[1:] != dd[:-1]]
    dd, kn, val = dd[first], kn[first], val[first]
    slip = st.closed_at[dd] - val
    # stage at the moment the date was recorded
    stage_then = _stage_at(frame, dd, kn)
    med = float(np.median(slip))
    own = np.where(frame.owner[dd] < 0, n_own - 1, frame.owner[dd])
    owner_shift = _shrunk_median_shift(own, slip, med, n_own)
    stage_shift = _shrunk_median_shift(stage_then, slip, med, frame.n_stages)
    return np.sort(slip - med) + med, owner_shift, stage_shift


def _shrunk_median_shift(group: np.ndarray, values: np.ndarray, med: float, size: int):
    out = np.zeros(size)
    for g in np.unique(group):
        v = values[group == g]
        out[g] = (np.median(v) - med) * len(v) / (len(v) + SLIP_PRIOR)
    return out


def _stage_at(frame: Frame, deal: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Stage of each (deal, moment), from the sorted stage changes."""
    out = frame.initial_stage[deal].copy()
    if not len(frame.ch_deal):
        return out
    span = float(np.nanmax(np.abs(np.r_[frame.ch_at, at]))) + 1.0
    key = frame.ch_deal * (4 * span) + frame.ch_at
    q = deal * (4 * span) + at
    pos = np.searchsorted(key, q, side="right") - 1
    ok = (pos >= 0) & (frame.ch_deal[np.maximum(pos, 0)] == deal)
    out[ok] = frame.ch_to[pos[ok]]
    return out


def fit_timing_as_of(frame: Frame, t: float) -> TimingModel:
    return fit_timing(as_of(frame, t))
