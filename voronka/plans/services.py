"""Writes to sales plans: validated, atomic, each change kept in the plan's history."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from voronka.accounts.models import Team, User
from voronka.plans.errors import PlanError
from voronka.plans.models import SalesPlan
from voronka.plans.values import ValueProblem, parse_amount, parse_count, parse_period


def visible_teams(user):
    """Teams in the user's zone (``Team`` has a plain manager, so the rule is applied here)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    q = Team.visibility_q(user)
    return Team.objects.all() if q is None else Team.objects.filter(q)


def can_edit_team(by, team_id) -> bool:
    if by is None or not by.is_authenticated or not by.is_active:
        return False
    if by.is_admin:
        return True
    return by.is_head and by.team_id is not None and by.team_id == team_id


def _check_scope(by, team_id, user_id):
    """A team or rep outside the editor's zone is "not found"; a rep may not edit."""
    team = visible_teams(by).filter(pk=team_id).first() if team_id else None
    if team is None:
        raise PlanError("not_found")
    user = None
    if user_id:
        user = User.objects.visible_to(by).filter(pk=user_id).first()
        if user is None:
            raise PlanError("not_found")
    if not can_edit_team(by, team.pk):
        if by.is_rep and (user is None or user.pk == by.pk):
            raise PlanError("forbidden")
        raise PlanError("not_found")
    if user is not None and user.team_id != team.pk:
        raise PlanError("rep_not_in_team")
    return team, user


@transaction.atomic
def plan_set(*, by, team_id, period, amount, user_id=None, currency=None, deals=None, decimal="."):
    """Create, change or (with an empty amount) remove one plan. Returns the plan or None.

    ``amount`` and ``deals`` may be typed text (``decimal``: the decimal mark of the
    language it is typed in); ``period`` is ``2026-03`` or ``2026-Q1``.
    """
    team, user = _check_scope(by, team_id, user_id)
    try:
        p = parse_period(period)
        value = parse_amount(amount, decimal)
        n_deals = parse_count(deals)
    except ValueProblem as exc:
        raise PlanError(exc.code) from None
    currency = (currency or settings.VORONKA_DEFAULT_CURRENCY).upper()
    if currency not in settings.VORONKA_CURRENCIES:
        raise PlanError("bad_currency")
    existing = (
        SalesPlan.objects.select_for_update().filter(team=team, user=user, period=p.key).first()
    )
    if value is None and n_deals is None:
        if existing is not None:
            existing._history_user = by
            existing.delete()
        return None
    plan = existing or SalesPlan(team=team, user=user, period=p.key, kind=p.kind, year=p.year)
    if value is not None or existing is None:
        plan.amount = value if value is not None else 0  # only a number of deals: amount kept
    plan.currency = currency
    plan.deals = n_deals if deals is not None else (existing.deals if existing else None)
    plan._history_user = by
    plan.save()
    return plan
