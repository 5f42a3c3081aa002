"""Phone numbers: stored in E.164, shown as the user typed them. Pure: no Django."""

import re
from dataclasses import dataclass

import phonenumbers


class PhoneError(ValueError):
    """The text cannot be read as a phone number."""


@dataclass(frozen=True)
class Phone:
    raw: str
    e164: str
    extension: str = ""


def parse_phone(text: str, region: str = "RU") -> Phone:
    raw = (text or "").strip()
    if not raw:
        raise PhoneError("empty")
    if len(raw) > 64:
        raise PhoneError("too long")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(str(exc)) from exc
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise PhoneError("invalid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(raw=raw, e164=e164, extension=number.extension or "")


# what may follow a number after a comma as its extension: "8 383 205-40-51, 357",
# "…, доб. 12", "…, ext 12"
_EXTENSION_ONLY = re.compile(
    r"^(?:(?:доб|добав|вн|внутр|ext|extension|x|#)\.?\s*)?\d{1,5}$", re.IGNORECASE
)


def _pieces(text: str):
    """(value, whether it opens its line) for each value typed in one box: one per line or
    separated by ';' or ','."""
    for line in (text or "").replace(";", "\n").splitlines():
        first = True
        for piece in line.split(","):
            piece = piece.strip()
            if piece:
                yield piece, first
                first = False


def split_phones(text: str) -> list[str]:
    """Phones typed in one box (see ``split_lines``); a piece after a comma that is only an
    extension (1-5 digits, or "доб. 12") belongs to the number before it."""
    parts: list[str] = []
    for piece, first in _pieces(text):
        if not first and _EXTENSION_ONLY.match(piece):
            parts[-1] = f"{parts[-1]}, {piece}"
        else:
            parts.append(piece)
    return parts


def split_lines(text: str) -> list[str]:
    """Several values typed in one box, one per line or separated by ';' or ','."""
    return [piece for piece, _ in _pieces(text)]
