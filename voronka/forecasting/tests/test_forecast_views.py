"""The forecast page: the stored run, cut to the user's zone; fallbacks; no NaN ever."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from voronka.core.testing import make_deal
from voronka.forecasting.compute import compute_forecast
from voronka.forecasting.models import DealForecast, ForecastRun
from voronka.forecasting.tests.history import build_history, this_month, this_quarter
from voronka.plans.services import plan_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(head, rep, other_rep, rep_other_team, stages):
    open_deals = build_history(head, [rep, other_rep, rep_other_team], stages)
    run = compute_forecast(sims=500, backtest=True)
    assert run.status == "done", run.error
    return run, open_deals


def page(client, **params):
    return client.get(reverse("forecasting:page"), params)


def test_no_run_yet_offers_compute_now_and_queues_once(client_for, head):
    c = client_for(head)
    body = page(c).content.decode()
    assert 'id="fc-none"' in body and 'id="fc-compute"' in body
    r = c.post(reverse("forecasting:refresh"), {"next": reverse("forecasting:page")})
    assert r.status_code == 302
    c.post(reverse("forecasting:refresh"))
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    body = page(c).content.decode()
    assert "A recomputation is queued" in body and 'id="fc-compute"' not in body


def test_refresh_never_redirects_elsewhere(client_for, head):
    r = client_for(head).post(reverse("forecasting:refresh"), {"next": "https://evil.example/"})
    assert r["Location"] == reverse("forecasting:page")


def test_head_sees_team_and_members_figures_in_locale(client_for, head, rep, team, computed):
    plan_set(by=head, team_id=team.pk, period=this_month(), amount="2 000 000")
    c = client_for(head)
    r = page(c, scope=f"team:{team.pk}", period=this_month())
    body = r.content.decode()
    assert r.status_code == 200
    for el in ("fc-expected", "fc-range", "fc-prob-plan", "fc-gap", "fc-coverage", "fc-final"):
        assert f'id="{el}"' in body, el
    assert "2,000,000.00" in body  # the plan, English format
    assert "nan" not in body.lower().replace("nanos", "")
    assert 'id="fc-interval"' in body and "between P10 and P90" in body
    options = body[body.find('id="fc-scope"') :]
    assert str(rep) in options and "Whole company" not in options


def test_zones_periods_and_language(
    client_for, admin_user, head, rep, other_rep, team, other_team, rep_other_team, computed
):
    # a rep sees only themself
    c = client_for(rep)
    body = page(c).content.decode()
    assert 'id="fc-scope"' not in body
    assert f"Open {other_rep.username}" not in body
    for scope in (f"team:{team.pk}", f"user:{other_rep.pk}", "all"):
        assert page(c, scope=scope).status_code == 404, scope
    # a head of sales: not another team, its reps or the whole company
    c = client_for(head)
    for scope in (f"team:{other_team.pk}", f"user:{rep_other_team.pk}", "all"):
        assert page(c, scope=scope).status_code == 404, scope
    # a period in the wrong format, or one not computed: a clear error
    r = page(c, period="2026-13")
    assert r.status_code == 400 and "2026-Q1" in r.content.decode()
    r = page(c, period="2001-01")
    assert r.status_code == 400 and "no forecast for 2001-01" in r.content.decode()
    # the administrator sees the whole company, by quarter too
    body = page(client_for(admin_user), scope="all", period=this_quarter()).content.decode()
    assert "Whole company" in body and 'id="fc-expected"' in body
    # Russian numbers for a Russian user
    head.language = "ru"
    head.save()
    body = page(client_for(head)).content.decode()
    assert "\xa0₽" in body


def test_deal_page_shows_learned_probability_apart_from_manual(client_for, rep, computed):
    _, open_deals = computed
    deal = next(d for d in open_deals if d.owner_id == rep.pk)
    assert DealForecast.objects.filter(deal=deal).exists()
    body = client_for(rep).get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert 'id="learned-probability"' in body and "Learned win probability" in body
    assert "stage default" in body  # the manual / stage probability stays as it was


def test_no_closed_deals_is_a_documented_fallback(client_for, head, rep, stages):
    make_deal(owner=rep, stage=stages["closing"], title="Lonely")
    make_deal(owner=rep, stage=stages["qualification"], title="No amount", amount=0)
    run = compute_forecast(sims=300, backtest=False)
    assert run.status == "done" and "no_wins" in run.results["notes"]
    body = page(client_for(head)).content.decode()
    assert 'id="fc-no-wins"' in body and "nan" not in body.lower()
    assert "has no amount" in body


def test_no_deals_at_all(client_for, admin_user):
    run = compute_forecast(sims=200)
    assert run.status == "done" and run.results["notes"] == ["no_deals"]
    assert page(client_for(admin_user)).status_code == 200


def test_page_does_not_train(client_for, head, computed, django_assert_max_num_queries):
    n = ForecastRun.objects.count()
    c = client_for(head)
    page(c)
    with django_assert_max_num_queries(16):
        assert page(c).status_code == 200
    assert ForecastRun.objects.count() == n


def test_a_quarter_pattern_the_model_counts_with_is_said_in_words(client_for, head, computed):
    run, _ = computed
    run.results["model"]["calendar"] = None  # months even: nothing to say
    run.save(update_fields=["results"])
    assert 'id="fc-calendar"' not in page(client_for(head)).content.decode()
    run.results["model"]["calendar"] = [0.81, 0.92, 1.34]
    run.save(update_fields=["results"])
    body = page(client_for(head)).content.decode()
    assert "its first month brings ×0.81, the second ×0.92, the last ×1.34" in body
    head.language = "ru"
    head.save()
    body = page(client_for(head)).content.decode()
    assert "его первый месяц приносит ×0,81, второй ×0,92, последний ×1,34" in body


def test_a_history_without_recent_records_is_said_on_the_page(client_for, head, rep, stages):
    """A forecast made long after the history's last record (an old export imported
    today) says when that record was, in the user's language; a current history does
    not."""
    from datetime import date, timedelta

    from django.utils import timezone

    build_history(head, [rep], stages, n_closed=30, n_open=4)
    run = compute_forecast(sims=200, backtest=False)
    assert "stale_history" not in run.results["notes"]
    assert 'id="fc-history-end"' not in page(client_for(head)).content.decode()
    later = timezone.now() + timedelta(days=120)
    run = compute_forecast(now=later, sims=200, backtest=False)
    assert run.status == "done", run.error
    assert "stale_history" in run.results["notes"]
    last = run.results["model"]["history_end"]
    assert (
        timezone.localdate() - timedelta(days=30)
        <= date.fromisoformat(last)
        <= timezone.localdate()
    )
    c = client_for(head)
    body = page(c).content.decode()
    assert 'id="fc-history-end"' in body and "The history's last record is on" in body
    head.language = "ru"
    head.save()
    body = page(client_for(head)).content.decode()
    assert "Последняя запись истории" in body
