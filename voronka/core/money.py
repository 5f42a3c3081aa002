"""Money as Decimal with an ISO 4217 currency. Pure: no Django."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_AMOUNT = Decimal("999999999999.99")


class MoneyError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def clean_amount(value) -> Decimal:
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, str):
        value = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
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
