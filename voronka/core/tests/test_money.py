"""Amounts typed by people: both decimal marks, thousands separators, nothing a thousand
times off."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.core.money import MoneyError, clean_amount


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1,234", ".", "1234.00"),  # English: the comma groups thousands
        ("1,234", ",", "1.23"),  # Russian: the comma is the decimal mark
        ("1.500", ".", "1.50"),
        ("1.500", ",", "1500.00"),
        ("500,000", ".", "500000.00"),
        ("1,5", ".", "1.50"),  # a comma before other than three digits is decimal anywhere
        ("1.5", ",", "1.50"),
        ("0,500", ".", "0.50"),  # 0 cannot lead a grouped number
        ("1234,567", ".", "1234.57"),  # four digits before: not grouped
        ("1,234,567", ",", "1234567.00"),  # a repeated mark groups
        ("1.234.567", ".", "1234567.00"),
        ("1,234.56", ",", "1234.56"),  # both marks: the last is decimal
        ("1.234,56", ".", "1234.56"),
        ("1 234 567,89", ".", "1234567.89"),
        ("1\u00a0234\u202f567.5", ",", "1234567.50"),
        ("1'234.50", ".", "1234.50"),
        ("1.2E+06", ".", "1200000.00"),
    ],
)
def test_typed_amounts(text, decimal, expected):
    assert clean_amount(text, decimal) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12,34,567", "not_a_number"),
        ("1,234,56", "not_a_number"),
        ("1,234.5.6", "not_a_number"),
        ("1.234,5,6", "not_a_number"),
        ("abc", "not_a_number"),
        ("-1,234", "negative"),
        ("1" * 14, "too_large"),
    ],
)
def test_bad_amounts_are_errors(text, code):
    for decimal in ".,":
        with pytest.raises(MoneyError) as exc:
            clean_amount(text, decimal)
        assert exc.value.code == code


@given(st.decimals(min_value=0, max_value=10**11, places=2))
def test_an_amount_written_either_way_reads_back(d):
    english = f"{d:,}"  # 1,234,567.89
    russian = english.replace(",", " ").replace(".", ",")  # 1 234 567,89
    assert clean_amount(english, ".") == d
    assert clean_amount(russian, ",") == d
    assert clean_amount(str(d), ".") == d
