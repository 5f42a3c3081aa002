"""A synthetic pipeline history with known true win probabilities (tests and bench).

Four open stages, won, lost. Deals arrive by a seasonal Poisson process; each has a latent
quality from its rep, its source, its amount and noise. A deal waits an exponential time in
a stage (rep-dependent speed), then moves on with a probability that depends on its quality
and drifts slowly over time, or is lost. Some deals are "zombies": stuck in the first stage
for ever (half of them are cleaned up as lost 200-400 days after creation) and go quiet —
no activities after the first. Active deals get an activity every ~10 days; control
questions are answered at stage 2 (more "yes" for better deals); a decision date is set at
stage 3 and a planned contract date at stage 4 (reps differ in how optimistic they are).

True P(won eventually | state at t) is exact for this process (``true_probability``), up to
the slow drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from .data import (
    ActivityRecord,
    AnswerRecord,
    DatedValue,
    DealRecord,
    History,
    MilestoneRecord,
    StageChangeRecord,
    StageInfo,
    from_days,
)

N_OPEN = 4
MEAN_DWELL = np.array([12.0, 18.0, 20.0, 15.0])
ALPHA = np.array([0.2, 0.6, 1.0, 1.6])
BETA = 1.0
ZOMBIE = 0.15
DEFAULTS = (0.1, 0.25, 0.5, 0.8)


@dataclass(frozen=True, eq=False)
class Synthetic:
    history: History
    quality: np.ndarray  # latent x per deal
    zombie: np.ndarray
    speed: np.ndarray  # dwell multiplier per deal (its rep)
    drift: float
    t0: float
    zombie_share: float = ZOMBIE
    cleanup_share: float = 0.5


def stages() -> tuple[StageInfo, ...]:
    out = [StageInfo(i + 1, 1, i + 1, "open", DEFAULTS[i], f"S{i + 1}") for i in range(N_OPEN)]
    out.append(StageInfo(N_OPEN + 1, 1, N_OPEN + 1, "won", 1.0, "won"))
    out.append(StageInfo(N_OPEN + 2, 1, N_OPEN + 2, "lost", 0.0, "lost"))
    return tuple(out)


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def advance_probability(
    stage: np.ndarray,
    x: np.ndarray,
    when: np.ndarray,
    s: Synthetic | None,
    drift: float = 0.0,
    t0: float = 0.0,
) -> np.ndarray:
    if s is not None:
        drift, t0 = s.drift, s.t0
    return _sig(ALPHA[stage] + BETA * x + drift * (when - t0) / 365.0)


def generate(
    n_days: int = 730,
    rate: float = 20.0,
    n_reps: int = 8,
    seed: int = 0,
    drift: float = -0.3,
    start_day: float = 19000.0,
    activities: bool = True,
    zombie_share: float = ZOMBIE,
    cleanup_share: float = 0.5,
    quarter_end: float = 0.0,
) -> Synthetic:
    """History of ``n_days`` days with about ``rate`` new deals a day, loaded at the end.

    ``quarter_end``: the share of deals whose decision in the final stage (won or lost),
    due in the first or second month of a quarter, waits for a day in its last month (the
    quarter-end push). The outcome does not depend on it, so ``true_probability`` holds."""
    rng = np.random.default_rng(seed)
    t0, t_end = start_day, start_day + n_days
    days = np.arange(n_days)
    season = 1.0 + 0.3 * np.sin(2 * np.pi * days / 365.0) + 0.15 * days / max(n_days, 1)
    counts = rng.poisson(rate * season)
    created = np.repeat(t0 + days, counts) + rng.random(counts.sum())
    n = len(created)
    rep_skill = rng.normal(0, 0.5, n_reps)
    rep_speed = np.exp(rng.normal(0, 0.3, n_reps))
    rep_optimism = rng.normal(8, 6, n_reps)
    source_eff = np.array([0.5, 0.0, -0.4, -0.8])
    owner = rng.integers(0, n_reps, n)
    source = rng.choice(4, n, p=[0.2, 0.4, 0.25, 0.15])
    amount = np.exp(rng.normal(11.0 - 0.2 * source, 0.9, n))
    x = (
        rep_skill[owner]
        + source_eff[source]
        - 0.3 * (np.log(amount) - 11.0)
        + rng.normal(0, 0.8, n)
    )
    zombie = rng.random(n) < zombie_share
    speed = rep_speed[owner]
    st = stages()
    won_id, lost_id = N_OPEN + 1, N_OPEN + 2
    deals = []
    u = rng.random((n, N_OPEN))
    dwell = rng.exponential(1.0, (n, N_OPEN)) * MEAN_DWELL[None, :] * speed[:, None]
    cleanup = rng.random(n) < cleanup_share
    cleanup_at = created + rng.uniform(200, 400, n)
    act_gap = rng.exponential(10.0, (n, 40))
    yes_u = rng.random((n, 2))
    push = rng.random(n) < quarter_end
    push_at = rng.random(n)
    for i in range(n):
        c = created[i]
        changes = []
        acts = []
        answers = []
        decision = ()
        contract = ()
        stage = 0
        now = c
        outcome = None
        closed = None
        if zombie[i]:
            if cleanup[i] and cleanup_at[i] <= t_end:
                outcome, closed = "lost", cleanup_at[i]
                changes.append(StageChangeRecord(lost_id, from_days(closed), 1))
            if activities:
                acts.append(ActivityRecord(from_days(c), from_days(c + 2), from_days(c + 2)))
        else:
            while True:
                leave = now + dwell[i, stage]
                if stage == N_OPEN - 1 and push[i]:
                    leave = _quarter_end(leave, push_at[i])
                if leave > t_end:
                    break
                p = advance_probability(
                    np.array([stage]), x[i : i + 1], np.array([leave]), None, drift, t0
                )[0]
                if u[i, stage] >= p:
                    outcome, closed = "lost", leave
                    changes.append(StageChangeRecord(lost_id, from_days(leave), stage + 1))
                    break
                if stage == N_OPEN - 1:
                    outcome, closed = "won", leave
                    changes.append(StageChangeRecord(won_id, from_days(leave), stage + 1))
                    break
                changes.append(StageChangeRecord(stage + 2, from_days(leave), stage + 1))
                stage += 1
                now = leave
                if stage == 1:
                    answers = [
                        AnswerRecord(
                            from_days(leave + 1), "yes" if yes_u[i, k] < _sig(x[i]) else "no"
                        )
                        for k in range(2)
                    ]
                elif stage == 2:
                    decision = (DatedValue(from_days(leave + 30).date(), from_days(leave)),)
                elif stage == 3:
                    plan = leave + max(rep_optimism[owner[i]], 1.0)
                    contract = (DatedValue(from_days(plan).date(), from_days(leave)),)
            if activities:
                end = closed if closed is not None else t_end + 30
                a = c
                for k in range(40):
                    a = a + act_gap[i, k]
                    if a >= end:
                        # the next step scheduled after the last one
                        acts.append(ActivityRecord(from_days(a - act_gap[i, k]), from_days(a)))
                        break
                    acts.append(ActivityRecord(from_days(a - 3), from_days(a), from_days(a)))
        cur = {"won": won_id, "lost": lost_id}.get(outcome, stage + 1)
        deals.append(
            DealRecord(
                id=i + 1,
                external_id=f"S-{i + 1}",
                pipeline_id=1,
                created_at=from_days(c),
                stage_id=cur,
                stage_kind=outcome or "open",
                amount=float(amount[i]),
                currency="RUB",
                owner_id=int(owner[i]) + 1,
                source=f"src{source[i]}",
                changes=tuple(changes),
                closed_at=from_days(closed) if closed is not None else None,
                won=None if outcome is None else outcome == "won",
                activities=tuple(acts),
                answers=tuple(answers),
                decision_date=decision,
                milestones=(
                    MilestoneRecord(
                        "contract",
                        contract,
                        (from_days(closed).date() if outcome == "won" else None),
                    ),
                )
                if contract
                else (),
            )
        )
    hist = History(deals=tuple(deals), stages=st, loaded_at=from_days(t_end) + timedelta(0))
    return Synthetic(hist, x, zombie, speed, drift, t0, zombie_share, cleanup_share)


def _quarter_end(day: float, u: float) -> float:
    """``day`` if its month is the last of its quarter, else a day of that month (u in
    [0, 1) picks it)."""
    month = np.datetime64(int(np.floor(day)), "D").astype("datetime64[M]")
    m = int(month.astype(np.int64))
    if m % 3 == 2:
        return day
    last = np.datetime64(m - m % 3 + 2, "M")
    a = float(last.astype("datetime64[D]").astype(np.int64))
    b = float((last + 1).astype("datetime64[D]").astype(np.int64))
    return a + u * (b - a)


def true_probability(
    s: Synthetic,
    stage_index: np.ndarray,
    deal_rows: np.ndarray,
    stage_age: np.ndarray,
    deal_age: np.ndarray,
    t: float,
) -> np.ndarray:
    """Exact P(won eventually) of open deals in open stage ``stage_index`` (0-based)."""
    x = s.quality[deal_rows]
    p = np.ones(len(deal_rows))
    for k in range(N_OPEN):
        a = _sig(ALPHA[k] + BETA * x + s.drift * (t - s.t0) / 365.0)
        p = np.where(stage_index <= k, p * a, p)
    first = stage_index == 0
    mean = MEAN_DWELL[0] * s.speed[deal_rows]
    alive_real = np.exp(-stage_age / mean)
    alive_zombie = 1.0 - s.cleanup_share * np.clip((deal_age - 200.0) / 200.0, 0, 1)
    zs = s.zombie_share
    z = zs * alive_zombie / (zs * alive_zombie + (1 - zs) * alive_real)
    return np.where(first, (1 - z) * p, p)
