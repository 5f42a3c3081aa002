"""The deal page in a real browser: move, edit, answer; the timeline shows what happened."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from voronka.core.testing import make_activity, make_deal
from voronka.deals.models import Deal, DealAnswer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_timeline_shows_the_stage_change_and_the_amount_change(
    live_server, login_page, rep, stages
):
    q, p = stages["qualification"], stages["probability"]
    deal = make_deal(owner=rep, stage=q, title="Timeline deal", amount=Decimal("100000"))
    make_activity(deal=deal, owner=rep, due_in_days=2, subject="Call the buyer")
    page = login_page(rep)
    page.goto(f"{live_server.url}/deals/{deal.pk}/")

    # Move through the page's own move form (htmx, then the page reloads).
    page.select_option("#move-stage", str(p.pk))
    page.click("#deal-move-form button[type=submit]")
    expect(page.locator("#deal-stage")).to_have_text(p.name)
    timeline = page.locator("#timeline")
    expect(timeline.locator(".tl-stage").first).to_contain_text(f"{q.name} → {p.name}")

    # Edit the amount.
    page.fill("#id_amount", "250000")
    page.click("#deal-edit-form button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("The deal is saved.")
    change = timeline.locator(".tl-fields li").filter(has_text="Amount")
    expect(change).to_have_count(1)
    expect(change.locator(".tl-old")).to_have_text("100,000.00")
    expect(change.locator(".tl-new")).to_have_text("250,000.00")
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("250000")

    # Answer a control question of the new stage; the edit form keeps a fresh version,
    # so saving afterwards is not a false conflict.
    question = page.locator("form.question").first
    question.locator("input[value=yes]").check()
    question.locator("button[type=submit]").click()
    expect(page.locator("#missing-panel li")).to_have_count(2)
    page.fill("#id_source", "Exhibition")
    page.click("#deal-edit-form button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("The deal is saved.")
    assert DealAnswer.objects.filter(deal=deal, answer="yes").count() == 1
    assert Deal.objects.get(pk=deal.pk).source == "Exhibition"
