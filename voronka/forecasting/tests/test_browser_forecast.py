"""The plan grid and the forecast page in a real browser."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from voronka.forecasting.tests.history import build_history, today
from voronka.plans.models import SalesPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_grid_saves_cells_and_shows_errors_in_place(live_server, login_page, head, rep, team):
    page = login_page(head)
    year = today().year
    page.goto(f"{live_server.url}/plans/?year={year}")
    cell = f"#cell-{team.pk}-{rep.pk}-{year}-03"
    page.fill(f"{cell} .plan-input", "1 500 000")
    page.keyboard.press("Enter")  # saves and moves down a row
    expect(page.locator(f"{cell}.saved .plan-input")).to_have_value("1,500,000")
    assert SalesPlan.objects.get(user=rep).amount == 1500000
    page.fill(f"{cell} .plan-deals", "8")
    with page.expect_response("**/plans/cell/") as answer:
        page.keyboard.press("Tab")
    assert answer.value.status == 200
    expect(page.locator(f"{cell}.saved .plan-deals")).to_have_value("8")
    plan = SalesPlan.objects.get(user=rep)
    assert (plan.amount, plan.deals) == (1500000, 8)

    bad = f"#cell-{team.pk}-team-{year}-04"
    page.fill(f"{bad} .plan-input", "-10")
    page.keyboard.press("Tab")
    expect(page.locator(f"{bad} .cell-error")).to_have_text("A plan cannot be negative.")
    # Tab went on to the cell's number of deals; the refused cell swapped in keeps it there.
    expect(page.locator(f"{bad} .plan-deals")).to_be_focused()
    assert SalesPlan.objects.count() == 1

    page.fill(f"{bad} .plan-input", "2000000")
    page.keyboard.press("Tab")
    expect(page.locator(f"{bad}.saved .plan-input")).to_have_value("2,000,000")
    expect(page.locator(f"{bad} .cell-error")).to_have_count(0)
    page.select_option("#plan-kind", "quarter")
    expect(page.locator(f"#cell-{team.pk}-team-{year}-Q2 .plan-input")).to_be_visible()


def test_forecast_page_from_compute_now_to_figures(live_server, login_page, head, rep, stages):
    build_history(head, [rep], stages, n_closed=16, n_open=5)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the history's own refresh request
    page = login_page(head)
    page.goto(f"{live_server.url}/forecast/")
    expect(page.locator("#fc-none")).to_be_visible()
    page.click("#fc-compute")
    expect(page.locator("#fc-status")).to_contain_text("A recomputation is queued")
    DBTaskResult.objects.update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    page.reload()
    expect(page.locator("#fc-expected")).to_be_visible()
    expect(page.locator("#fc-range")).to_contain_text("RUB")
    assert "NaN" not in page.content()
    page.select_option("#fc-scope", f"user:{rep.pk}")
    page.wait_for_url(f"**scope=user%3A{rep.pk}**")
    expect(page.locator("#fc-summary h2")).to_contain_text(str(rep))
    mover = page.locator("#fc-movers a").first
    expect(mover).to_be_visible()
    mover.click()
    expect(page.locator("#learned-probability")).to_be_visible()
