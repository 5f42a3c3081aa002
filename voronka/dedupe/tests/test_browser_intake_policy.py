import pytest
from playwright.sync_api import expect

from voronka.dedupe.intake import policy_of
from voronka.dedupe.models import IntakePolicy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_sets_the_intake_policy_and_a_rep_only_reads_it(login_page, live_server, team):
    from voronka.core.testing import make_user

    head = make_user(role="head", team=team, username="browser_intake_head")
    rep = make_user(role="rep", team=team, username="browser_intake_rep")
    page = login_page(head)
    page.goto(f"{live_server.url}/duplicates/")
    page.click("#intake-policy-link")
    expect(page.locator("h1")).to_have_text("Incoming duplicates")
    expect(page.locator("#intake-import input[value=flag]")).to_be_checked()
    expect(page.locator("#intake-api input[value=flag]")).to_be_checked()

    page.locator("#intake-import").get_by_label("Attach to the existing record").check()
    page.locator("#intake-api").get_by_label("Skip and report").check()
    page.fill("#id_note", "one deal per client")
    page.click("#intake-save")
    section = page.locator("#intake-policy")
    expect(section.locator(".messages")).to_contain_text("The intake policy has been saved.")
    expect(section.locator("tr.intake-change")).to_have_count(2)
    expect(section.locator("#intake-log")).to_contain_text("one deal per client")
    expect(section.locator("#intake-import")).to_contain_text("Set by")
    assert policy_of(IntakePolicy.IMPORT) == IntakePolicy.ATTACH
    assert policy_of(IntakePolicy.API) == IntakePolicy.SKIP

    page.context.clear_cookies()
    page = login_page(rep)
    page.goto(f"{live_server.url}/duplicates/intake/")
    expect(page.locator("#intake-import input[value=attach]")).to_be_checked()
    expect(page.locator("#intake-import input[value=flag]")).to_be_disabled()
    expect(page.locator("#intake-save")).to_have_count(0)
