"""In a real browser: the token page (shown once, revoked), the API docs page under our
Content-Security-Policy, and the deal list's export link carrying the filters."""

import csv
import io

import pytest
from playwright.sync_api import expect

from voronka.accounts.models import ApiToken
from voronka.core import testing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_token_is_shown_once_and_revoked(login_page, live_server, team):
    rep = testing.make_user(role="rep", team=team, username="browser_token_rep")
    page = login_page(rep)
    page.click("header .userbox a[href='/accounts/api-tokens/']")
    page.fill("#id_name", "Таблица отчётов")
    page.click("form.card button[type=submit]")
    secret = page.locator("#new-token").text_content()
    assert secret.startswith("vrk_")
    page.goto(f"{live_server.url}/accounts/api-tokens/")
    expect(page.locator("#token-list")).to_contain_text("Таблица отчётов")
    assert secret not in page.content()
    page.click("#token-list button:has-text('Revoke')")
    expect(page.locator("#token-list")).to_contain_text("revoked")
    assert ApiToken.objects.get(user=rep).revoked_at is not None


def test_docs_page_renders_under_the_csp(login_page, live_server, team):
    rep = testing.make_user(role="rep", team=team, username="browser_docs_rep")
    page = login_page(rep)
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Voronka API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert violations == []
    assert [u for u in outside if not u.startswith("data:")] == []


def test_export_link_keeps_the_filters(login_page, live_server, team, stages):
    rep = testing.make_user(role="rep", team=team, username="browser_export_rep")
    testing.make_deal(owner=rep, stage=stages["qualification"], title="=Big", amount=900000)
    testing.make_deal(owner=rep, stage=stages["qualification"], title="Small", amount=10)
    page = login_page(rep)
    page.goto(f"{live_server.url}/deals/?amount_min=1000")
    expect(page.locator("#deal-count")).to_contain_text("1")
    with page.expect_download() as info:
        page.click("#export-csv")
    path = info.value.path()
    text = open(path, encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["'=Big"]
