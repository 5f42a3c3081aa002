import pytest
from django.urls import reverse

from voronka.contacts.models import Company, PhoneNumber
from voronka.contacts.services import company_create

pytestmark = pytest.mark.django_db


def post_company(client, url, **overrides):
    data = {
        "name": "ООО Ромашка",
        "legal_name": "",
        "inn": "",
        "kpp": "",
        "ogrn": "",
        "website": "",
        "address": "",
        "lifecycle": "potential",
        "source": "",
        "phones_text": "",
        "emails_text": "",
    }
    data.update(overrides)
    return client.post(url, data)


def db_state():
    return (
        Company.all_objects.count(),
        PhoneNumber.objects.count(),
        list(Company.all_objects.order_by("pk").values_list("pk", "name", "inn", "updated_at")),
    )


def test_create_company_happy_path(client_for, rep):
    c = client_for(rep)
    response = post_company(
        c,
        reverse("contacts:company_create"),
        inn="7707083893",
        kpp="773601001",
        ogrn="1027700132195",
        website="https://sberbank.ru",
        phones_text="+7 495 500-55-50",
    )
    company = Company.objects.get()
    assert response.status_code == 302
    assert (company.inn, company.kpp, company.ogrn) == ("7707083893", "773601001", "1027700132195")
    assert company.website == "https://sberbank.ru"
    assert company.owner == rep
    assert list(company.phones.values_list("e164", flat=True)) == ["+74955005550"]
    page = c.get(company.get_absolute_url()).content.decode()
    assert "7707083893" in page and "+7 495 500-55-50" in page


def test_website_without_scheme_gets_https(client_for, rep):
    post_company(client_for(rep), reverse("contacts:company_create"), website="example.com")
    assert Company.objects.get().website == "https://example.com"


@pytest.mark.parametrize(
    "field,value",
    [
        ("inn", "7707083894"),
        ("inn", "12345"),
        ("kpp", "12"),
        ("ogrn", "1027700132196"),
        ("website", "javascript:alert(1)"),
        ("website", "ftp://example.com"),
        ("phones_text", "abc"),
    ],
)
def test_bad_company_input_saves_nothing(client_for, rep, field, value):
    c = client_for(rep)
    before = db_state()
    response = post_company(c, reverse("contacts:company_create"), **{field: value})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert db_state() == before


def test_wrong_inn_checksum_message_and_edit_unchanged(client_for, rep):
    company = company_create(by=rep, owner=rep, name="ООО Старое", inn="7707083893")
    c = client_for(rep)
    before = db_state()
    response = post_company(
        c, reverse("contacts:company_edit", args=[company.pk]), name="ООО Новое", inn="7707083895"
    )
    assert response.status_code == 400
    assert "This INN is not valid" in response.content.decode()
    assert db_state() == before


def test_company_detail_lists_its_visible_contacts(client_for, rep, other_rep):
    from voronka.core.testing import make_contact

    company = company_create(by=rep, owner=rep, name="ООО Видимое")
    make_contact(owner=rep, name="Свой человек", company=company)
    make_contact(owner=other_rep, name="Чужой человек", company=company)
    page = client_for(rep).get(company.get_absolute_url()).content.decode()
    assert "Свой человек" in page
    assert "Чужой человек" not in page


def test_javascript_website_never_rendered_as_link(client_for, rep):
    # A value that reached the database around the form (an import) is shown as text only.
    company = company_create(by=rep, owner=rep, name="ООО Ссылка", website="javascript:alert(1)")
    page = client_for(rep).get(company.get_absolute_url()).content.decode()
    assert "javascript:alert(1)" in page
    assert 'href="javascript:' not in page
