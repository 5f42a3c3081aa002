"""The plan grid: rows are the team and its reps, columns the months or quarters of a year.
Each cell saves itself (htmx) and shows its own error."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from voronka.accounts.models import User
from voronka.core.numbers import decimal_mark
from voronka.deals.selectors import format_money
from voronka.plans import selectors
from voronka.plans.errors import PlanError
from voronka.plans.formatting import format_plan_amount
from voronka.plans.services import can_edit_team, plan_set
from voronka.plans.values import ValueProblem, parse_period

KINDS = ("month", "quarter")


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _deals_text(n) -> str:
    return "" if n is None else str(n)


def _changes(user, team):
    changes = selectors.recent_changes(user, team)
    for h in changes:
        h.display = format_money(h.amount, h.currency)
        if h.deals is not None:
            h.display += " · " + ngettext("%(n)s deal", "%(n)s deals", h.deals) % {"n": h.deals}
    return changes


@require_GET
@login_required
def grid(request):
    user = request.user
    year = _int(request.GET.get("year"), timezone.localdate().year)
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else "month"
    teams = list(selectors.grid_teams(user))
    team = None
    wanted = _int(request.GET.get("team"))
    if wanted is not None:
        team = next((t for t in teams if t.pk == wanted), None)
        if team is None:
            raise Http404
    elif teams:
        team = next((t for t in teams if t.pk == user.team_id), teams[0])
    rows = selectors.plan_grid(user, team, year, kind) if team else []
    editable = bool(team) and can_edit_team(user, team.pk)
    for row in rows:
        for cell in row.cells:
            cell.text = format_plan_amount(cell.plan.amount if cell.plan else None)
            cell.deals = cell.plan.deals if cell.plan else None
            cell.deals_text = _deals_text(cell.deals)
    return render(
        request,
        "plans/grid.html",
        {
            "teams": teams,
            "team": team,
            "year": year,
            "years": range(year - 2, year + 3),
            "kind": kind,
            "rows": rows,
            "periods": rows[0].cells if rows else [],
            "editable": editable,
            "currency": settings.VORONKA_DEFAULT_CURRENCY,
            "changes": _changes(user, team) if team else [],
        },
    )


@require_POST
@login_required
def cell(request):
    """Save one cell; answers with the cell (its error inside it on bad input)."""
    user = request.user
    team_id = _int(request.POST.get("team"))
    user_id = _int(request.POST.get("user")) if request.POST.get("user") else None
    if (request.POST.get("user") and user_id is None) or team_id is None:
        raise Http404
    raw = request.POST.get("amount", "")
    # The number of deals is optional; a form without the field keeps the stored one. A
    # number of deals without an amount is a plan of zero amount; both empty remove it.
    deals = request.POST.get("deals")
    if deals is not None and deals.strip() and not raw.strip():
        raw = "0"
    try:
        period = parse_period(request.POST.get("period", ""))
    except ValueProblem:
        period = None
    try:
        plan = plan_set(
            by=user,
            team_id=team_id,
            user_id=user_id,
            period=request.POST.get("period", ""),
            amount=raw,
            deals=deals,
            decimal=decimal_mark(),
        )
    except PlanError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        status = 403 if exc.code == "forbidden" else 422
        return render(
            request,
            "plans/cell.html",
            {
                "team_id": team_id,
                "user_id": user_id,
                "period": period,
                "period_key": request.POST.get("period", ""),
                "text": request.POST.get("amount", ""),
                "deals_text": deals or "",
                "error": exc.message,
                "editable": status != 403,
            },
            status=status,
        )
    owner = User.objects.filter(pk=user_id).first() if user_id else None
    return render(
        request,
        "plans/cell.html",
        {
            "team_id": team_id,
            "user_id": user_id,
            "owner": owner,
            "period": period,
            "period_key": period.key,
            "text": format_plan_amount(plan.amount if plan else None),
            "deals": plan.deals if plan else None,
            "deals_text": _deals_text(plan.deals if plan else None),
            "saved": True,
            "editable": True,
        },
    )
