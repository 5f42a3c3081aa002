"""List exports: the list's filters, only what the user sees, no formula in any cell."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from voronka.core import testing

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def read_xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            assert not str(cell.value or "").startswith(("=", "+", "-", "@")), cell.value
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def deals(rep, other_rep, stages):
    company = testing.make_company(owner=rep, name='=HYPERLINK("http://evil")')
    testing.make_deal(
        owner=rep,
        stage=stages["qualification"],
        title="=1+2",
        amount=Decimal("1500.50"),
        company=company,
    )
    testing.make_deal(owner=rep, stage=stages["qualification"], title="@SUM(A1)", amount=10)
    testing.make_deal(owner=rep, stage=stages["qualification"], title="-cheap", amount=1)
    testing.make_deal(owner=other_rep, stage=stages["qualification"], title="Not yours", amount=5)


def test_deals_csv_with_filters_and_zone(client_for, rep, deals):
    client = client_for(rep)
    rows = read_csv(client.get("/export/deals/?format=csv&amount_min=5&sort=-amount"))
    titles = [r[1] for r in rows[1:]]
    assert titles == ["'=1+2", "'@SUM(A1)"]
    assert rows[1][2] == "1500.50"
    assert rows[1][7] == '\'=HYPERLINK("http://evil")'
    assert "Not yours" not in "".join(r[1] for r in rows)


def test_deals_csv_uses_a_decimal_comma_in_russian(client_for, rep, deals):
    rep.language = "ru"
    rep.save()
    rows = read_csv(client_for(rep).get("/export/deals/?amount_min=1000"))
    assert rows[0][1] == "Название" or rows[0][1] != "Title"
    assert rows[1][2] == "1500,50"


def test_deals_xlsx_has_no_formula(client_for, rep, deals):
    response = client_for(rep).get("/export/deals/?format=xlsx")
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert rows[0][1] == "Title"
    assert sorted(r[1] for r in rows[1:]) == ["'-cheap", "'=1+2", "'@SUM(A1)"]
    amounts = {r[1]: r[2] for r in rows[1:]}
    assert amounts["'=1+2"] == 1500.5


def test_head_sees_the_team(client_for, head, deals):
    rows = read_xlsx(client_for(head).get("/export/deals/?format=xlsx"))
    assert len(rows) == 5


def test_bad_filter_or_format_is_400(client_for, rep, deals):
    client = client_for(rep)
    assert client.get("/export/deals/?amount_min=x").status_code == 400
    assert client.get("/export/deals/?format=pdf").status_code == 400
    assert client.get("/export/contacts/?lifecycle=nonsense").status_code == 400
    assert client.get("/export/activities/?owner=999999999999999999999").status_code == 400


def test_contacts_and_companies(client_for, rep, other_rep):
    from voronka.contacts.services import contact_create
    from voronka.core.phones import parse_phone

    company = testing.make_company(owner=rep, name="+Acme", inn="")
    contact_create(
        by=rep,
        owner=rep,
        name="=cmd|' /C calc'!A0",
        company=company,
        phones=[parse_phone("+7 912 345-67-89")],
        emails=["a@example.com"],
    )
    testing.make_contact(owner=other_rep, name="Hidden person")
    client = client_for(rep)
    rows = read_xlsx(client.get("/export/contacts/?format=xlsx"))
    assert len(rows) == 2
    assert rows[1][1].startswith("'=")
    assert rows[1][3] == "'+Acme"
    assert rows[1][8] == "+7 912 345-67-89" or "'+7" in rows[1][8]
    assert rows[1][9] == "a@example.com"
    rows = read_csv(client.get("/export/contacts/?q=hidden"))
    assert rows[1:] == []
    rows = read_csv(client.get("/export/companies/"))
    assert [r[1] for r in rows[1:]] == ["'+Acme"]


def test_activities(client_for, rep, other_rep, stages):
    deal = testing.make_deal(owner=rep, stage=stages["qualification"])
    testing.make_activity(deal=deal, owner=rep, subject="=call me")
    other = testing.make_deal(owner=other_rep, stage=stages["qualification"])
    testing.make_activity(deal=other, owner=other_rep, subject="Secret call")
    rows = read_xlsx(client_for(rep).get(f"/export/activities/?format=xlsx&owner={rep.pk}"))
    assert [r[2] for r in rows[1:]] == ["'=call me"]
    assert client_for(rep).get(f"/export/activities/?owner={other_rep.pk}").status_code == 400


def test_list_pages_link_the_export_with_their_filters(client_for, rep, deals):
    client = client_for(rep)
    page = client.get("/deals/?amount_min=5")
    assert b"/export/deals/?amount_min=5&amp;format=xlsx" in page.content
    assert b"/export/contacts/?" in client.get("/contacts/").content
    assert b"/export/companies/?" in client.get("/contacts/companies/").content
    assert b"/export/activities/?owner=" in client.get("/activities/my-day/").content


def test_export_queries_do_not_grow_with_rows(
    client_for, head, deals, django_assert_max_num_queries
):
    client = client_for(head)
    with django_assert_max_num_queries(8):
        assert client.get("/export/deals/?format=xlsx").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/export/contacts/?format=csv").status_code == 200
