"""Compiled date formats give exactly what Django's formatter gives, or step aside."""

import datetime as dt

import pytest
from django.utils import dateformat, formats, translation
from hypothesis import given
from hypothesis import strategies as st

from voronka.core.dates import compile_format
from voronka.deals.templatetags.deal_rows import local_date_formatter

DATE_FORMATS = ["d.m.Y", "m/d/Y", "j.n.y", "Y-m-d", "d/m/y", "{d}.m"]
DATETIME_FORMATS = ["d.m.Y H:i", "Y-m-d H:i:s", "j.n.Y G:i", "m/d/Y H:i"]


@given(st.dates(min_value=dt.date(1, 1, 1)), st.sampled_from(DATE_FORMATS))
def test_date_formats_match_django(value, fmt):
    assert compile_format(fmt)(value) == dateformat.format(value, fmt)


@given(st.datetimes(min_value=dt.datetime(1, 1, 1)), st.sampled_from(DATETIME_FORMATS))
def test_datetime_formats_match_django(value, fmt):
    assert compile_format(fmt)(value) == dateformat.format(value, fmt)


@pytest.mark.parametrize("fmt", ["j E Y г.", "N j, Y", "m/d/Y P", r"d \d\e m", "D, d.m.Y"])
def test_formats_with_words_or_escapes_are_left_to_django(fmt):
    assert compile_format(fmt) is None


def test_a_time_format_refuses_a_plain_date():
    with pytest.raises(TypeError):
        compile_format("d.m.Y H:i")(dt.date(2026, 1, 5))


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("name", ["SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "DATE_FORMAT"])
def test_page_formatter_matches_the_date_filter(settings, language, name):
    """Both project languages' formats, compiled or not, in the current time zone."""
    settings.TIME_ZONE = "Europe/Moscow"
    aware = dt.datetime(2026, 3, 1, 21, 30, 5, tzinfo=dt.UTC)  # 2 March 00:30 in Moscow
    with translation.override(language):
        fmt = local_date_formatter(name)
        assert fmt(aware) == formats.date_format(
            aware.astimezone(dt.timezone(dt.timedelta(hours=3))), name
        )
        if name != "SHORT_DATETIME_FORMAT":  # a date has no time of day to show
            day = dt.date(2026, 12, 31)
            assert fmt(day) == formats.date_format(day, name)
        assert fmt(None) == ""
