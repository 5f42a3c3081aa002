"""Setting plans: who may, what is refused, history kept, fallbacks for the forecast."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from voronka.plans.errors import PlanError
from voronka.plans.models import SalesPlan
from voronka.plans.selectors import plan_grid, plan_total
from voronka.plans.services import plan_set
from voronka.plans.values import parse_period

pytestmark = pytest.mark.django_db


def test_head_sets_team_and_rep_plans_with_history(head, rep, team):
    plan = plan_set(by=head, team_id=team.pk, period="2026-03", amount="1 000 000")
    assert plan.amount == Decimal("1000000.00") and plan.user is None and plan.kind == "month"
    plan_set(by=head, team_id=team.pk, period="2026-03", amount="1 200 000")
    plan_set(by=head, team_id=team.pk, user_id=rep.pk, period="2026-Q1", amount="300000")
    assert SalesPlan.objects.count() == 2
    team_plan = SalesPlan.objects.get(user=None)
    assert [h.amount for h in team_plan.history.order_by("history_date")] == [
        Decimal("1000000.00"),
        Decimal("1200000.00"),
    ]
    assert team_plan.history.first().history_user == head


def test_empty_amount_removes_the_plan_and_keeps_its_history(head, team):
    plan_set(by=head, team_id=team.pk, period="2026-04", amount="5")
    assert plan_set(by=head, team_id=team.pk, period="2026-04", amount="") is None
    assert SalesPlan.objects.count() == 0
    assert SalesPlan.history.filter(history_type="-").count() == 1


@pytest.mark.parametrize(
    "period,amount,code",
    [
        ("2026-13", "5", "bad_period"),
        ("March", "5", "bad_period"),
        ("2026-03", "-1", "negative"),
        ("2026-03", "много", "bad_amount"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(head, team, period, amount, code):
    with pytest.raises(PlanError) as exc:
        plan_set(by=head, team_id=team.pk, period=period, amount=amount)
    assert exc.value.code == code
    assert SalesPlan.objects.count() == 0
    with translation.override("ru"):
        assert exc.value.message != code


def test_messages_are_translated():
    with translation.override("en"):
        en = PlanError("negative").message
    assert en == "A plan cannot be negative."


def test_head_cannot_plan_for_another_team_or_its_rep(head, team, other_team, rep_other_team):
    with pytest.raises(PlanError) as exc:
        plan_set(by=head, team_id=other_team.pk, period="2026-03", amount="5")
    assert exc.value.code == "not_found"
    with pytest.raises(PlanError) as exc:
        plan_set(by=head, team_id=team.pk, user_id=rep_other_team.pk, period="2026-03", amount="5")
    assert exc.value.code == "not_found"
    assert SalesPlan.objects.count() == 0


def test_admin_may_not_put_a_rep_into_another_teams_plan(admin_user, other_team, rep):
    with pytest.raises(PlanError) as exc:
        plan_set(by=admin_user, team_id=other_team.pk, user_id=rep.pk, period="2026-03", amount=1)
    assert exc.value.code == "rep_not_in_team"


def test_rep_cannot_set_plans(rep, team):
    with pytest.raises(PlanError) as exc:
        plan_set(by=rep, team_id=team.pk, user_id=rep.pk, period="2026-03", amount="5")
    assert exc.value.code == "forbidden"
    assert SalesPlan.objects.count() == 0


def test_rep_sees_only_their_own_plan(head, rep, other_rep, team):
    plan_set(by=head, team_id=team.pk, period="2026-03", amount="9")
    plan_set(by=head, team_id=team.pk, user_id=rep.pk, period="2026-03", amount="3")
    plan_set(by=head, team_id=team.pk, user_id=other_rep.pk, period="2026-03", amount="4")
    assert [p.user_id for p in SalesPlan.objects.visible_to(rep)] == [rep.pk]
    rows = plan_grid(rep, team, 2026, "month")
    assert [r.user for r in rows] == [rep]
    assert rows[0].cells[2].plan.amount == Decimal("3.00")
    head_rows = plan_grid(head, team, 2026, "month")
    assert head_rows[0].user is None and len(head_rows) == 4  # team, head, two reps


def test_plan_total_fallbacks(head, rep, other_rep, team):
    march, q1 = parse_period("2026-03"), parse_period("2026-Q1")
    assert plan_total(period=march, team_id=team.pk) is None
    plan_set(by=head, team_id=team.pk, user_id=rep.pk, period="2026-03", amount="3")
    plan_set(by=head, team_id=team.pk, user_id=other_rep.pk, period="2026-03", amount="4")
    assert plan_total(period=march, team_id=team.pk) == Decimal("7")  # sum of the reps
    assert plan_total(period=q1, team_id=team.pk) == Decimal("7")  # sum of the months
    plan_set(by=head, team_id=team.pk, period="2026-03", amount="10")
    assert plan_total(period=march, team_id=team.pk) == Decimal("10")
    assert plan_total(period=march, user_id=rep.pk) == Decimal("3")
    assert plan_total(period=march) == Decimal("10")
    plan_set(by=head, team_id=team.pk, period="2026-Q1", amount="50")
    assert plan_total(period=q1, team_id=team.pk) == Decimal("50")


def test_plan_total_as_of_reads_the_history(head, team):
    march = parse_period("2026-03")
    plan_set(by=head, team_id=team.pk, period="2026-03", amount="100")
    between = timezone.now()
    SalesPlan.history.update(history_date=between - timedelta(days=1))
    plan_set(by=head, team_id=team.pk, period="2026-03", amount="250")
    assert plan_total(period=march, team_id=team.pk, as_of=between) == Decimal("100")
    assert plan_total(period=march, team_id=team.pk) == Decimal("250")
    assert plan_total(period=march, team_id=team.pk, as_of=between - timedelta(days=2)) is None


def test_number_of_deals_alone_keeps_the_amount(head, team):
    plan_set(by=head, team_id=team.pk, period="2026-05", amount="700", deals="3")
    plan = plan_set(by=head, team_id=team.pk, period="2026-05", amount=None, deals="5")
    assert (plan.amount, plan.deals) == (Decimal("700.00"), 5)
    plan = plan_set(by=head, team_id=team.pk, period="2026-05", amount="800")
    assert (plan.amount, plan.deals) == (Decimal("800.00"), 5)
