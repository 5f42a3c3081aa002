"""The pure parsing core: encodings, delimiters, limits, typed values, suggestions."""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from voronka.core.spreadsheet import is_formula_like, neutralise, unneutralise
from voronka.imports import parsing as p

HEADER = "Название;Сумма;Этап;Дата создания;Ответственный\r\n"
ROW = "ООО «Ромашка» поставка;1 234 567,89;Переговоры;31.01.2025;Иванов Иван\r\n"


def xlsx_bytes(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "encoding,expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1251", "cp1251"), ("utf-16", "utf-16")],
)
def test_csv_in_every_encoding_a_russian_excel_writes(encoding, expected):
    table = p.read_table((HEADER + ROW).encode(encoding), "deals.csv")
    assert table.encoding == expected
    assert table.delimiter == ";"
    assert table.headers == ["Название", "Сумма", "Этап", "Дата создания", "Ответственный"]
    assert table.rows == [
        ["ООО «Ромашка» поставка", "1 234 567,89", "Переговоры", "31.01.2025", "Иванов Иван"]
    ]
    assert table.row_numbers == [2]


@pytest.mark.parametrize("delim", [";", ",", "\t"])
def test_delimiter_is_sniffed(delim):
    text = delim.join(["name", "amount", "note"]) + "\n"
    text += delim.join(["Альфа", '"1,5"', '"a; b, c"']) + "\n"
    table = p.read_table(text.encode(), "x.csv")
    assert table.delimiter == delim
    assert table.rows[0][0] == "Альфа"


def test_quoted_newlines_keep_row_numbers_of_the_file():
    text = 'name,note\n"A","line1\r\nline2"\nB,x\n'
    table = p.read_table(text.encode(), "x.csv")
    assert [r[0] for r in table.rows] == ["A", "B"]
    assert table.row_numbers == [3, 4]


def test_xlsx_is_read_with_dates_and_numbers_as_text():
    data = xlsx_bytes(
        [["Название", "Сумма", "Создана"], ["Сделка", 1500.5, datetime(2025, 3, 1)], [None, None]]
    )
    table = p.read_table(data, "deals.xlsx")
    assert table.headers == ["Название", "Сумма", "Создана"]
    assert table.rows == [["Сделка", "1500.5", "2025-03-01"]]


def test_a_formula_cell_in_xlsx_is_kept_as_its_text():
    data = xlsx_bytes([["name"], ['=HYPERLINK("http://x","y")']])
    table = p.read_table(data, "x.xlsx")
    assert table.rows[0][0].startswith("=HYPERLINK")


# ----------------------------------------------------------------------- bad input


def test_a_200_mb_file_is_refused_by_its_size_before_reading(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(200 * 2**20)  # sparse: nothing is written or read
    with pytest.raises(p.FileRejected) as exc:
        p.read_path(str(big))
    assert exc.value.code == "too_large"
    assert "200.0 MB" in exc.value.render()


def test_empty_and_blank_files():
    for data in (b"", b"\r\n\r\n", b"\xef\xbb\xbf"):
        with pytest.raises(p.FileRejected) as exc:
            p.read_table(data, "x.csv")
        assert exc.value.code == "empty"


def test_header_only():
    with pytest.raises(p.FileRejected) as exc:
        p.read_table(HEADER.encode(), "x.csv")
    assert exc.value.code == "header_only"


@pytest.mark.parametrize(
    "data",
    [
        (HEADER + ROW).encode("utf-16-le"),  # UTF-16 without its BOM
        bytes(range(256)) * 40,  # binary
    ],
)
def test_wrong_encoding_is_a_clear_error(data):
    with pytest.raises(p.FileRejected) as exc:
        p.read_table(data, "x.csv")
    assert exc.value.code in {"encoding", "bad_csv"}
    assert exc.value.render()


def test_ten_thousand_columns():
    line = ",".join(f"c{i}" for i in range(10_000))
    with pytest.raises(p.FileRejected) as exc:
        p.read_table((line + "\n" + line + "\n").encode(), "x.csv")
    assert exc.value.code == "too_many_columns"
    assert exc.value.params["n"] == 10_000


def test_a_row_with_a_million_characters():
    text = "name,note\nA," + "я" * 1_000_000 + "\n"
    with pytest.raises(p.FileRejected) as exc:
        p.read_table(text.encode(), "x.csv")
    assert exc.value.code in {"bad_csv", "cell_too_long"}
    text = "name,note\nA," + "я" * 20_000 + "\n"
    with pytest.raises(p.FileRejected) as exc:
        p.read_table(text.encode(), "x.csv")
    assert exc.value.code == "cell_too_long"
    assert exc.value.params["row"] == 2 and exc.value.params["column"] == "note"


def test_duplicate_headers_are_refused():
    with pytest.raises(p.FileRejected) as exc:
        p.read_table(b"Name;name\n1;2\n", "x.csv")
    assert exc.value.code == "duplicate_header"


def zip_bomb(size=1 << 30):
    """A small archive named .xlsx whose one member declares (and holds) ``size`` zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
    return buf.getvalue()


def test_zip_bomb_disguised_as_xlsx_is_refused_from_its_directory():
    data = zip_bomb(64 << 20)
    assert len(data) < 200_000
    with pytest.raises(p.FileRejected) as exc:
        p.read_table(data, "report.xlsx")
    assert exc.value.code == "zip_bomb"


def test_a_damaged_xlsx_and_path_traversal_names():
    with pytest.raises(p.FileRejected) as exc:
        p.read_table(b"PK\x03\x04garbage", "x.xlsx")
    assert exc.value.code == "bad_xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../etc/passwd", "x")
    with pytest.raises(p.FileRejected) as exc:
        p.read_table(buf.getvalue(), "x.xlsx")
    assert exc.value.code == "bad_xlsx"


# ----------------------------------------------------------------------- typed values


def test_dates_in_three_notations_and_excel_serials():
    assert p.parse_datetime("31.01.2025") == datetime(2025, 1, 31)
    assert p.parse_datetime("31.01.2025 14:05") == datetime(2025, 1, 31, 14, 5)
    assert p.parse_datetime("2025-01-31") == datetime(2025, 1, 31)
    assert p.parse_datetime("2025-01-31T14:05:09") == datetime(2025, 1, 31, 14, 5, 9)
    assert p.parse_datetime("2025-01-31T14:05:00Z") == datetime(2025, 1, 31, 14, 5, tzinfo=UTC)
    assert p.parse_datetime("45688") == datetime(2025, 1, 31)
    assert p.parse_date("01.02.25") == date(2025, 2, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01-Mar-2017", datetime(2017, 3, 1)),
        ("1-Mar-17", datetime(2017, 3, 1)),
        ("1 March 2017", datetime(2017, 3, 1)),
        ("Mar 1, 2017", datetime(2017, 3, 1)),
        ("Sept. 3rd, 2017 4:05 PM", datetime(2017, 9, 3, 16, 5)),
        ("Wed, 01 Mar 2017 09:30", datetime(2017, 3, 1, 9, 30)),
        ("1 марта 2017 г.", datetime(2017, 3, 1)),
        ("вт, 3 окт. 2017 14:20", datetime(2017, 10, 3, 14, 20)),
        ("15 ДЕКАБРЯ 2024", datetime(2024, 12, 15)),
        ("2017/03/01", datetime(2017, 3, 1)),
        ("2017.03.01 10:00", datetime(2017, 3, 1, 10, 0)),
        ("2017-03-01 10:20:30 UTC", datetime(2017, 3, 1, 10, 20, 30, tzinfo=UTC)),
        ("2017-03-01 10:20:30 +0300", datetime(2017, 3, 1, 7, 20, 30, tzinfo=UTC)),
    ],
)
def test_dates_with_the_month_in_words_and_the_year_first(text, expected):
    """As English and Russian exports and people write them; the order of a file's
    numeric dates does not change a month named in words."""
    assert p.parse_datetime(text) == expected
    assert p.parse_datetime(text, p.MONTH_FIRST) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31.02.2025",
        "2025-02-30",
        "00.01.2025",
        "12/13/2025x",
        "завтра",
        "31 Feb 2017",
        "1 Foo 2017",
        "March 2017",
        "Mar 1 2017 13:00 PM",
        "2017/13/01",
    ],
)
def test_impossible_dates_are_errors(text):
    with pytest.raises(p.ValueProblem):
        p.parse_datetime(text)


def test_a_date_error_names_the_forms_that_are_read_in_the_users_language():
    from django.utils.translation import gettext

    with pytest.raises(p.ValueProblem) as exc:
        p.parse_datetime("завтра")
    problem = p.RowError(2, "Создана", exc.value.message, exc.value.params)
    with translation.override("en"):
        assert "1 Mar 2017" in problem.render(gettext) and "yyyy-mm-dd" in problem.render(gettext)
    with translation.override("ru"):
        assert problem.render(gettext) == (
            "«завтра» — не дата (используйте формат дд.мм.гггг, мм/дд/гггг, гггг-мм-дд "
            "или месяц словом: 1 марта 2017)."
        )


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9999, 12, 31)))
def test_every_real_date_round_trips_in_both_notations(d):
    assert p.parse_date(d.strftime("%d.%m.%Y")) == d
    assert p.parse_date(d.strftime("%m/%d/%Y"), p.MONTH_FIRST) == d
    assert p.parse_date(d.isoformat()) == d
    assert p.parse_date(d.strftime("%Y/%m/%d")) == d
    assert p.parse_date(f"{d.day} {d.strftime('%B')} {d.year:04d}") == d
    assert p.parse_date(d.strftime("%b %d, %Y").replace(" 0", " ")) == d
    serial = (d - date(1899, 12, 30)).days
    assert p.parse_date(str(serial)) == d


def test_amounts_with_spaces_and_commas():
    assert p.parse_amount("1 234 567,89") == Decimal("1234567.89")
    assert p.parse_amount("1\u00a0000") == Decimal("1000.00")
    assert p.parse_amount("1500.5") == Decimal("1500.50")
    assert p.parse_amount(",5") == Decimal("0.50")
    assert p.parse_amount("1 234 567,89 руб.") == Decimal("1234567.89")
    assert p.parse_amount("€1.234,56") == Decimal("1234.56")
    assert p.parse_amount("1.234.567") == Decimal("1234567.00")
    assert p.parse_amount("1.2E+06") == Decimal("1200000.00")
    for bad in ("-5", "abc", "1e99", "1,23,456", "1,234,56", "(100)"):
        with pytest.raises(p.ValueProblem):
            p.parse_amount(bad)
    with pytest.raises(p.ValueProblem) as negative:
        p.parse_amount("-5")
    assert negative.value.message == "An amount cannot be negative."


def test_a_file_that_groups_thousands_with_commas_is_read_so():
    """An export from a US system: 1,054 and 12,345,678 group thousands, 1,234.56 has a
    decimal dot; in a file of decimal commas (5,5) 1,234 stays 1.23 (1.234). Read
    with the decimal comma, a US 1,054 became 1.05 without a word."""
    us = ["1,054", "55", "4,821", "12,345,678", ""]
    assert p.amount_style(us) == p.DOT_DECIMAL
    assert [str(p.parse_amount(v, p.DOT_DECIMAL)) for v in us[:4]] == [
        "1054.00",
        "55.00",
        "4821.00",
        "12345678.00",
    ]
    assert p.amount_style(["$1,234.56", "99.5"]) == p.DOT_DECIMAL
    assert p.amount_style(["1,234", "5,5"]) == p.COMMA_DECIMAL
    assert p.amount_style(["1 234,56", "1.234.567"]) == p.COMMA_DECIMAL
    assert p.amount_style(["1234", "250000", "123.456"]) == p.EITHER_DECIMAL
    assert p.parse_amount("1,234", p.COMMA_DECIMAL) == Decimal("1.23")
    # a lone dot before three digits: thousands only where the file writes decimal commas
    assert p.parse_amount("123.456", p.COMMA_DECIMAL) == Decimal("123456.00")
    assert p.parse_amount("123.456") == Decimal("123.46")
    assert p.parse_amount("$1,234.56", p.COMMA_DECIMAL) == Decimal("1234.56")

    text = 'key,Title,Amount\n1,A,"1,054"\n2,B,55\n3,C,"$12,345,678"\n'
    table = p.read_table(text.encode(), "deals.csv")
    out = p.convert_rows(
        table, {"external_id": "key", "title": "Title", "amount": "Amount"}, "deals"
    )
    assert not out.errors
    assert [r.values["amount"] for r in out.rows] == [
        Decimal("1054.00"),
        Decimal("55.00"),
        Decimal("12345678.00"),
    ]


def test_phones_emails_inn():
    phones = p.parse_phones("8 (912) 345-67-89; +7 495 123-45-67")
    assert [x.e164 for x in phones] == ["+79123456789", "+74951234567"]
    assert p.parse_emails("a@b.ru, C@D.com") == ["a@b.ru", "C@D.com"]
    assert p.parse_inn("7707083893") == "7707083893"
    with pytest.raises(p.ValueProblem):
        p.parse_inn("7707083894")
    with pytest.raises(p.ValueProblem):
        p.parse_emails("not-an-email")
    with pytest.raises(p.ValueProblem):
        p.parse_phones("12")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8 383 205 40 51, 357", [("+73832054051", "357")]),
        ("9934724416;88438990580, 611", [("+79934724416", ""), ("+78438990580", "611")]),
        ("+7 912 345-67-89, доб. 12, 8 495 123-45-67", [("+79123456789", "12"),
                                                      ("+74951234567", "")]),
        ("8 912 345 67 89, 8 495 123 45 67", [("+79123456789", ""), ("+74951234567", "")]),
    ],
)  # fmt: skip
def test_an_extension_after_a_comma_stays_with_its_number(text, expected):
    assert [(x.e164, x.extension) for x in p.parse_phones(text)] == expected


def test_a_lone_short_number_is_still_not_a_phone():
    with pytest.raises(p.ValueProblem):
        p.parse_phones("357, 8 912 345 67 89")  # the extension comes after the number
    with pytest.raises(p.ValueProblem):
        p.parse_phones("8 912 345 67 89\n357")  # a line of its own is a value of its own


# ----------------------------------------------------------------------- mapping, rows


def test_suggestions_from_russian_and_english_headers():
    ru = p.suggest_mapping(
        ["Название", "Сумма", "Этап", "Дата создания", "Ответственный", "ИНН"], "deals"
    )
    assert ru == {
        "title": "Название",
        "amount": "Сумма",
        "stage": "Этап",
        "created_at": "Дата создания",
        "owner": "Ответственный",
        "company_inn": "ИНН",
    }
    # a one-row-per-opportunity export: it has no title column, the title is left to map
    opp = p.suggest_mapping(
        ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
         "close_date", "close_value"],
        "deals",
    )  # fmt: skip
    assert opp == {
        "external_id": "opportunity_id",
        "amount": "close_value",
        "stage": "deal_stage",
        "created_at": "engage_date",
        "closed_at": "close_date",
        "owner": "sales_agent",
        "company": "account",
    }
    en = p.suggest_mapping(["ID", "Full name", "E-mail", "Phone", "Company"], "contacts")
    assert en == {
        "external_id": "ID",
        "name": "Full name",
        "emails": "E-mail",
        "phones": "Phone",
        "company": "Company",
    }


def test_convert_rows_reports_row_column_and_message():
    text = (
        "key;Название;Сумма;Создана\n"
        '1;=HYPERLINK("http://evil");100;31.01.2025\n'
        "2;;abc;31.02.2025\n"
    )
    table = p.read_table(text.encode(), "x.csv")
    mapping = {
        "external_id": "key",
        "title": "Название",
        "amount": "Сумма",
        "created_at": "Создана",
    }
    out = p.convert_rows(table, mapping, "deals")
    assert out.rows[0].values == {
        "external_id": "1",
        "title": '=HYPERLINK("http://evil")',
        "amount": Decimal("100.00"),
        "created_at": datetime(2025, 1, 31),
        "currency": "RUB",
    }
    assert out.bad_rows == {3}
    # a row without a title is named by its key; its errors are its cells'
    assert out.rows[1].values["title"] == "2"
    rendered = [(e.row, e.column, e.render()) for e in out.errors]
    assert rendered == [
        (3, "Сумма", "“abc” is not an amount."),
        (3, "Создана", "“31.02.2025” is not a real date."),
    ]


def test_a_name_kept_in_parts_makes_the_full_name():
    text = (
        "Фамилия;Имя;Отчество;ФИО;Должность\n"
        "Петрова;Анна;Сергеевна;;\n"  # a patronymic: the Russian order of a ФИО
        ";John;;;\n"
        "Smith;John;;;\n"  # no patronymic: first name first
        ";;;;CEO\n"  # no name at all
        "Иванов;Иван;;Иванов Иван Иванович;\n"  # the full name's own column wins
    )
    table = p.read_table(text.encode(), "x.csv")
    mapping = p.suggest_mapping(table.headers, "contacts")
    assert mapping == {
        "name": "ФИО",
        "last_name": "Фамилия",
        "first_name": "Имя",
        "middle_name": "Отчество",
        "position": "Должность",
    }
    out = p.convert_rows(table, mapping, "contacts")
    assert [r.values for r in out.rows] == [
        {"name": "Петрова Анна Сергеевна"},
        {"name": "John"},
        {"name": "John Smith"},
        {"position": "CEO"},
        {"name": "Иванов Иван Иванович"},
    ]
    assert out.bad_rows == {5}
    assert [(e.row, e.column, e.render()) for e in out.errors] == [
        (5, "ФИО", "The value is required.")
    ]
    # without a full-name column the parts are enough; a row without any is refused
    del mapping["name"]
    out = p.convert_rows(table, mapping, "contacts")
    assert out.rows[4].values == {"name": "Иван Иванов"}
    assert [(e.row, e.column) for e in out.errors] == [(5, "Фамилия")]
    # and neither the full name nor a part: the file is refused
    with pytest.raises(p.FileRejected) as exc:
        p.convert_rows(table, {"position": "Должность"}, "contacts")
    assert exc.value.code == "required_unmapped"


def test_phones_and_emails_from_several_columns():
    text = (
        "Имя;Фамилия;Рабочий телефон;Мобильный телефон;Номер факса;Рабочий e-mail;Частный e-mail\n"
        "Анна;Петрова;+7 495 123-45-67 доб. 12;8 912 345 67 89;84951234500;a@x.ru;a@gmail.com\n"
        "Иван;Иванов;;89123456789;;;I@X.RU\n"
        "Пётр;Сидоров;8 912 345 67 89;+7 912 345-67-89;;;\n"  # the same number twice
    )
    table = p.read_table(text.encode(), "x.csv")
    mapping = p.suggest_mapping(table.headers, "contacts")
    assert mapping == {
        "first_name": "Имя",
        "last_name": "Фамилия",
        "phones": ["Рабочий телефон", "Мобильный телефон"],  # not the fax
        "emails": ["Рабочий e-mail", "Частный e-mail"],
    }
    out = p.convert_rows(table, mapping, "contacts")
    assert not out.errors
    anna, ivan, petr = (r.values for r in out.rows)
    assert [(x.e164, x.extension) for x in anna["phones"]] == [
        ("+74951234567", "12"),
        ("+79123456789", ""),
    ]
    assert anna["emails"] == ["a@x.ru", "a@gmail.com"]
    assert [x.e164 for x in ivan["phones"]] == ["+79123456789"]
    assert ivan["emails"] == ["I@X.RU"]
    assert [x.e164 for x in petr["phones"]] == ["+79123456789"]
    # one column stays a column name; a text field cannot take several
    assert p.suggest_mapping(["Name", "Phone"], "contacts")["phones"] == "Phone"
    with pytest.raises(p.FileRejected) as exc:
        p.convert_rows(table, {"name": ["Имя", "Фамилия"]}, "contacts")
    assert exc.value.code == "several_columns"
    with pytest.raises(p.FileRejected) as exc:
        p.convert_rows(table, {"name": "Имя", "phones": ["Мобильный телефон", "zzz"]}, "contacts")
    assert exc.value.code == "missing_column"


def test_a_name_made_of_long_parts_is_refused_not_cut():
    long = "Щ" * 100
    table = p.read_table(f"Фамилия;Имя;Отчество\n{long};{long};{long}\n".encode(), "x.csv")
    mapping = {"last_name": "Фамилия", "first_name": "Имя", "middle_name": "Отчество"}
    out = p.convert_rows(table, mapping, "contacts")
    assert out.bad_rows == {2} and "name" not in out.rows[0].values
    assert out.errors[0].render() == ("The name made of its parts is longer than 300 characters.")


def test_mapping_to_a_missing_column_or_without_a_required_field():
    table = p.read_table(b"a,b\n1,2\n", "x.csv")
    with pytest.raises(p.FileRejected) as exc:
        p.convert_rows(table, {"title": "zzz"}, "deals")
    assert exc.value.code == "missing_column"
    with pytest.raises(p.FileRejected) as exc:
        p.convert_rows(table, {"phones": "a"}, "companies")
    assert exc.value.code == "required_unmapped"


def test_a_deal_without_a_title_is_named_by_its_company_and_key():
    """Opportunity exports often carry no name (an id, an account, a product, the dates):
    such rows are named as a CRM names them, not refused."""
    text = (
        "opportunity_id,account,close_value\n"
        "OPP1,Acme,100\n"  # company and key
        "OPP2,,200\n"  # key alone
        ",Globex,300\n"  # company alone
        ",,400\n"  # neither: the row number
    )
    table = p.read_table(text.encode(), "x.csv")
    mapping = p.suggest_mapping(table.headers, "deals")
    assert "title" not in mapping
    out = p.convert_rows(table, mapping, "deals")
    assert not out.errors
    assert [r.values["title"] for r in out.rows] == ["Acme · OPP1", "OPP2", "Globex", "#5"]
    # a title column wins where it is filled
    text = "id,name,account\n1,Станки,Acme\n2,,Acme\n"
    table = p.read_table(text.encode(), "x.csv")
    mapping = {"external_id": "id", "title": "name", "company": "account"}
    out = p.convert_rows(table, mapping, "deals")
    assert [r.values["title"] for r in out.rows] == ["Станки", "Acme · 2"]


# ----------------------------------------------------------------------- formula neutralising


@pytest.mark.parametrize(
    "text", ["=1+1", "+7 912", "-1+1", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"]
)
def test_formula_like_text_is_neutralised(text):
    assert is_formula_like(text)
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


def test_numbers_and_plain_text_are_left_alone():
    assert neutralise(-5) == -5
    assert neutralise("ООО Ромашка") == "ООО Ромашка"
    assert unneutralise("'quoted") == "'quoted"


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_a_formula_and_round_trips(text):
    safe = neutralise(text)
    assert not is_formula_like(safe)
    assert unneutralise(safe) == text or not is_formula_like(text)


def test_a_file_that_writes_its_dates_month_first_is_read_so():
    """An export from a US system: 10/20/2016 only makes sense month first, so 3/1/2017 in
    the same file (another column too) is 1 March, not 3 January. A file whose dates are
    day first somewhere stays day first, and one where no cell tells is read day first."""
    assert p.date_order(["3/1/2017", "10/20/2016", "2017-05-01", ""]) == p.MONTH_FIRST
    assert p.date_order(["3/1/2017", "20/10/2016"]) == p.DAY_FIRST
    assert p.date_order(["3/1/2017", "20/10/2016", "10/20/2016"]) == p.DAY_FIRST
    assert p.date_order(["3/1/2017", "12/11/2016"]) == p.DAY_FIRST
    assert p.parse_datetime("10/20/2016 1:45 PM", p.MONTH_FIRST) == datetime(2016, 10, 20, 13, 45)
    assert p.parse_datetime("3/1/2017 12:05 am", p.MONTH_FIRST) == datetime(2017, 3, 1, 0, 5)
    assert p.parse_datetime("01.03.2017 12:05 PM") == datetime(2017, 3, 1, 12, 5)
    with pytest.raises(p.ValueProblem):
        p.parse_datetime("3/1/2017 13:05 PM", p.MONTH_FIRST)

    text = (
        "opportunity_id,deal_stage,engage_date,close_date,close_value\n"
        "A1,Won,3/1/2017,3/15/2017,1000\n"
        "A2,Engaging,10/20/2016,,\n"
        "A3,Lost,2/3/2017,4/5/2017,0\n"
    )
    table = p.read_table(text.encode(), "sales_pipeline.csv")
    mapping = {
        "external_id": "opportunity_id",
        "title": "opportunity_id",
        "stage": "deal_stage",
        "created_at": "engage_date",
        "closed_at": "close_date",
        "amount": "close_value",
    }
    out = p.convert_rows(table, mapping, "deals")
    assert not out.errors
    got = [(r.values["created_at"], r.values.get("closed_at")) for r in out.rows]
    assert got == [
        (datetime(2017, 3, 1), datetime(2017, 3, 15)),
        (datetime(2016, 10, 20), None),
        (datetime(2017, 2, 3), datetime(2017, 4, 5)),
    ]
    # the same file day first: 3/15/2017 is no date, and it is said so
    day_first = text.replace("10/20/2016", "20/10/2016")
    out = p.convert_rows(p.read_table(day_first.encode(), "x.csv"), mapping, "deals")
    assert [(e.row, e.column) for e in out.errors] == [(2, "close_date")]


def test_an_amount_whose_sign_contradicts_the_currency_column_is_an_error():
    """ "$12,000" without a currency column is a deal in the default currency, as every
    amount without a sign (the forecast counts in one main currency); a sign that
    contradicts the currency column is an error on the amount, in the user's language."""
    assert p.amount_currency("$1,234.56") == "USD"
    assert p.amount_currency("1 234 руб.") == "RUB"
    assert p.amount_currency("1234") is None
    text = 'key,Title,Amount\n1,A,"$12,000"\n2,B,12000\n'
    table = p.read_table(text.encode(), "deals.csv")
    mapping = {"external_id": "key", "title": "Title", "amount": "Amount"}
    out = p.convert_rows(table, mapping, "deals", currencies=("RUB", "USD"))
    assert not out.errors
    got = [(r.values["amount"], r.values["currency"]) for r in out.rows]
    assert got == [(Decimal("12000.00"), "RUB"), (Decimal("12000.00"), "RUB")]
    text = "key,Title,Amount,Cur\n1,A,$500,EUR\n2,B,$600,USD\n"
    mapping["currency"] = "Cur"
    out = p.convert_rows(
        p.read_table(text.encode(), "deals.csv"), mapping, "deals", currencies=("USD", "EUR")
    )
    assert out.bad_rows == {2}
    assert out.errors[0].render() == "The amount is in USD, the currency column says EUR."
    with translation.override("ru"):
        said = out.errors[0].render(translation.gettext)
    assert said == "Сумма указана в USD, а в столбце валюты — EUR."
