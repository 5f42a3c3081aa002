"""The backtest compares each period with the plan as it was known at the period start,
and ``--save`` keeps its summary for the forecast page."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from voronka.forecasting.models import BacktestRun
from voronka.forecasting.tests.history import build_history
from voronka.plans.models import SalesPlan
from voronka.plans.services import plan_set

pytestmark = pytest.mark.django_db


def test_backtest_reads_plans_as_of_each_period_start(tmp_path, head, rep, team, stages):
    build_history(head, [rep], stages, n_closed=30, n_open=4)
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
    before = (first - timedelta(days=1)).replace(day=1)  # the month before it
    keys = [f"{d.year}-{d.month:02d}" for d in (before, first)]
    for key in keys:
        plan_set(by=head, team_id=team.pk, period=key, amount="100000")
    # Both plans were set long ago; the later one was raised after its month began.
    SalesPlan.history.update(history_date=datetime(2000, 1, 1, tzinfo=UTC))
    plan_set(by=head, team_id=team.pk, period=keys[1], amount="900000")
    SalesPlan.history.filter(amount=900000).update(
        history_date=datetime(first.year, first.month, first.day, tzinfo=UTC) + timedelta(days=3)
    )
    path = tmp_path / "bt.json"
    out = io.StringIO()
    call_command(
        "forecast_backtest",
        "--start", str(before), "--end", str(today), "--sims", "200",
        "--json", str(path), "--save", stdout=out,
    )  # fmt: skip
    periods = {p["start"]: p for p in json.loads(path.read_text())["periods"]}
    assert periods[before.isoformat()]["plan"] == 100000
    assert periods[first.isoformat()]["plan"] == 100000  # not the later 900,000
    assert 0 <= periods[first.isoformat()]["prob_meet_plan"] <= 1
    saved = BacktestRun.objects.get()
    assert saved.summary["periods"] == 2 and "reliability" in saved.summary


def test_the_refresh_replays_the_months_up_to_the_historys_last_record():
    """An export whose records end long before it was loaded: the refresh's backtest
    replays the months up to its last record, not the empty months since (which gave no
    period to show, or a replay of deals open for years)."""
    import numpy as np

    from voronka.forecasting.compute import BACKTEST_MONTHS, _maybe_backtest
    from voronka.forecasting.engine.data import from_days, to_days
    from voronka.forecasting.engine.period import add_months

    from .helpers import cycle_history, day

    frame = cycle_history(np.random.default_rng(2), 400.0, 0.25, scale=20.0, loaded=1500.0)
    today = from_days(frame.t).date()
    _maybe_backtest(frame, "RUB", today, seed=0, force=True)
    run = BacktestRun.objects.get()
    last = from_days(to_days(day(400))).date()
    assert run.end == add_months(last.replace(day=1), 1) and run.end < today
    assert run.summary["periods"] == BACKTEST_MONTHS
    assert all(p["actual"] > 0 for p in run.summary["periods_detail"])
