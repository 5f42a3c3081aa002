"""In a real browser: a rep cannot reach another rep's deal; the language switch."""

import re

import pytest
from playwright.sync_api import expect

from voronka.core.testing import make_deal

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_rep_cannot_reach_another_reps_deal(live_server, login_page, rep, other_rep, stages):
    mine = make_deal(owner=rep, stage=stages["qualification"], title="Поставка мебели Альфа")
    hidden = make_deal(
        owner=other_rep, stage=stages["qualification"], title="Секретная сделка Бета"
    )
    page = login_page(rep)

    response = page.goto(f"{live_server.url}/deals/{hidden.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Секретная сделка Бета")

    page.goto(f"{live_server.url}/deals/?q=Секретная")
    expect(page.locator("body")).not_to_contain_text("Секретная сделка Бета")
    page.goto(f"{live_server.url}/deals/")
    expect(page.locator("body")).to_contain_text("Поставка мебели Альфа")
    table = page.locator("table.list tbody tr")
    expect(table).to_have_count(1)

    page.goto(f"{live_server.url}/deals/board/{stages['qualification'].pipeline_id}/")
    count = page.locator(f"#col-count-{stages['qualification'].pk}")
    expect(count).to_have_text(re.compile(r"^\s*1\s*$"))
    expect(page.locator(f"#deal-card-{mine.pk}")).to_be_visible()
    expect(page.locator(f"#deal-card-{hidden.pk}")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_language_switch_follows_the_user(live_server, login_page, rep, stages):
    make_deal(owner=rep, stage=stages["qualification"])
    page = login_page(rep)  # the user's saved language is English
    page.goto(f"{live_server.url}/deals/")
    expect(page.locator("nav#main-nav")).to_contain_text("Deals")

    page.select_option("#lang-select", "ru")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("nav#main-nav")).to_contain_text("Сделки")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    rep.refresh_from_db()
    assert rep.language == "ru"

    page.goto(f"{live_server.url}/activities/my-day/")
    expect(page.locator("nav#main-nav")).to_contain_text("Мой день")

    page.select_option("#lang-select", "en")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("nav#main-nav")).to_contain_text("My day")
