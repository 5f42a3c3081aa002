import pytest
from django.urls import reverse

from voronka.contacts.models import Contact, EmailAddress, PhoneNumber
from voronka.contacts.services import contact_create
from voronka.core.phones import parse_phone
from voronka.core.testing import make_company

pytestmark = pytest.mark.django_db


def post_contact(client, url, **overrides):
    data = {
        "name": "Иван Петров",
        "position": "Директор",
        "company": "",
        "lifecycle": "potential",
        "source": "",
        "messengers": "",
        "phones_text": "",
        "emails_text": "",
    }
    data.update(overrides)
    return client.post(url, data)


def db_state():
    return (
        Contact.all_objects.count(),
        PhoneNumber.objects.count(),
        EmailAddress.objects.count(),
        list(Contact.all_objects.order_by("pk").values_list("pk", "name", "updated_at")),
    )


def test_rep_creates_contact_with_phones_and_emails(client_for, rep):
    c = client_for(rep)
    response = post_contact(
        c,
        reverse("contacts:contact_create"),
        phones_text="8 912 345 67 89\n+7 (912) 345-67-89 доб. 123; 8 383 205 40 51, 357",
        emails_text="Ivan@Example.COM\nivan@пример.рф",
    )
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    assert contact.owner == rep
    phones = list(contact.phones.values_list("raw", "e164", "extension"))
    assert phones == [
        ("8 912 345 67 89", "+79123456789", ""),
        ("+7 (912) 345-67-89 доб. 123", "+79123456789", "123"),
        ("8 383 205 40 51, 357", "+73832054051", "357"),  # an extension after a comma
    ]
    assert list(contact.emails.values_list("email", "normalized")) == [
        ("Ivan@Example.COM", "ivan@example.com"),
        ("ivan@пример.рф", "ivan@пример.рф"),
    ]
    assert contact.history.first().history_user == rep
    page = c.get(contact.get_absolute_url())
    assert page.status_code == 200
    assert "+7 (912) 345-67-89 доб. 123" in page.content.decode()
    assert "8 912 345 67 89" in page.content.decode()


def test_rep_cannot_choose_another_owner(client_for, rep, other_rep):
    c = client_for(rep)
    post_contact(c, reverse("contacts:contact_create"), owner=str(other_rep.pk))
    assert Contact.objects.get().owner == rep


def test_head_chooses_owner_among_visible_users(client_for, head, rep, rep_other_team):
    c = client_for(head)
    response = post_contact(c, reverse("contacts:contact_create"), owner=str(rep.pk))
    assert response.status_code == 302
    assert Contact.objects.get().owner == rep
    before = db_state()
    response = post_contact(
        c, reverse("contacts:contact_create"), name="Чужой", owner=str(rep_other_team.pk)
    )
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert db_state() == before


def test_edit_replaces_phones_and_keeps_history(client_for, rep):
    contact = contact_create(
        by=rep, owner=rep, name="Анна", phones=[parse_phone("+79123456789")], emails=["a@b.ru"]
    )
    c = client_for(rep)
    form_page = c.get(reverse("contacts:contact_edit", args=[contact.pk]))
    assert "+79123456789" in form_page.content.decode()
    response = post_contact(
        c,
        reverse("contacts:contact_edit", args=[contact.pk]),
        name="Анна Смирнова",
        phones_text="+7 495 123-45-67",
        emails_text="",
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Анна Смирнова"
    assert list(contact.phones.values_list("e164", flat=True)) == ["+74951234567"]
    assert contact.emails.count() == 0
    assert contact.history.count() == 2
    page = c.get(contact.get_absolute_url()).content.decode()
    assert "Анна Смирнова" in page and "Анна" in page  # timeline shows old -> new
    # Phones and e-mails live in rows of their own; their change is on the timeline too.
    assert "<strong>Phones</strong>: +79123456789 → +7 495 123-45-67" in page
    assert "<strong>E-mails</strong>: a@b.ru → —" in page


def test_phone_change_alone_is_on_the_timeline_and_unchanged_details_are_not(client_for, rep):
    from voronka.contacts.services import contact_update

    contact = contact_create(by=rep, owner=rep, name="Олег", phones=[parse_phone("89123456789")])
    contact_update(contact, by=rep, position="Инженер")  # phones not given: kept, not "changed"
    contact_update(contact, by=rep, phones=[parse_phone("8 (913) 111-22-33 доб. 5")])
    first, second, third = contact.history.order_by("history_date", "history_id")
    assert first.details == {"phones": ["89123456789"], "emails": []}
    assert second.details == first.details
    assert third.details["phones"] == ["8 (913) 111-22-33 доб. 5"]
    page = client_for(rep).get(contact.get_absolute_url()).content.decode()
    assert page.count("<strong>Phones</strong>") == 1
    assert "89123456789 → 8 (913) 111-22-33 доб. 5" in page


@pytest.mark.parametrize(
    "field,value,needle",
    [
        ("phones_text", "abc", "“abc” is not a valid phone number."),
        ("phones_text", "+7 912 345 67 89\n12", "“12” is not a valid phone number."),
        ("emails_text", "not-an-email", "“not-an-email” is not a valid e-mail address."),
        ("name", "   ", "This field is required."),
    ],
)
def test_bad_input_on_create_saves_nothing(client_for, rep, field, value, needle):
    c = client_for(rep)
    before = db_state()
    response = post_contact(c, reverse("contacts:contact_create"), **{field: value})
    assert response.status_code == 400
    assert needle in response.content.decode()
    assert db_state() == before


def test_bad_phone_on_edit_leaves_record_unchanged(client_for, rep):
    contact = contact_create(by=rep, owner=rep, name="Олег", phones=[parse_phone("89123456789")])
    c = client_for(rep)
    before = db_state()
    phones_before = list(PhoneNumber.objects.values_list("raw", "e164"))
    response = post_contact(
        c, reverse("contacts:contact_edit", args=[contact.pk]), name="Олег Новый", phones_text="abc"
    )
    assert response.status_code == 400
    assert "“abc” is not a valid phone number." in response.content.decode()
    assert db_state() == before
    assert list(PhoneNumber.objects.values_list("raw", "e164")) == phones_before


def test_html_in_name_is_escaped(client_for, rep):
    c = client_for(rep)
    post_contact(c, reverse("contacts:contact_create"), name="<script>alert(1)</script>")
    contact = Contact.objects.get()
    assert contact.name == "<script>alert(1)</script>"
    for url in (contact.get_absolute_url(), reverse("contacts:contact_list")):
        html = c.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_company_must_be_visible(client_for, rep, other_rep):
    foreign = make_company(owner=other_rep)
    mine = make_company(owner=rep)
    c = client_for(rep)
    before = db_state()
    response = post_contact(c, reverse("contacts:contact_create"), company=str(foreign.pk))
    assert response.status_code == 400
    assert "company" in response.context["form"].errors
    assert db_state() == before
    response = post_contact(c, reverse("contacts:contact_create"), company=str(mine.pk))
    assert response.status_code == 302
    assert Contact.objects.get().company == mine


def test_delete_moves_to_recycle_bin(client_for, rep):
    contact = contact_create(by=rep, owner=rep, name="Удаляемый")
    c = client_for(rep)
    response = c.post(reverse("contacts:contact_delete", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.deleted_at is not None and contact.deleted_by == rep
    assert c.get(contact.get_absolute_url()).status_code == 404
    assert c.get(reverse("contacts:contact_delete", args=[contact.pk])).status_code == 405
