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


def _scoped(rows, team_id, user_id, key: str) -> Decimal | None:
    """``rows``: (team_id, user_id, period, amount) tuples already read from the database."""
    rows = [r for r in rows if r[2] == key]
    if user_id is not None:
        found = [r[3] for r in rows if r[1] == user_id]
        return sum(found, Decimal(0)) if found else None
    if team_id is not None:
        own = [r[3] for r in rows if r[0] == team_id and r[1] is None]
        if own:
            return sum(own, Decimal(0))
        reps = [r[3] for r in rows if r[0] == team_id and r[1] is not None]
        return sum(reps, Decimal(0)) if reps else None
    # the whole organisation: each team's plan (or its reps' sum)
    total, found = Decimal(0), False
    for tid in sorted({r[0] for r in rows}):
        v = _scoped(rows, tid, None, key)
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
    """The plan of a scope for a period (see the module doc for the fallbacks); one query.

    ``as_of``: the plans as they were known then (from their history), for the backtest.
    ``viewer``: restrict to the plans this user may see.
    """
    if as_of is not None:
        qs = SalesPlan.history.as_of(as_of)
    else:
        qs = visible_plans(viewer) if viewer is not None else SalesPlan.objects.all()
    if currency:
        qs = qs.filter(currency=currency)
    keys = [period.key] + ([m.key for m in period.months] if period.kind == "quarter" else [])
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    elif team_id is not None:
        qs = qs.filter(team_id=team_id)
    rows = list(qs.filter(period__in=keys).values_list("team_id", "user_id", "period", "amount"))
    value = _scoped(rows, team_id, user_id, period.key)
    if value is None and period.kind == "quarter":
        parts = [_scoped(rows, team_id, user_id, m.key) for m in period.months]
        if any(v is not None for v in parts):
            value = sum((v for v in parts if v is not None), Decimal(0))
    return value


def recent_changes(user, team: Team, limit: int = 15):
    """The latest changes of the team's plans the user may see (from the history)."""
    hist = SalesPlan.history.filter(team_id=team.pk).select_related("history_user", "user")
    if user.is_rep:
        hist = hist.filter(user_id=user.pk)
    return list(hist.order_by("-history_date", "-history_id")[:limit])
