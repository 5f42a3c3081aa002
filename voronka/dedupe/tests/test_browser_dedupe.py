import pytest
from playwright.sync_api import expect

from voronka.contacts.models import Contact
from voronka.contacts.services import contact_create
from voronka.core.phones import parse_phone
from voronka.dedupe import services
from voronka.dedupe.models import Merge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_warning_while_typing_queue_merge_and_undo(login_page, live_server, team):
    from voronka.core.testing import make_user

    rep = make_user(role="rep", team=team, username="browser_dedupe_rep")
    first = contact_create(
        by=rep, name="Иванов Александр", owner=rep, phones=[parse_phone("89123456789", "RU")]
    )
    page = login_page(rep)
    page.goto(f"{live_server.url}/contacts/new/")
    page.fill("#id_name", "Саша Иванов")
    page.fill("#id_phones_text", "+7 (912) 345-67-89")
    warning = page.locator("#dup-warning .dup-candidate")
    expect(warning).to_contain_text("Иванов Александр")
    expect(warning).to_contain_text("same phone")
    expect(warning.locator("a")).to_have_attribute("href", first.get_absolute_url())

    page.click("button[type=submit].primary")  # saving anyway is allowed
    expect(page.locator("h1")).to_have_text("Саша Иванов")
    expect(page.locator("#duplicates")).to_contain_text("Иванов Александр")
    second = Contact.objects.get(name="Саша Иванов")

    services.scan_run("contact")
    page.goto(f"{live_server.url}/duplicates/")
    row = page.locator("tr.dup-pair")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("same phone")
    row.get_by_role("link", name="Merge…").click()
    expect(page.locator("h1")).to_have_text("Merge records")
    page.check(f"input[name=f_name][value='{first.pk}']")
    page.click("#merge-submit")
    expect(page.locator("h1")).to_have_text("Иванов Александр")
    expect(page.locator(".messages")).to_contain_text("Merged 1 record into this one")
    assert not Contact.objects.filter(pk=second.pk).exists()
    assert Merge.objects.count() == 1

    page.locator("#duplicates").get_by_role("link", name="Undo merge").click()
    expect(page.locator("#undo-can")).to_contain_text("1 merged record comes back")
    page.click("#undo-submit")
    expect(page.locator(".messages")).to_contain_text("The merge has been undone.")
    assert Contact.objects.filter(pk=second.pk).exists()
    page.goto(f"{live_server.url}/duplicates/")
    expect(page.locator("tr.dup-pair")).to_have_count(1)


def test_a_group_of_three_is_merged_at_once(login_page, live_server, team):
    from voronka.core.testing import make_user

    rep = make_user(role="rep", team=team, username="browser_group_rep")
    records = [
        contact_create(
            by=rep,
            name=name,
            owner=rep,
            phones=[parse_phone(phone, "RU")],
            emails=["o.smirnova@mail.ru"],
        )  # fmt: skip
        for name, phone in [
            ("Смирнова Ольга", "89031234567"),
            ("Оля Смирнова", "+7 903 123-45-67"),
            ("Olga Smirnova", "9031234567"),
        ]
    ]
    services.scan_run("contact")
    page = login_page(rep)
    page.goto(f"{live_server.url}/duplicates/")
    expect(page.locator("#queue-count")).to_contain_text("1 group to review · 3 pairs")
    group = page.locator("tbody.dup-group[data-size='3']")
    expect(group.locator("tr.dup-pair")).to_have_count(3)
    group.get_by_role("link", name="Merge all 3…").click()
    expect(page.locator("h1")).to_have_text("Merge records")
    page.check(f"input[name=f_name][value='{records[0].pk}']")
    page.click("#merge-submit")
    expect(page.locator(".messages")).to_contain_text("Merged 2 records into this one")
    assert list(Contact.objects.values_list("pk", flat=True)) == [records[0].pk]
    page.goto(f"{live_server.url}/duplicates/")
    expect(page.locator("#queue-count")).to_contain_text("0 groups to review")
