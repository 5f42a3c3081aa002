"""The board in a real browser: drag and drop, the refusal panel, the Move-to menu."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from voronka.core.testing import make_deal
from voronka.deals.models import Deal, StageChange
from voronka.deals.selectors import format_money

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def money_en(amount):
    with translation.override("en"):
        return format_money(Decimal(amount), "RUB")


def norm(text):
    return " ".join(text.replace("\xa0", " ").split())


def header(page, kind, stage):
    return norm(page.locator(f"#col-{kind}-{stage.pk}").text_content())


def test_drag_is_refused_then_succeeds_after_scheduling_a_next_step(
    live_server, login_page, rep, stages
):
    q, p = stages["qualification"], stages["probability"]
    deal = make_deal(owner=rep, stage=q, title="Drag me", amount=Decimal("100000"))
    make_deal(owner=rep, stage=p, title="Already there", amount=Decimal("50000"))
    page = login_page(rep)
    board = f"{live_server.url}/deals/board/{q.pipeline_id}/"
    page.goto(board)

    assert header(page, "count", q) == "1"
    assert header(page, "count", p) == "1"
    assert header(page, "sum", q) == norm(money_en(100000))
    assert header(page, "sum", p) == norm(money_en(50000))

    page.drag_and_drop(f"#deal-card-{deal.pk}", f"#col-{p.pk}")
    panel = page.locator("#move-panel .refusal")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Schedule a next step")
    expect(page.locator(f"#col-cards-{q.pk} #deal-card-{deal.pk}")).to_be_visible()
    assert header(page, "count", q) == "1"
    assert Deal.objects.get(pk=deal.pk).stage_id == q.pk

    # Schedule a next step on the deal page.
    page.locator(f"#deal-card-{deal.pk} a.deal-title").click()
    page.wait_for_url(f"**/deals/{deal.pk}/")
    page.select_option("#id_kind", "call")
    page.fill("#id_subject", "Call the buyer")
    page.fill("#id_due_date", (dt.date.today() + dt.timedelta(days=2)).isoformat())
    page.fill("#id_due_time", "10:00")
    page.click("#schedule-form button[type=submit]")
    expect(page.locator("#missing-panel")).to_contain_text("Nothing: the deal may move on.")

    # Back to the board: drag again.
    page.goto(board)
    page.drag_and_drop(f"#deal-card-{deal.pk}", f"#col-{p.pk}")
    expect(page.locator(f"#col-cards-{p.pk} #deal-card-{deal.pk}")).to_be_visible()
    expect(page.locator(f"#col-cards-{q.pk} #deal-card-{deal.pk}")).to_have_count(0)
    expect(page.locator(f"#col-count-{q.pk}")).to_have_text("0")
    expect(page.locator(f"#col-count-{p.pk}")).to_have_text("2")
    assert header(page, "sum", q) == norm(money_en(0))
    assert header(page, "sum", p) == norm(money_en(150000))
    assert Deal.objects.get(pk=deal.pk).stage_id == p.pk
    assert StageChange.objects.filter(deal=deal, to_stage=p).count() == 1


def test_move_to_menu_asks_for_a_lost_reason(live_server, login_page, rep, stages):
    q, lost = stages["qualification"], stages["lost"]
    deal = make_deal(owner=rep, stage=q, title="Menu deal", amount=Decimal("700"))
    page = login_page(rep)
    page.goto(f"{live_server.url}/deals/board/{q.pipeline_id}/")

    # Keyboard: focus the menu, choose "Lost", press the Move button.
    page.focus(f"#move-{deal.pk}")
    page.select_option(f"#move-{deal.pk}", str(lost.pk))
    page.press(f"#deal-card-{deal.pk} .move-form button", "Enter")
    panel = page.locator("#move-panel .refusal")
    expect(panel).to_contain_text("Choose the reason the deal was lost.")
    expect(page.locator(f"#move-{deal.pk}")).to_have_value(str(q.pk))

    page.select_option("#move-panel select[name=lost_reason]", index=1)
    page.click("#move-panel button[type=submit]")
    expect(page.locator("#move-panel .move-ok")).to_be_visible()
    expect(page.locator(f"#deal-card-{deal.pk}")).to_have_count(0)
    expect(page.locator(f"#col-count-{q.pk}")).to_have_text("0")
    moved = Deal.objects.get(pk=deal.pk)
    assert moved.stage_id == lost.pk and moved.lost_reason_id is not None
