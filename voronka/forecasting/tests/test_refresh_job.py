"""The background refresh: deal changes queue it once, a real worker runs it, the page
shows its result; ``manage.py forecast_refresh`` does the same synchronously."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from voronka.core.testing import make_deal
from voronka.forecasting.models import DealForecast, ForecastRun
from voronka.forecasting.tasks import forget_waiting, refresh_forecast
from voronka.forecasting.tests.history import build_history


@pytest.mark.django_db(transaction=True)
def test_deal_changes_queue_one_refresh_and_the_worker_runs_it(client_for, head, rep, stages):
    build_history(head, [rep], stages, n_closed=16, n_open=4)
    queued = DBTaskResult.objects.filter(task_path=refresh_forecast.module_path)
    assert queued.filter(status="READY").count() == 1  # many commits, one waiting refresh
    # Run the waiting refresh now (its debounce delay is for bursts of edits).
    from django.utils import timezone

    queued.update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert queued.get().status == "SUCCESSFUL"
    run = ForecastRun.objects.get()
    assert run.status == "done" and run.n_open == 4
    assert DealForecast.objects.count() == 4
    body = client_for(head).get(reverse("forecasting:page")).content.decode()
    assert 'id="fc-expected"' in body and 'id="fc-none"' not in body
    # a new change queues the next refresh (this process no longer assumes one waits)
    forget_waiting()
    make_deal(owner=rep, stage=stages["closing"], title="After the run")
    assert queued.filter(status="READY").count() == 1


@pytest.mark.django_db
def test_forecast_refresh_command(head, rep, stages):
    build_history(head, [rep], stages, n_closed=12, n_open=3)
    out = StringIO()
    call_command("forecast_refresh", "--sims", "300", "--backtest", "never", stdout=out)
    assert "3 open" in out.getvalue()
    assert ForecastRun.objects.get().status == "done"
