"""In a real browser: filter the deal list by stage and text, sort by amount, page on."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from voronka.core.testing import make_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row_titles(page):
    return page.locator("#deal-table tbody tr[data-deal] td.deal-title a").all_inner_texts()


def test_filter_sort_and_page_the_deal_list(
    rep, other_rep, stages, login_page, live_server, settings
):
    settings.VORONKA_LIST_PAGE_SIZE = 3
    qualification = stages["qualification"]
    # amounts deliberately out of creation order
    for n, amount in [(4, 4000), (1, 1000), (7, 7000), (3, 3000), (6, 6000), (2, 2000), (5, 5000)]:
        make_deal(owner=rep, stage=qualification, title=f"Сделка {n}", amount=Decimal(amount))
    make_deal(owner=rep, stage=qualification, title="Поставка 8", amount=Decimal(500))
    make_deal(owner=rep, stage=stages["lead"], title="Сделка из лида", amount=Decimal(100))
    make_deal(owner=other_rep, stage=qualification, title="Сделка чужая", amount=Decimal(50))

    page = login_page(rep)
    page.goto(f"{live_server.url}/deals/")
    count = page.locator("#deal-count")
    expect(count).to_have_text(re.compile(r"^\s*9 deals\s*$"))

    # Stage filter: htmx swaps the table and pushes the URL.
    page.select_option("#id_stage", str(qualification.pk))
    expect(count).to_have_text(re.compile(r"^\s*8 deals\s*$"))
    expect(page).to_have_url(re.compile(rf"stage={qualification.pk}"))

    # Text search, lower case against capitalised Cyrillic titles.
    page.fill("#id_q", "сделка")
    expect(count).to_have_text(re.compile(r"^\s*7 deals\s*$"))
    expect(page).to_have_url(re.compile(r"q=%D1%81%D0%B4"))

    # Sort by amount, ascending.
    page.click("#deal-table th a[data-sort=amount]")
    expect(page.locator("#deal-table th[aria-sort=ascending] a[data-sort=amount]")).to_be_visible()
    assert row_titles(page) == ["Сделка 1", "Сделка 2", "Сделка 3"]
    expect(page).to_have_url(re.compile(r"sort=amount"))

    # Page 2 keeps the filters and the order.
    page.click("#deal-table a[rel=next]")
    expect(page.locator(".current-page")).to_have_text("Page 2 of 3")
    assert row_titles(page) == ["Сделка 4", "Сделка 5", "Сделка 6"]
    expect(page).to_have_url(re.compile(r"page=2"))
    assert "Сделка чужая" not in page.content()

    # Descending from page 2 starts again at page 1.
    page.click("#deal-table th a[data-sort=amount]")
    expect(page.locator("#deal-table th[aria-sort=descending] a[data-sort=amount]")).to_be_visible()
    assert row_titles(page) == ["Сделка 7", "Сделка 6", "Сделка 5"]

    # A filter change keeps the chosen order (the sort input belongs to the filter form).
    page.fill("#id_amount_max", "6500")
    page.press("#id_amount_max", "Tab")
    expect(count).to_have_text(re.compile(r"^\s*6 deals\s*$"))
    assert row_titles(page) == ["Сделка 6", "Сделка 5", "Сделка 4"]
