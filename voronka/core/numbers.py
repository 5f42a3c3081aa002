"""Numbers as the user's language writes them."""

from babel.numbers import get_decimal_symbol
from django.conf import settings
from django.utils import translation


def decimal_mark() -> str:
    """The decimal mark of the active language: "," in Russian, "." in English."""
    locale = (translation.get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    return get_decimal_symbol(locale)
