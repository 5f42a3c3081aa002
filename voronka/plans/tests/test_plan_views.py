"""The plan grid and its cells, by role."""

from decimal import Decimal

import pytest
from django.urls import reverse

from voronka.plans.models import SalesPlan
from voronka.plans.services import plan_set

pytestmark = pytest.mark.django_db


def post_cell(client, **data):
    return client.post(reverse("plans:cell"), data, HTTP_HX_REQUEST="true")


def test_head_fills_a_cell_and_sees_it_in_the_grid(client_for, head, rep, team):
    c = client_for(head)
    r = post_cell(c, team=team.pk, user=rep.pk, period="2026-02", amount="1 250 000")
    assert r.status_code == 200
    assert f'id="cell-{team.pk}-{rep.pk}-2026-02"' in r.content.decode()
    assert "1,250,000" in r.content.decode()  # English user: English digits
    assert SalesPlan.objects.get().amount == Decimal("1250000")
    page = c.get(reverse("plans:grid"), {"year": 2026}).content.decode()
    assert "1,250,000" in page and str(rep) in page and "plan-input" in page


def test_russian_user_sees_russian_digits(client_for, head, team):
    head.language = "ru"
    head.save()
    c = client_for(head)
    r = post_cell(c, team=team.pk, period="2026-02", amount="1250000,5")
    assert "1\xa0250\xa0000,50" in r.content.decode()


def test_a_cell_keeps_the_digits_the_grid_wrote(client_for, head, team):
    """The English grid shows 1,500; saved again as typed it stays 1500 (it became 1.50).
    In Russian the comma is the decimal mark."""
    c = client_for(head)
    r = post_cell(c, team=team.pk, period="2026-02", amount="1,500")
    assert r.status_code == 200 and "1,500" in r.content.decode()
    assert SalesPlan.objects.get().amount == Decimal("1500")
    head.language = "ru"
    head.save()
    c = client_for(head)
    post_cell(c, team=team.pk, period="2026-02", amount="1,500")
    assert SalesPlan.objects.get().amount == Decimal("1.50")


def test_bad_cell_shows_its_error_and_saves_nothing(client_for, head, team):
    c = client_for(head)
    r = post_cell(c, team=team.pk, period="2026-02", amount="-5")
    assert r.status_code == 422
    assert "A plan cannot be negative." in r.content.decode()
    assert 'aria-invalid="true"' in r.content.decode()
    r = post_cell(c, team=team.pk, period="2026-14", amount="5")
    assert r.status_code == 422 and "2026-Q1" in r.content.decode()
    assert SalesPlan.objects.count() == 0


def test_other_team_is_404_and_unchanged(client_for, head, other_team, rep_other_team):
    c = client_for(head)
    assert post_cell(c, team=other_team.pk, period="2026-02", amount="5").status_code == 404
    r = post_cell(c, team=head.team_id, user=rep_other_team.pk, period="2026-02", amount="5")
    assert r.status_code == 404
    assert c.get(reverse("plans:grid"), {"team": other_team.pk}).status_code == 404
    r = post_cell(c, team=head.team_id, user="x", period="2026-02", amount="5")
    assert r.status_code == 404
    assert post_cell(c, team="", period="2026-02", amount="5").status_code == 404
    assert SalesPlan.objects.count() == 0


def test_rep_sees_own_plan_read_only(client_for, head, rep, other_rep, team):
    plan_set(by=head, team_id=team.pk, user_id=rep.pk, period="2026-05", amount="777000")
    plan_set(by=head, team_id=team.pk, user_id=other_rep.pk, period="2026-05", amount="888000")
    c = client_for(rep)
    page = c.get(reverse("plans:grid"), {"year": 2026}).content.decode()
    assert "777,000" in page and "888,000" not in page
    assert "plan-input" not in page and 'id="plan-readonly"' in page
    r = post_cell(c, team=team.pk, user=rep.pk, period="2026-05", amount="1")
    assert r.status_code == 403
    r = post_cell(c, team=team.pk, user=other_rep.pk, period="2026-05", amount="1")
    assert r.status_code == 404
    assert sorted(SalesPlan.objects.values_list("amount", flat=True)) == [
        Decimal("777000"),
        Decimal("888000"),
    ]


def test_quarters_and_admin_team_choice(client_for, admin_user, team, other_team):
    c = client_for(admin_user)
    r = c.get(reverse("plans:grid"), {"team": other_team.pk, "kind": "quarter", "year": 2026})
    page = r.content.decode()
    assert r.status_code == 200 and "Quarter 4" in page and "2026-Q4" in page
    assert post_cell(c, team=other_team.pk, period="2026-Q4", amount="5").status_code == 200


def test_grid_without_teams_says_so(client_for, admin_user):
    page = client_for(admin_user).get(reverse("plans:grid")).content.decode()
    assert 'id="plan-empty"' in page


def test_grid_query_count(client_for, head, rep, team, django_assert_max_num_queries):
    for m in range(1, 13):
        plan_set(by=head, team_id=team.pk, user_id=rep.pk, period=f"2026-{m:02d}", amount=m)
    c = client_for(head)
    with django_assert_max_num_queries(12):
        assert c.get(reverse("plans:grid"), {"year": 2026}).status_code == 200


def test_number_of_deals_is_saved_with_the_amount_and_shown(client_for, head, rep, team):
    c = client_for(head)
    r = post_cell(c, team=team.pk, user=rep.pk, period="2026-03", amount="900 000", deals="12")
    assert r.status_code == 200 and 'name="deals" value="12"' in r.content.decode()
    plan = SalesPlan.objects.get()
    assert (plan.amount, plan.deals) == (Decimal("900000"), 12)
    # the amount alone (an older form without the field) keeps the number of deals
    post_cell(c, team=team.pk, user=rep.pk, period="2026-03", amount="950000")
    plan.refresh_from_db()
    assert (plan.amount, plan.deals) == (Decimal("950000"), 12)
    # a number of deals without an amount is a zero-amount plan; both empty remove it
    post_cell(c, team=team.pk, period="2026-03", amount="", deals="30")
    team_plan = SalesPlan.objects.get(user=None)
    assert (team_plan.amount, team_plan.deals) == (Decimal("0"), 30)
    post_cell(c, team=team.pk, period="2026-03", amount="", deals="")
    assert not SalesPlan.objects.filter(user=None).exists()
    # the rep sees the count read-only
    page = client_for(rep).get(reverse("plans:grid"), {"year": 2026}).content.decode()
    assert "950,000" in page and "12 deals" in page and 'name="deals"' not in page


def test_bad_number_of_deals_keeps_what_was_typed_and_saves_nothing(client_for, head, team):
    c = client_for(head)
    r = post_cell(c, team=team.pk, period="2026-03", amount="5000", deals="2.5")
    assert r.status_code == 422
    page = r.content.decode()
    assert "The number of deals must be a whole number" in page
    assert 'name="amount" value="5000"' in page and 'name="deals" value="2.5"' in page
    assert SalesPlan.objects.count() == 0
