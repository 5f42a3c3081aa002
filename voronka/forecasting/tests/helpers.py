from datetime import UTC, datetime, timedelta

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
