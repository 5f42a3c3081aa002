"""Spreadsheet cells that cannot run as formulas. Pure: no Django.

A spreadsheet program runs a cell as a formula (or a DDE command) when its text starts with
``=``, ``+``, ``-`` or ``@``, and some also after a leading tab, carriage return or NUL. Text
written to a CSV or XLSX cell is neutralised by prefixing an apostrophe, which spreadsheets
show as plain text; reading the file back strips exactly that one apostrophe again, so an
export followed by an import does not accumulate prefixes.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
PREFIX = "'"


def is_formula_like(text: str) -> bool:
    """True if a spreadsheet could run ``text`` as a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def neutralise(value):
    """The cell value safe to write: formula-like text gets an apostrophe in front.

    Anything that is not text (numbers, dates, None) is returned unchanged, so genuine
    negative numbers in numeric columns stay numeric.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return PREFIX + value
    return value


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise` on text read back from a file (one apostrophe, only where
    it protected a formula-like value)."""
    if isinstance(text, str) and text.startswith(PREFIX) and is_formula_like(text[1:]):
        return text[1:]
    return text
