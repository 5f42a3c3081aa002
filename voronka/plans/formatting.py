"""Numbers for plan cells in the user's language (``1 500 000`` / ``1,500,000``)."""

from decimal import Decimal

from babel.numbers import format_decimal
from django.conf import settings
from django.utils import translation


def locale_name() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).replace("-", "_")


def format_plan_amount(value) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    fmt = "#,##0" if value == value.to_integral_value() else "#,##0.00"
    return format_decimal(value, format=fmt, locale=locale_name())
