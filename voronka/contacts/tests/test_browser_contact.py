import pytest
from playwright.sync_api import expect

from voronka.contacts.models import Contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contact_with_bad_then_good_phone(login_page, live_server, team):
    from voronka.core.testing import make_user

    rep = make_user(role="rep", team=team, username="browser_contact_rep")
    page = login_page(rep)
    page.goto(f"{live_server.url}/contacts/new/")
    page.fill("#id_name", "Мария Иванова")
    page.fill("#id_phones_text", "abc")
    page.click("button[type=submit].primary")
    expect(page.locator("#id_phones_text_errors")).to_contain_text(
        "“abc” is not a valid phone number."
    )
    assert Contact.objects.count() == 0

    page.fill("#id_phones_text", "+7 (912) 345-67-89 доб. 123")
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("Мария Иванова")
    expect(page.locator("#phones")).to_contain_text("+7 (912) 345-67-89 доб. 123")
    contact = Contact.objects.get()
    assert contact.phones.get().e164 == "+79123456789"
