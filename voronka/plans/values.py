"""Pure parsing of plan input: periods and amounts typed into the grid (no Django).

A period is ``YYYY-MM`` (a month) or ``YYYY-Qn`` (a quarter). An amount may be typed the
Russian or the English way: spaces, no-break spaces or apostrophes between thousands,
a comma or a dot before the kopecks; a comma or dot before three digits is read as the
user's language writes numbers (1,500 is 1500 in English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from voronka.core.money import MoneyError, number_text

MAX_AMOUNT = Decimal("99999999999999.99")
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|[Qq]([1-4]))$")


class ValueProblem(ValueError):
    """``code`` is one of the plan error codes."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class Period:
    kind: str  # "month" or "quarter"
    year: int
    index: int  # month 1-12 or quarter 1-4

    @property
    def key(self) -> str:
        return (
            f"{self.year}-{self.index:02d}"
            if self.kind == "month"
            else f"{self.year}-Q{self.index}"
        )

    @property
    def start(self) -> date:
        month = self.index if self.kind == "month" else (self.index - 1) * 3 + 1
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        months = 1 if self.kind == "month" else 3
        m = self.start.month - 1 + months
        return date(self.year + m // 12, m % 12 + 1, 1)

    @property
    def months(self) -> list[Period]:
        """The months a quarter is made of (a month: itself)."""
        if self.kind == "month":
            return [self]
        first = (self.index - 1) * 3 + 1
        return [Period("month", self.year, m) for m in range(first, first + 3)]

    @property
    def quarter(self) -> Period:
        if self.kind == "quarter":
            return self
        return Period("quarter", self.year, (self.index - 1) // 3 + 1)


def parse_period(text) -> Period:
    m = _PERIOD.match(text.strip()) if isinstance(text, str) else None
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise ValueProblem("bad_period")
    year = int(m.group(1))
    if m.group(2):
        return Period("month", year, int(m.group(2)))
    return Period("quarter", year, int(m.group(3)))


def period_of(d: date, kind: str) -> Period:
    if kind == "month":
        return Period("month", d.year, d.month)
    return Period("quarter", d.year, (d.month - 1) // 3 + 1)


def periods_of_year(year: int, kind: str) -> list[Period]:
    n = 12 if kind == "month" else 4
    return [Period(kind, year, i) for i in range(1, n + 1)]


def parse_amount(text, decimal: str = ".") -> Decimal | None:
    """``None`` for an empty cell (no plan); a ``Decimal`` with two places otherwise.
    ``decimal`` is the decimal mark of the user's language, which tells 1,500 (1500 in
    English, as the grid writes it; 1.5 in Russian) (``core.money.number_text``)."""
    if text is None:
        return None
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        s = str(text).strip()
        for ch in (" ", "\u00a0", "\u202f", "'", "_"):
            s = s.replace(ch, "")
        if s == "":
            return None
        try:
            s = number_text(s, decimal)
        except MoneyError:
            raise ValueProblem("bad_amount") from None
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", s):
            raise ValueProblem("bad_amount")
        try:
            value = Decimal(s)
        except InvalidOperation:
            raise ValueProblem("bad_amount") from None
    if not value.is_finite():
        raise ValueProblem("bad_amount")
    if value < 0:
        raise ValueProblem("negative")
    if value > MAX_AMOUNT:
        raise ValueProblem("too_large")
    return value.quantize(Decimal("0.01"))


def parse_count(text) -> int | None:
    if text is None:
        return None
    s = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if s == "":
        return None
    if not s.isdigit() or len(s) > 9:
        raise ValueProblem("bad_deals")
    return int(s)
