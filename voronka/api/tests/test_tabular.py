"""The pure CSV/XLSX writers: no formula survives, every value comes back."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from voronka.api.tabular import column_letter, csv_chunks, write_xlsx
from voronka.core.spreadsheet import FORMULA_STARTS

# Text a user may type (no surrogates: the database never stores them).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def xlsx_rows(header, rows):
    buffer = io.BytesIO()
    write_xlsx(header, rows, buffer, "Лист")
    buffer.seek(0)
    book = openpyxl.load_workbook(buffer)
    return book.active


@settings(max_examples=60)
@given(st.lists(st.lists(TEXT, min_size=3, max_size=3), max_size=8))
def test_xlsx_has_no_formula_and_keeps_the_text(rows):
    sheet = xlsx_rows(["a", "b", "c"], rows)
    got = list(sheet.iter_rows(min_row=2, values_only=True))
    # Trailing rows of empty cells have nothing to store: they read back as absent.
    assert len(got) <= len(rows)
    got += [(None, None, None)] * (len(rows) - len(got))
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value.startswith("="))
    for typed, read in zip(rows, got, strict=True):
        for value, back in zip(typed, read, strict=True):
            clean = "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")
            clean = clean.replace("\ufffe", "").replace("\uffff", "")
            if value.startswith(FORMULA_STARTS):
                clean = "'" + clean
            # openpyxl reads an empty inline string as None; XML folds \r\n to \n.
            assert (back or "") == clean.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60)
@given(st.lists(st.lists(TEXT, min_size=2, max_size=2), max_size=8))
def test_csv_round_trips_with_bom_and_semicolons(rows):
    text = "".join(csv_chunks(["x", "y"], rows))
    assert text.startswith("\ufeff")
    back = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert back[0] == ["x", "y"]
    for typed, read in zip(rows, back[1:], strict=True):
        for value, field in zip(typed, read, strict=True):
            assert not field.startswith(FORMULA_STARTS)
            assert field == ("'" + value if value.startswith(FORMULA_STARTS) else value)


def test_xlsx_types():
    sheet = xlsx_rows(
        ["n", "amount", "day", "moment", "flag", "empty"],
        [[7, Decimal("1500.50"), date(2025, 3, 1), datetime(2025, 1, 2, 3, 4), True, None]],
    )
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    assert row == (7, 1500.5, datetime(2025, 3, 1), datetime(2025, 1, 2, 3, 4), True, None)


def test_csv_decimal_comma():
    text = "".join(csv_chunks(["a"], [[Decimal("10.50")], [-3]], decimal_comma=True))
    assert text.splitlines()[1:] == ["10,50", "-3"]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]
