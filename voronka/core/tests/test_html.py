"""The hot-path escape gives what Django's does; record URLs are rebuilt from one pattern."""

import pytest
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from voronka.core.html import esc, url_pattern


@given(st.one_of(st.text(), st.integers(), st.decimals(allow_nan=False), st.none()))
def test_escapes_as_django(value):
    assert esc(value) == conditional_escape(value)


@pytest.mark.parametrize(
    "value",
    [mark_safe("<b>kept</b>"), gettext_lazy("Deals"), "<script>'x' & \"y\"</script>"],
)
def test_safe_and_lazy_values(value):
    assert esc(value) == conditional_escape(value)


def test_url_pattern_rebuilds_reverse():
    head, tail = url_pattern(lambda pk: reverse("deals:detail", args=[pk]))
    for pk in (1, 42, 10**9):
        assert f"{head}{pk}{tail}" == reverse("deals:detail", args=[pk])


def test_url_pattern_needs_the_id_once():
    with pytest.raises(ValueError):
        url_pattern(lambda pk: "/deals/")
    with pytest.raises(ValueError):
        url_pattern(lambda pk: f"/deals/{pk}/{pk}/")
