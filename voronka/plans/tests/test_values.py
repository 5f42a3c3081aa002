"""Pure parsing of periods and amounts typed into the plan grid."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.plans.values import (
    ValueProblem,
    parse_amount,
    parse_count,
    parse_period,
    period_of,
    periods_of_year,
)


@pytest.mark.parametrize(
    "text,key,start,end",
    [
        ("2026-03", "2026-03", date(2026, 3, 1), date(2026, 4, 1)),
        (" 2026-12 ", "2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026-q1", "2026-Q1", date(2026, 1, 1), date(2026, 4, 1)),
        ("2026-Q4", "2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
    ],
)
def test_periods_parse(text, key, start, end):
    p = parse_period(text)
    assert (p.key, p.start, p.end) == (key, start, end)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-3", "2026-Q5", "26-03", "2026/03", "", None, 202603]
)
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueProblem) as exc:
        parse_period(text)
    assert exc.value.code == "bad_period"


@pytest.mark.parametrize(
    "text,value",
    [
        ("1500000", Decimal("1500000.00")),
        ("1 500 000", Decimal("1500000.00")),
        ("1\u00a0500\u00a0000,50", Decimal("1500000.50")),
        ("1,500,000.50", Decimal("1500000.50")),
        ("0", Decimal("0.00")),
        ("", None),
        ("   ", None),
    ],
)
def test_amounts_parse_both_ways(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    "text,code",
    [("-5", "negative"), ("abc", "bad_amount"), ("1e5", "bad_amount"), ("NaN", "bad_amount")],
)
def test_bad_amounts_are_refused(text, code):
    with pytest.raises(ValueProblem) as exc:
        parse_amount(text)
    assert exc.value.code == code


def test_huge_amount_and_bad_count():
    with pytest.raises(ValueProblem):
        parse_amount("1" * 20)
    with pytest.raises(ValueProblem):
        parse_count("-1")
    assert parse_count(" 12 ") == 12
    assert parse_count("") is None


@given(st.decimals(min_value=0, max_value=10**12, places=2))
def test_amount_round_trip(d):
    assert parse_amount(str(d)) == d
    assert parse_amount(f"{d:,}".replace(",", " ")) == d
    assert parse_amount(f"{d:,}") == d  # the grid's English digits: 1,250,000.50
    assert parse_amount(f"{d:,}".replace(",", " ").replace(".", ","), ",") == d


def test_a_comma_before_three_digits_is_read_as_the_language_writes_it():
    """The English grid writes 1,500 for fifteen hundred; it was read back as 1.50."""
    assert parse_amount("1,500") == Decimal("1500.00")
    assert parse_amount("500,000", ".") == Decimal("500000.00")
    assert parse_amount("1,500", ",") == Decimal("1.50")
    assert parse_amount("1.500", ",") == Decimal("1500.00")
    assert parse_amount("1,5", ".") == Decimal("1.50")
    with pytest.raises(ValueProblem):
        parse_amount("1,50,000")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_a_date_lies_inside_its_month_and_quarter(d):
    for kind in ("month", "quarter"):
        p = period_of(d, kind)
        assert p.start <= d < p.end
        assert parse_period(p.key) == p
    m = period_of(d, "month")
    assert m in m.quarter.months


def test_a_year_has_twelve_months_and_four_quarters():
    assert [p.key for p in periods_of_year(2026, "quarter")] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert len(periods_of_year(2026, "month")) == 12
