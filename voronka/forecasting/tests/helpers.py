from datetime import UTC, datetime, timedelta

import numpy as np

from voronka.forecasting.engine import History, build_frame
from voronka.forecasting.engine.data import DealRecord, StageChangeRecord, StageInfo

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def pipeline_stages() -> tuple[StageInfo, ...]:
    return (
        StageInfo(1, 1, 1, "open", 0.1),
        StageInfo(2, 1, 2, "open", 0.4),
        StageInfo(3, 1, 3, "open", 0.7),
        StageInfo(4, 1, 4, "won", 1.0),
        StageInfo(5, 1, 5, "lost", 0.0),
    )


def deal(i, created, path=(), amount=1000.0, owner=1, **kw) -> DealRecord:
    """``path``: [(stage_id, day), ...] moves after creation in stage 1."""
    changes = tuple(StageChangeRecord(s, day(d)) for s, d in path)
    cur = path[-1][0] if path else 1
    kind = {4: "won", 5: "lost"}.get(cur, "open")
    closed = day(path[-1][1]) if kind != "open" else None
    return DealRecord(
        id=i,
        external_id=f"X{i}",
        pipeline_id=1,
        created_at=day(created),
        stage_id=cur,
        stage_kind=kind,
        amount=amount,
        owner_id=owner,
        changes=changes,
        closed_at=closed,
        won=None if kind == "open" else kind == "won",
        **kw,
    )


def zombie_history(now: float, rng, first_close: float = -np.inf):
    """Ten deals a day from day 0 to ``now``: a quarter never leave the first stage, the
    rest close 1-138 days after creation (evenly), won with a chance of 0.6, still open
    when that falls after ``now``; with ``first_close``, deals closed before it are left out
    (an export of the deals closed since a date, with the open ones)."""
    deals = []
    for i, c in enumerate(np.arange(0.0, now, 0.1)):
        if rng.random() < 0.25:
            deals.append(deal(i, float(c)))
            continue
        close = c + float(rng.integers(1, 139))
        if close < first_close:
            continue
        stage = 4 if rng.random() < 0.6 else 5
        deals.append(deal(i, float(c), path=[(stage, close)] if close < now else []))
    return build_frame(History(tuple(deals), pipeline_stages(), day(now)))


def cycle_history(
    rng, until: float, step: float, scale: float = 24.0, loaded: float | None = None, owners=None
):
    """A deal every ``step`` days from day 0 to ``until``, closed after a gamma(2, ``scale``
    days) cycle and won with a chance of 0.6 whatever its age; still open when the close
    falls after ``until``. Loaded on day ``loaded`` (default ``until``); with ``owners``
    (an upper bound), each deal gets an owner drawn from 1 to ``owners - 1``."""
    deals = []
    for i, c in enumerate(np.arange(0.0, until, step)):
        close = c + max(1.0, round(float(rng.gamma(2.0, scale))))
        stage = 4 if rng.random() < 0.6 else 5
        extra = {"owner": int(rng.integers(1, owners))} if owners else {}
        deals.append(deal(i, float(c), path=[(stage, close)] if close < until else [], **extra))
    return build_frame(
        History(tuple(deals), pipeline_stages(), day(until if loaded is None else loaded))
    )


def zombie_truth(age: np.ndarray) -> np.ndarray:
    """P(won eventually | open at ``age``) in ``zombie_history``."""
    going = 0.75 * np.clip((138.0 - np.floor(age)) / 138.0, 0.0, 1.0)
    return 0.6 * going / (0.25 + going)
