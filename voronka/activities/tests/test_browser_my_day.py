import pytest
from playwright.sync_api import expect

from voronka.activities.models import Activity
from voronka.core.testing import make_activity, make_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_marks_an_activity_done(login_page, live_server, team):
    from voronka.core.testing import default_pipeline, make_user, stage_named

    rep = make_user(role="rep", team=team, username="browser_rep")
    deal = make_deal(owner=rep, stage=stage_named(default_pipeline(), 1), title="Поставка")
    late = make_activity(deal=deal, owner=rep, subject="Позвонить клиенту", due_in_days=-1)
    other = make_activity(deal=deal, owner=rep, subject="Отправить КП", due_in_days=-2)

    page = login_page(rep)
    page.goto(f"{live_server.url}/activities/my-day/")
    item = page.locator(f"#activity-{late.pk}")
    expect(item).to_be_visible()
    expect(page.locator(f"#activity-{other.pk}")).to_be_visible()

    item.locator("input[name=result]").fill("Договорились о встрече")
    with page.expect_response(lambda r: "/complete/" in r.url and r.status == 200):
        item.locator("button[data-action=done]").click()
    expect(page.locator(f"#activity-{late.pk}")).to_have_count(0)
    expect(page.locator(f"#activity-{other.pk}")).to_be_visible()

    late.refresh_from_db()
    assert late.done and late.result == "Договорились о встрече"
    assert Activity.objects.filter(owner=rep, done=False).count() == 1
