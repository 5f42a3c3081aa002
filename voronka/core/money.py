"""Money as Decimal with an ISO 4217 currency. Pure: no Django."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_AMOUNT = Decimal("999999999999.99")


class MoneyError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# a number grouped in threes by "," or "." (1,234,567)
GROUPED = {m: re.compile(rf"^-?\d{{1,3}}(?:{re.escape(m)}\d{{3}})+$") for m in ",."}


def number_text(text: str, decimal: str | None = ".") -> str:
    """``text`` as a plain number (``1234.56``): spaces, apostrophes and thousands
    separators dropped, the decimal mark a dot.

    With both marks the last is the decimal one; a mark written twice groups thousands;
    a lone mark is the decimal one, except a mark that is not ``decimal`` (the decimal mark
    of the user's language) with three digits after it and one to three before: 1,500 is
    1500 in English, where the comma groups thousands (and the plan grid writes it so),
    and 1.5 in Russian; 1.500 the other way round. With ``decimal`` None (nothing tells)
    a lone mark is always the decimal one. Invalid grouping raises MoneyError."""
    t = re.sub(r"[\s\u00a0\u202f']", "", text)
    marks = [m for m in ",." if m in t]
    if len(marks) == 2:
        point = "," if t.rfind(",") > t.rfind(".") else "."
        whole, _, frac = t.rpartition(point)
        group = "." if point == "," else ","
        if group in whole and not GROUPED[group].match(whole):
            raise MoneyError("not_a_number")
        return f"{whole.replace(group, '')}.{frac}"
    if not marks:
        return t
    mark = marks[0]
    if t.count(mark) > 1:
        if not GROUPED[mark].match(t):
            raise MoneyError("not_a_number")
        return t.replace(mark, "")
    grouping = decimal is not None and mark != decimal
    if grouping and GROUPED[mark].match(t) and t.lstrip("-")[0] != "0":
        return t.replace(mark, "")
    return t.replace(mark, ".")


def clean_amount(value, decimal: str = ".") -> Decimal:
    """An amount of money from a number or text (``1 234,56``, ``1,234.56``); ``decimal``
    is the user's decimal mark ("," or "."), which decides a lone mark before three digits
    (``number_text``)."""
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, str):
        value = number_text(value, decimal)
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise MoneyError("not_a_number") from None
    if not amount.is_finite():
        raise MoneyError("not_a_number")
    if amount < 0:
        raise MoneyError("negative")
    if amount > MAX_AMOUNT:
        raise MoneyError("too_large")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def clean_currency(code: str, allowed: list[str]) -> str:
    code = (code or "").strip().upper()
    if code not in allowed:
        raise MoneyError("unknown_currency")
    return code
