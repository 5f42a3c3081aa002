"""Date formats compiled once per page. Pure: no Django.

Django's ``dateformat.format`` re-reads its format string and builds a formatter object on
every call; a list page formats a few hundred dates with the same two or three formats.
``compile_format`` turns a format made only of numeric day, month, year, hour, minute and
second characters (``d.m.Y``, ``m/d/Y``, ``d.m.Y H:i``) into one ``str.format`` template;
any other format (names of months, ``a.m.``, escapes) gives ``None`` and the caller keeps
Django's formatter, so the output is always Django's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

_DATE_PARTS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
    "y": "{1:02d}",
}
_TIME_PARTS = {"H": "{0.hour:02d}", "G": "{0.hour}", "i": "{0.minute:02d}", "s": "{0.second:02d}"}


@lru_cache(maxsize=32)
def compile_format(fmt: str) -> Callable[[dt.date], str] | None:
    """A function formatting a date (or datetime, for a format with time parts) exactly as
    Django's format characters say, or ``None`` when ``fmt`` uses anything else."""
    template = []
    has_time = False
    for ch in fmt:
        if ch in _DATE_PARTS:
            template.append(_DATE_PARTS[ch])
        elif ch in _TIME_PARTS:
            template.append(_TIME_PARTS[ch])
            has_time = True
        elif ch.isalpha() or ch == "\\":
            return None
        else:
            template.append(ch.replace("{", "{{").replace("}", "}}"))
    pattern = "".join(template)

    def apply(value: dt.date) -> str:
        if has_time and not isinstance(value, dt.datetime):
            raise TypeError("a time format needs a datetime")
        return pattern.format(value, value.year % 100)

    return apply
