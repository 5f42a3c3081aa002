"""The forecast and plans in the REST API (token auth), within the user's zone."""

import json

import pytest
from django.test import Client

from voronka.accounts.services import api_token_create
from voronka.forecasting.compute import compute_forecast
from voronka.forecasting.tests.history import build_history, this_month
from voronka.plans.models import SalesPlan

pytestmark = pytest.mark.django_db


def api(user):
    _t, raw = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def put(client, body):
    return client.put("/api/forecast/plans/", json.dumps(body), content_type="application/json")


def test_forecast_by_period_and_scope(head, rep, other_rep, team, stages):
    build_history(head, [rep, other_rep], stages, n_closed=20, n_open=6)
    compute_forecast(sims=300, backtest=False)
    c = api(head)
    index = c.get("/api/forecast/").json()
    assert index["computed"] and this_month() in index["periods"]
    assert {s["key"] for s in index["scopes"]} >= {f"team:{team.pk}", f"user:{rep.pk}"}
    put(c, {"team": team.pk, "period": this_month(), "amount": "1000000.00"})
    r = c.get(f"/api/forecast/periods/{this_month()}", {"scope": f"team:{team.pk}"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["plan"] == "1000000.00" and 0 <= body["prob_meet_plan"] <= 1
    assert float(body["p10"]) <= float(body["p50"]) <= float(body["p90"])
    mine = api(rep).get(f"/api/forecast/periods/{this_month()}").json()
    assert mine["scope"] == f"user:{rep.pk}"
    assert all(m["title"].startswith(f"Open {rep.username}") for m in mine["movers"])
    assert (
        api(rep)
        .get(f"/api/forecast/periods/{this_month()}", {"scope": f"team:{team.pk}"})
        .status_code
        == 404
    )
    bad = c.get("/api/forecast/periods/2026-13")
    assert bad.status_code == 422 and bad.json()["code"] == "bad_period"


def test_plans_write_and_read(head, rep, team, other_team):
    c = api(head)
    r = put(c, {"team": team.pk, "user": rep.pk, "period": "2026-Q2", "amount": "500000"})
    assert r.status_code == 200 and r.json()["amount"] == "500000.00"
    assert put(c, {"team": team.pk, "period": "2026-05", "amount": "-1"}).status_code == 422
    r = put(c, {"team": team.pk, "period": "2026-5", "amount": "1"})
    assert r.status_code == 422 and r.json()["code"] == "bad_period"
    assert put(c, {"team": other_team.pk, "period": "2026-05", "amount": "1"}).status_code == 404
    assert put(c, {"team": team.pk, "period": "2026-05", "oops": 1}).status_code == 422
    assert SalesPlan.objects.count() == 1
    listed = api(rep).get("/api/forecast/plans/", {"year": 2026}).json()
    assert [p["period"] for p in listed] == ["2026-Q2"]
    r = put(api(rep), {"team": team.pk, "user": rep.pk, "period": "2026-Q2", "amount": "1"})
    assert r.status_code == 403
    r = put(c, {"team": team.pk, "user": rep.pk, "period": "2026-Q2", "amount": None})
    assert r.status_code == 204 and SalesPlan.objects.count() == 0


def test_no_run_yet(head):
    c = api(head)
    assert c.get("/api/forecast/").json()["computed"] is False
    assert c.get(f"/api/forecast/periods/{this_month()}").status_code == 404
