"""Reads of sales plans, always from ``SalesPlan.objects.visible_to(user)``.

Which plan a forecast compares with (documented fallback): the plan set for exactly that
period and scope; a team without its own plan counts the sum of its reps' plans; a quarter
without a plan counts the sum of its months' plans; with nothing set there is no plan and
the page shows no plan figures (never a zero plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from voronka.accounts.models import Team, User
from voronka.plans.models import SalesPlan
from voronka.plans.services import visible_teams
from voronka.plans.values import Period, periods_of_year


def visible_plans(user):
    return SalesPlan.objects.visible_to(user)


def grid_teams(user):
    """Teams whose plans the user may look at in the grid."""
    return visible_teams(user).order_by("name")


@dataclass
class Cell:
    period: Period
    plan: SalesPlan | None


@dataclass
class Row:
    team: Team
    user: User | None
    cells: list[Cell]

    @property
    def key(self) -> str:
        return f"{self.team.pk}-{self.user.pk if self.user else 'team'}"


def plan_grid(user, team: Team, year: int, kind: str) -> list[Row]:
    """Rows: the team itself, then each active rep of the team (a rep: only their own)."""
    periods = periods_of_year(year, kind)
    keys = [p.key for p in periods]
    plans = {
        (pl.user_id, pl.period): pl for pl in visible_plans(user).filter(team=team, period__in=keys)
    }
    members = User.objects.visible_to(user).filter(team=team, is_active=True)
    owners: list = []
    if user.is_rep:
        members = members.filter(pk=user.pk)
    else:
        owners.append(None)
    owners += list(members.order_by("first_name", "last_name", "username"))
    rows = []
    for owner in owners:
        uid = owner.pk if owner else None
        rows.append(Row(team, owner, [Cell(p, plans.get((uid, p.key))) for p in periods]))
    return rows


def _amount(qs, period: Period) -> Decimal | None:
    rows = list(qs.filter(period=period.key).values_list("amount", flat=True))
    return sum(rows, Decimal(0)) if rows else None


def _scoped(qs, team_id, user_id, period: Period) -> Decimal | None:
    if user_id is not None:
        return _amount(qs.filter(user_id=user_id), period)
    if team_id is not None:
        own = _amount(qs.filter(team_id=team_id, user__isnull=True), period)
        if own is not None:
            return own
        return _amount(qs.filter(team_id=team_id, user__isnull=False), period)
    # the whole organisation: each team's plan (or its reps' sum)
    total, found = Decimal(0), False
    for tid in sorted(set(qs.filter(period=period.key).values_list("team_id", flat=True))):
        v = _scoped(qs, tid, None, period)
        if v is not None:
            total += v
            found = True
    return total if found else None


def plan_total(
    *,
    period: Period,
    team_id: int | None = None,
    user_id: int | None = None,
    currency: str | None = None,
    as_of: datetime | None = None,
    viewer=None,
) -> Decimal | None:
    """The plan of a scope for a period (see the module doc for the fallbacks).

    ``as_of``: the plans as they were known then (from their history), for the backtest.
    ``viewer``: restrict to the plans this user may see.
    """
    if as_of is not None:
        qs = SalesPlan.history.as_of(as_of)
    else:
        qs = visible_plans(viewer) if viewer is not None else SalesPlan.objects.all()
    if currency:
        qs = qs.filter(currency=currency)
    value = _scoped(qs, team_id, user_id, period)
    if value is None and period.kind == "quarter":
        parts = [_scoped(qs, team_id, user_id, m) for m in period.months]
        if any(v is not None for v in parts):
            value = sum((v for v in parts if v is not None), Decimal(0))
    return value


def recent_changes(user, team: Team, limit: int = 15):
    """The latest changes of the team's plans the user may see (from the history)."""
    hist = SalesPlan.history.filter(team_id=team.pk).select_related("history_user", "user")
    if user.is_rep:
        hist = hist.filter(user_id=user.pk)
    return list(hist.order_by("-history_date", "-history_id")[:limit])
