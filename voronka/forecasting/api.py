"""API of the forecast (per period, team, rep: the latest stored run, as on the page) and
of sales plans (read and write through the plan services)."""

from __future__ import annotations

from ninja import Query, Router, Status
from pydantic import BaseModel, Field

from voronka.api.common import READ_ERRORS, WRITE_ERRORS, ApiError, Id, In, money
from voronka.forecasting import selectors
from voronka.plans.errors import PlanError
from voronka.plans.models import SalesPlan
from voronka.plans.selectors import visible_plans
from voronka.plans.services import plan_set

router = Router(tags=["forecast"])

FIGURES = (
    "expected",
    "p10",
    "p50",
    "p90",
    "won_so_far",
    "open_expected",
    "new_expected",
    "open_weighted",
)


class ScopeOut(BaseModel):
    key: str
    label: str


class ForecastIndexOut(BaseModel):
    computed: bool
    as_of: str | None
    finished_at: str | None
    currency: str | None
    periods: list[str]
    scopes: list[ScopeOut]


class DealRefOut(BaseModel):
    id: int
    title: str
    amount: str | None
    probability: float | None = None


class FinalStageOut(BaseModel):
    n_deals: int
    n_without_date: int
    share_expected: float | None
    threshold: float
    prob_reach: float | None
    reaches: bool
    at_risk: list[DealRefOut]


class ForecastOut(BaseModel):
    period: str
    scope: str
    as_of: str
    currency: str
    expected: str | None
    p10: str | None
    p50: str | None
    p90: str | None
    won_so_far: str | None
    open_expected: str | None
    new_expected: str | None
    open_weighted: str | None
    plan: str | None
    prob_meet_plan: float | None
    gap: str | None
    coverage: float | None
    n_open: int
    no_amount: int
    final_stage: FinalStageOut
    movers: list[DealRefOut]


class ForecastParams(BaseModel):
    scope: str | None = Field(None, max_length=40, description="all, team:ID or user:ID")


def _m(v) -> str | None:
    return money(v) if v is not None else None


def _scope(user, key):
    scopes = selectors.scopes_for(user)
    if not key:
        return scopes[0]
    for s in scopes:
        if s.key == key:
            return s
    raise ApiError(404, "not_found")


@router.get("/", response={200: ForecastIndexOut, **READ_ERRORS})
def forecast_index(request):
    """What can be asked: the periods of the latest run and the user's scopes."""
    run = selectors.latest_run()
    return {
        "computed": run is not None,
        "as_of": run.as_of.isoformat() if run else None,
        "finished_at": run.finished_at.isoformat() if run and run.finished_at else None,
        "currency": run.currency if run else None,
        "periods": list(run.results.get("periods", {})) if run else [],
        "scopes": [{"key": s.key, "label": s.label} for s in selectors.scopes_for(request.auth)],
    }


@router.get("/periods/{period}", response={200: ForecastOut, **READ_ERRORS})
def forecast_period(request, period: str, params: Query[ForecastParams]):
    """The forecast of one period (``2026-11`` or ``2026-Q4``) for a scope."""
    user = request.auth
    scope = _scope(user, params.scope)
    p = selectors.parse_period_param(period)
    if p is None:
        raise ApiError(
            422, "bad_period", PlanError("bad_period").message, fields={"period": ["bad_period"]}
        )
    run = selectors.latest_run()
    stored = (run.results.get("periods", {}).get(p.key, {}) if run else {}).get(scope.key)
    if run is None or stored is None:
        raise ApiError(404, "not_found")
    r = selectors.with_plan(stored, selectors.scope_plan(scope, p, run.currency))
    final = stored.get("final", {})
    ids = {i["id"] for i in stored.get("movers", [])} | {i["id"] for i in final.get("at_risk", [])}
    titles = selectors.visible_deal_titles(user, ids)

    def refs(items, key):
        return [
            {
                "id": i["id"],
                "title": titles[i["id"]].title,
                "amount": _m(i.get("amount")),
                "probability": i.get(key),
            }
            for i in items
            if i["id"] in titles
        ]

    return {
        "period": p.key,
        "scope": scope.key,
        "as_of": run.as_of.isoformat(),
        "currency": run.currency,
        **{k: _m(r.get(k)) for k in FIGURES},
        "plan": _m(r.get("plan")),
        "prob_meet_plan": r.get("prob_meet_plan"),
        "gap": _m(r.get("gap")),
        "coverage": r.get("coverage"),
        "n_open": r.get("n_open", 0),
        "no_amount": r.get("no_amount", 0),
        "final_stage": {
            "n_deals": final.get("n_deals", 0),
            "n_without_date": final.get("n_without_date", 0),
            "share_expected": final.get("share_expected"),
            "threshold": final.get("threshold", 0.9),
            "prob_reach": final.get("prob_reach"),
            "reaches": bool(final.get("reaches")),
            "at_risk": refs(final.get("at_risk", []), "p_by_date"),
        },
        "movers": refs(stored.get("movers", []), "p_win"),
    }


# ---------------------------------------------------------------- plans


class PlanOut(BaseModel):
    id: int
    team: int
    user: int | None
    period: str
    amount: str
    currency: str
    deals: int | None


class PlanParams(BaseModel):
    year: int | None = Field(None, ge=2000, le=2100)
    team: Id | None = None


class PlanIn(In):
    team: Id
    user: Id | None = None
    period: str = Field(..., max_length=10, examples=["2026-03", "2026-Q1"])
    amount: str | None = Field(
        None,
        max_length=30,
        description="Decimal string; null or empty removes the plan",
        examples=["1500000.00"],
    )
    currency: str | None = Field(None, max_length=3)
    deals: int | None = Field(None, ge=0, le=10**9)


def plan_out(p: SalesPlan) -> dict:
    return {
        "id": p.pk,
        "team": p.team_id,
        "user": p.user_id,
        "period": p.period,
        "amount": money(p.amount),
        "currency": p.currency,
        "deals": p.deals,
    }


@router.get("/plans/", response={200: list[PlanOut], **READ_ERRORS})
def plan_list(request, params: Query[PlanParams]):
    """Plans the user may see (a rep: only their own)."""
    qs = visible_plans(request.auth)
    if params.year:
        qs = qs.filter(year=params.year)
    if params.team:
        qs = qs.filter(team_id=params.team)
    return [plan_out(p) for p in qs.order_by("year", "period", "team_id", "user_id")[:2000]]


@router.put("/plans/", response={200: PlanOut, 204: None, **WRITE_ERRORS})
def plan_put(request, payload: PlanIn):
    """Set one plan (team plan without ``user``); an empty amount removes it."""
    try:
        plan = plan_set(
            by=request.auth,
            team_id=payload.team,
            user_id=payload.user,
            period=payload.period,
            amount=payload.amount,
            currency=payload.currency,
            deals=payload.deals,
        )
    except PlanError as exc:
        if exc.code == "not_found":
            raise ApiError(404, "not_found") from None
        if exc.code == "forbidden":
            raise ApiError(403, "forbidden", exc.message) from None
        raise ApiError(422, exc.code, exc.message, fields={"__all__": [exc.message]}) from None
    if plan is None:
        return Status(204, None)
    return Status(200, plan_out(plan))
