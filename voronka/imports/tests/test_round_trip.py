"""Export, import the exported file into an empty base, export again: the data fields come
back the same, byte for byte (RELIABILITY T-C3), including values a spreadsheet would have
run as formulas."""

import pytest
from django.urls import reverse
from django.utils import translation

from voronka.contacts.models import Company, Contact
from voronka.contacts.services import company_create, contact_create
from voronka.core.phones import parse_phone
from voronka.imports import parsing
from voronka.imports.importer import Options, run_import

pytestmark = pytest.mark.django_db


def export(client, kind) -> bytes:
    r = client.get(reverse(f"export:{kind}"), {"format": "csv"})
    assert r.status_code == 200
    return b"".join(r.streaming_content) if r.streaming else r.content


def data_rows(raw: bytes, drop=("ID", "Id", "ИД")) -> list[list[str]]:
    table = parsing.read_table(raw, "x.csv")
    keep = [i for i, h in enumerate(table.headers) if h not in drop]
    return [[table.headers[i] for i in keep]] + [[row[i] for i in keep] for row in table.rows]


def reimport(head, raw: bytes, kind: str) -> None:
    table = parsing.read_table(raw, "export.csv")
    fields = parsing.suggest_mapping(table.headers, kind)
    fields.pop("id", None)
    with translation.override(head.language):
        report = run_import(table, Options(kind=kind, by=head, fields=fields))
    assert not report.errors, report.errors


@pytest.mark.parametrize("language", ["en", "ru"])
def test_contacts_and_companies_export_import_export_is_identical(client_for, head, language):
    head.language = language
    head.save(update_fields=["language"])
    acme = company_create(by=head, name='ООО "Вектор"', owner=head, inn="7707083893",
                          phones=[parse_phone("+7 (495) 123-45-67")],
                          emails=["info@vector.ru"], external_id="amo-7")  # fmt: skip
    company_create(by=head, name='=HYPERLINK("http://x")', owner=head, source="+веб")
    contact_create(by=head, name="Иванов Александр", owner=head, company=acme,
                   position="Директор; закупки", phones=[parse_phone("8 912 345 67 89 доб. 12"),
                   parse_phone("+7 903 000-11-22")], emails=["a@vector.ru", "b@vector.ru"],
                   external_id="amo-1", source="@выставка")  # fmt: skip
    contact_create(by=head, name="-Петров", owner=head, lifecycle="current")
    c = client_for(head)
    companies, contacts = export(c, "companies"), export(c, "contacts")
    # every exported column but the database id is mapped back by the wizard's suggestion
    for raw, kind in ((companies, "companies"), (contacts, "contacts")):
        headers = parsing.read_table(raw, "x.csv").headers
        assert len(parsing.suggest_mapping(headers, kind)) == len(headers) - 1

    Contact.all_objects.all().delete()
    Company.all_objects.all().delete()
    reimport(head, companies, "companies")
    reimport(head, contacts, "contacts")

    assert data_rows(export(c, "companies")) == data_rows(companies)
    assert data_rows(export(c, "contacts")) == data_rows(contacts)


def test_an_unknown_client_status_is_a_row_error_and_nothing_is_saved(head):
    from voronka.imports.importer import ImportRefused

    table = parsing.read_table(
        "Name;Lifecycle\nАнна;Текущий клиент\nОлег;current\nИгорь;VIP\n".encode(), "x.csv"
    )
    options = Options(kind="contacts", by=head, fields={"name": "Name", "lifecycle": "Lifecycle"})
    with pytest.raises(ImportRefused) as refused:
        run_import(table, options)
    [error] = refused.value.errors
    assert (error.row, error.column, error.params["value"]) == (4, "Lifecycle", "VIP")
    assert error.params["choices"] == "potential, current, former"
    assert not Contact.all_objects.exists()
    table.rows.pop()
    table.row_numbers.pop()
    run_import(table, options)
    assert dict(Contact.objects.values_list("name", "lifecycle")) == {
        "Анна": "current",
        "Олег": "current",
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_deals_export_import_export_is_identical(client_for, head, rep, stages, language):
    """One pipeline's deals, open, won and lost, with owners, companies and reasons. The
    "Next step" column is derived from activities and is not a field of the deal."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from voronka.core.testing import make_deal
    from voronka.deals.models import Deal, LostReason, StageChange

    head.language = language
    head.save(update_fields=["language"])
    acme = company_create(by=head, name='ООО "Вектор"', owner=head)
    make_deal(
        owner=rep,
        by=head,
        stage=stages["qualification"],
        title="=1+1 станки",
        amount=Decimal("1234567.89"),
        company=acme,
        source="@сайт",
        expected_close_date=date.today() + timedelta(days=20),
        external_id="amo-5",
    )
    won = make_deal(owner=head, stage=stages["closing"], title="Лицензии", amount=Decimal("300"))
    lost = make_deal(owner=rep, by=head, stage=stages["lead"], title="Аренда", amount=Decimal("0"))
    reason = LostReason.objects.order_by("pk").first()
    closed = timezone.now().replace(microsecond=0) - timedelta(days=3)
    created = closed - timedelta(days=40)  # a deal is closed after it was created
    Deal.objects.filter(pk=won.pk).update(stage=stages["won"], closed_at=closed, created_at=created)
    Deal.objects.filter(pk=lost.pk).update(
        stage=stages["lost"], closed_at=closed, lost_reason=reason, created_at=created
    )
    c = client_for(head)
    before = export(c, "deals")

    StageChange.objects.all().delete()
    Deal.all_objects.all().delete()
    table = parsing.read_table(before, "export.csv")
    fields = parsing.suggest_mapping(table.headers, "deals")
    # all but the database id, the derived next step and the pipeline (chosen in the wizard)
    assert len(fields) == len(table.headers) - 3
    with translation.override(language):
        report = run_import(
            table, Options(kind="deals", by=head, fields=fields, pipeline=stages["lead"].pipeline)
        )
    assert not report.errors, report.errors
    assert report.created == 3

    drop = ("ID", "Id", "ИД", "Next step", "Следующий шаг")
    after, first = data_rows(export(c, "deals"), drop), data_rows(before, drop)
    assert after[0] == first[0]
    assert sorted(after[1:]) == sorted(first[1:])  # the export lists newest first
