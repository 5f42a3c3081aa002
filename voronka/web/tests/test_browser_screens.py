"""In a real browser: quick add, the company page, the recycle bin, saved filters and bulk
edit, each from the link a user would follow."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from voronka.contacts.models import Company
from voronka.core.testing import make_deal
from voronka.deals.models import Deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quick_add_company_page_delete_and_restore(rep, stages, login_page, live_server):
    page = login_page(rep)
    page.click("nav >> text=Quick add")
    expect(page.locator("h1")).to_have_text("Quick add a deal")

    # A negative amount is refused in place and nothing is saved.
    page.fill("#id_title", "Станки для цеха")
    page.fill("#id_amount", "-5")
    page.fill("#id_company_name", 'ООО "Вектор"')
    page.click("button:has-text('Create deal')")
    expect(page.locator("#amount-errors")).to_be_visible()
    assert not Deal.objects.filter(title="Станки для цеха").exists()
    assert not Company.objects.exists()
    expect(page.locator("#id_title")).to_have_value("Станки для цеха")  # typed values kept

    page.fill("#id_amount", "150 000")
    page.click("button:has-text('Create deal')")
    deal = Deal.objects.get(title="Станки для цеха")
    expect(page).to_have_url(re.compile(rf"/deals/{deal.pk}/$"))
    assert deal.owner == rep and deal.amount == Decimal("150000.00")
    assert deal.stage == stages["lead"]  # the first open stage when none is chosen
    company = Company.objects.get()
    assert deal.company == company

    # The company page lists the deal, its amount in the user's locale.
    page.goto(f"{live_server.url}/contacts/companies/{company.pk}/")
    deals = page.locator("section[aria-labelledby=h-deals]")
    expect(deals.locator("a", has_text="Станки для цеха")).to_be_visible()
    expect(deals).to_contain_text("150,000.00")

    # Delete from the deal page: gone from the list, kept in the recycle bin.
    deals.locator("a", has_text="Станки для цеха").click()
    page.click("button:has-text('Delete the deal')")
    page.wait_for_load_state("domcontentloaded")
    page.goto(f"{live_server.url}/deals/")
    expect(page.locator("#deal-count")).to_have_text(re.compile(r"^\s*0 deals\s*$"))
    page.goto(f"{live_server.url}/recycle-bin/")
    row = page.locator(f"#bin-deal-{deal.pk}")
    expect(row).to_contain_text("Станки для цеха")

    row.locator("button:has-text('Restore')").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator(f"#bin-deal-{deal.pk}")).to_have_count(0)
    deal.refresh_from_db()
    assert deal.deleted_at is None and deal.company == company
    page.goto(f"{live_server.url}/deals/")
    expect(page.locator("#deal-count")).to_have_text(re.compile(r"^\s*1 deal\s*$"))


def test_saved_filter_and_bulk_edit_all_or_nothing(
    head, rep, other_rep, stages, login_page, live_server
):
    qualification = stages["qualification"]
    a = make_deal(owner=rep, stage=qualification, title="Поставка A")
    b = make_deal(owner=rep, stage=qualification, title="Поставка B")
    make_deal(owner=rep, stage=stages["lead"], title="Лид C")

    page = login_page(head)
    page.goto(f"{live_server.url}/deals/")
    count = page.locator("#deal-count")
    expect(count).to_have_text(re.compile(r"^\s*3 deals\s*$"))

    # Save the stage filter, reset, open it again from the side panel.
    page.select_option("#id_stage", str(qualification.pk))
    expect(count).to_have_text(re.compile(r"^\s*2 deals\s*$"))
    page.fill("#saved-filter-name", "Квалификация")
    page.click("button:has-text('Save this filter')")
    expect(page.locator(".messages")).to_contain_text("Filter saved.")
    page.click("text=Reset")
    expect(count).to_have_text(re.compile(r"^\s*3 deals\s*$"))
    page.click(".saved-filters a:has-text('Квалификация')")
    expect(count).to_have_text(re.compile(r"^\s*2 deals\s*$"))
    expect(page).to_have_url(re.compile(rf"stage={qualification.pk}"))

    # A bulk move that one deal's exit criteria refuse changes none of them.
    page.check(f"input[name=ids][value='{a.pk}']")
    page.check(f"input[name=ids][value='{b.pk}']")
    page.select_option("#bulk_action", "stage")
    expect(page.locator("#bulk_stage")).to_be_visible()
    expect(page.locator("#bulk_owner")).to_be_hidden()
    page.select_option("#bulk_stage", str(stages["probability"].pk))
    page.click("button:has-text('Apply to selected')")
    report = page.locator(".bulk-report")
    expect(report).to_contain_text("Nothing was changed")
    expect(report).to_contain_text("Поставка A")
    assert set(Deal.objects.filter(pk__in=[a.pk, b.pk]).values_list("stage", flat=True)) == {
        qualification.pk
    }

    # A new owner for both: the list keeps the saved filter and says what changed.
    page.goto(f"{live_server.url}/deals/?stage={qualification.pk}")
    page.check(f"input[name=ids][value='{a.pk}']")
    page.check(f"input[name=ids][value='{b.pk}']")
    page.select_option("#bulk_action", "owner")
    page.select_option("#bulk_owner", str(other_rep.pk))
    page.click("button:has-text('Apply to selected')")
    expect(page.locator(".messages")).to_contain_text("2 deals changed.")
    expect(page).to_have_url(re.compile(rf"stage={qualification.pk}"))
    assert set(Deal.objects.filter(pk__in=[a.pk, b.pk]).values_list("owner", flat=True)) == {
        other_rep.pk
    }
