"""Reads for the forecast page and API: the latest stored run, cut to the user's zone.

Scopes a user may look at: an admin the organisation, every team and every rep; a head
of sales their team and its members; a rep only themself. Anything else is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from voronka.accounts.models import Team, User
from voronka.deals.models import Deal
from voronka.forecasting.compute import prob_at_least
from voronka.forecasting.models import BacktestRun, ForecastRun, RunStatus
from voronka.plans.selectors import plan_total
from voronka.plans.values import Period, ValueProblem, parse_period


@dataclass(frozen=True)
class Scope:
    key: str  # "all", "team:3", "user:7"
    label: str
    team_id: int | None = None
    user_id: int | None = None


def scopes_for(user) -> list[Scope]:
    from django.utils.translation import gettext as _

    out: list[Scope] = []
    if user.is_admin:
        out.append(Scope("all", _("Whole company")))
        teams = Team.objects.order_by("name")
        members = User.objects.filter(is_active=True).exclude(team=None)
    elif user.is_head and user.team_id:
        teams = Team.objects.filter(pk=user.team_id)
        members = User.objects.filter(is_active=True, team_id=user.team_id)
    else:
        return [Scope(f"user:{user.pk}", str(user), user.team_id, user.pk)]
    for t in teams:
        out.append(Scope(f"team:{t.pk}", t.name, t.pk, None))
    for u in members.order_by("first_name", "last_name", "username"):
        out.append(Scope(f"user:{u.pk}", str(u), u.team_id, u.pk))
    if user.is_head and not any(s.user_id == user.pk for s in out):
        out.append(Scope(f"user:{user.pk}", str(user), user.team_id, user.pk))
    return out


def latest_run() -> ForecastRun | None:
    return ForecastRun.objects.filter(status=RunStatus.DONE).order_by("-created_at", "-pk").first()


def latest_backtest(currency: str) -> BacktestRun | None:
    return BacktestRun.objects.filter(currency=currency).order_by("-created_at", "-pk").first()


def parse_period_param(text) -> Period | None:
    try:
        return parse_period(text)
    except ValueProblem:
        return None


def scope_plan(scope: Scope, period: Period, currency: str):
    return (
        plan_total(period=period, team_id=scope.team_id, user_id=scope.user_id, currency=currency)
        if scope.key != "all"
        else plan_total(period=period, currency=currency)
    )


def with_plan(result: dict, plan) -> dict:
    """The stored figures plus those that depend on today's plan."""
    out = dict(result)
    if plan is None:
        out.update(plan=None, prob_meet_plan=None, gap=None, coverage=None, remaining=None)
        return out
    plan = float(plan)
    won = result.get("won_so_far") or 0.0
    remaining = plan - won
    weighted = result.get("open_weighted") or 0.0
    out.update(
        plan=plan,
        prob_meet_plan=prob_at_least(result.get("quantiles"), plan),
        gap=plan - (result.get("expected") or 0.0),
        remaining=remaining,
        coverage=(weighted / remaining) if remaining > 0 else None,
    )
    return out


def visible_deal_titles(user, ids) -> dict[int, Deal]:
    """The deals among ``ids`` the user may open (others are left out of every list)."""
    if not ids:
        return {}
    qs = Deal.objects.visible_to(user).filter(pk__in=list(ids)).only("pk", "title", "currency")
    return {d.pk: d for d in qs}


def run_age(run: ForecastRun):
    return timezone.now() - (run.finished_at or run.created_at)
