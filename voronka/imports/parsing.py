"""Reading import files into typed rows with a per-row report. Pure: no Django.

Three steps, each usable alone:

1. :func:`read_table` turns the bytes of a CSV (UTF-8 with or without BOM, UTF-16 with BOM,
   cp1251; ``;`` ``,`` or tab, sniffed) or XLSX file into a :class:`Table` of text cells,
   refusing oversized files, zip bombs, too many columns and overlong cells with a
   :class:`FileRejected` error before anything is stored.
2. :func:`suggest_mapping` proposes which column feeds which field, from Russian or English
   headers.
3. :func:`convert_rows` types every mapped cell (dates, amounts, phones, e-mails, ИНН) and
   collects a :class:`RowError` (row, column, message) for every bad one.

Messages are English templates with ``%(name)s`` parameters, marked with
:func:`gettext_noop` so the translation catalogue extracts them; the web layer translates
them into the user's language.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from voronka.core.money import GROUPED, MoneyError, clean_amount, number_text
from voronka.core.phones import Phone, PhoneError, parse_phone, split_lines, split_phones
from voronka.core.spreadsheet import unneutralise
from voronka.core.taxid import TaxIdError, clean_inn


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue; translated where it is shown."""
    return message


# ------------------------------------------------------------------------------ limits


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 2**20  # the uploaded file itself
    max_columns: int = 200
    max_cell_chars: int = 10_000
    max_rows: int = 500_000
    # XLSX is a zip archive: what its members may expand to, in total and per byte.
    max_unzipped_bytes: int = 400 * 2**20
    max_zip_ratio: int = 200
    max_zip_members: int = 10_000


DEFAULT_LIMITS = Limits()


class FileRejected(ValueError):
    """The file as a whole cannot be read. ``message`` % ``params`` says why."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params

    def render(self, translate=lambda s: s) -> str:
        return translate(self.message) % self.params if self.params else translate(self.message)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # every row padded or cut to len(headers)
    # File line (or sheet row) number of each row, for the report: the header is row 1.
    row_numbers: list[int] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    def column(self, header: str) -> int:
        return self.headers.index(header)


def check_size(size: int, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a file by its size alone (call before reading it)."""
    if size <= 0:
        raise FileRejected("empty", gettext_noop("The file is empty."))
    if size > limits.max_bytes:
        raise FileRejected(
            "too_large",
            gettext_noop("The file is too large: %(size)s MB; at most %(limit)s MB is accepted."),
            size=round(size / 2**20, 1),
            limit=round(limits.max_bytes / 2**20),
        )


def read_path(path: str, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read a file from disk, refusing it by size before reading a byte."""
    import os

    check_size(os.path.getsize(path), limits)
    with open(path, "rb") as fh:
        data = fh.read()
    return read_table(data, filename or path, limits)


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))


def read_table(data: bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> Table:
    check_size(len(data), limits)
    if is_xlsx(data, filename):
        table = _read_xlsx(data, limits)
    else:
        table = _read_csv(data, limits)
    return _finish(table, limits)


# ------------------------------------------------------------------------------ CSV

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Characters a Russian business file plausibly holds besides letters and digits.
_PLAUSIBLE_EXTRA = set(" \t\r\n!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»№–—…’‘“”„€₽°±×·§©®™")


def _plausible(text: str) -> bool:
    """False when the decoded text is mostly characters no spreadsheet export contains."""
    sample = text[:200_000]
    if not sample:
        return True
    bad = 0
    for ch in sample:
        if ch.isalnum() or ch in _PLAUSIBLE_EXTRA:
            continue
        cat = unicodedata.category(ch)
        if cat.startswith(("C",)) or cat in ("So", "Sk", "Co", "Cn"):
            bad += 1
    return bad <= max(2, len(sample) // 200)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read in."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                break
            if _plausible(text):
                return text.lstrip("\ufeff"), enc
            break
    else:
        if b"\x00" not in data[:100_000]:
            try:
                text = data.decode("utf-8")
                if _plausible(text):
                    return text, "utf-8"
            except UnicodeDecodeError:
                pass
            try:
                text = data.decode("cp1251")
                if _plausible(text) and _cyrillic_or_ascii(text):
                    return text, "cp1251"
            except UnicodeDecodeError:
                pass
    raise FileRejected(
        "encoding",
        gettext_noop(
            "The file's encoding was not recognised. Save it as CSV in UTF-8 or "
            "Windows-1251, or as XLSX."
        ),
    )


def _cyrillic_or_ascii(text: str) -> bool:
    """cp1251 decodes any byte; the result is plausible only if its letters are Cyrillic
    or Latin."""
    letters = [c for c in text[:200_000] if c.isalpha()]
    if not letters:
        return True
    odd = sum(1 for c in letters if not (c.isascii() or "\u0400" <= c <= "\u04ff"))
    return odd <= len(letters) // 50


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the one splitting the first lines into the most equal fields."""
    lines = [ln for ln in text[:64_000].splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1)
    for delim in (";", ",", "\t"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        same = sum(1 for c in counts if c == counts[0])
        score = (same, counts[0])
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(data: bytes, limits: Limits) -> Table:
    text, encoding = decode(data)
    if not text.strip():
        raise FileRejected("empty", gettext_noop("The file is empty."))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    numbers: list[int] = []
    try:
        for raw in reader:
            if len(raw) > limits.max_columns:
                raise _too_many_columns(len(raw), limits)
            if len(rows) > limits.max_rows:
                raise _too_many_rows(limits)
            rows.append(raw)
            numbers.append(reader.line_num)
    except csv.Error:
        # The csv module refuses a field over its limit (131,072 characters) or a stray
        # NUL: a cell too long for any field of ours, or not a text file at all.
        raise FileRejected(
            "bad_csv",
            gettext_noop(
                "Line %(line)s cannot be read: a cell is longer than %(limit)s characters "
                "or the file is not a text table."
            ),
            line=reader.line_num + 1,
            limit=limits.max_cell_chars,
        )
    if not rows:
        raise FileRejected("empty", gettext_noop("The file is empty."))
    table = Table(headers=rows[0], rows=rows[1:], row_numbers=numbers[1:])
    table.encoding, table.delimiter = encoding, delimiter
    return table


def _too_many_columns(n: int, limits: Limits) -> FileRejected:
    return FileRejected(
        "too_many_columns",
        gettext_noop("The file has %(n)s columns; at most %(limit)s are accepted."),
        n=n,
        limit=limits.max_columns,
    )


def _too_many_rows(limits: Limits) -> FileRejected:
    return FileRejected(
        "too_many_rows",
        gettext_noop("The file has more than %(limit)s rows; split it into several files."),
        limit=limits.max_rows,
    )


# ------------------------------------------------------------------------------ XLSX


def check_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an archive by what its directory declares, before anything is unpacked:
    total unpacked size, expansion ratio, number of members, unsafe names."""
    bomb = FileRejected(
        "zip_bomb",
        gettext_noop("The XLSX file unpacks to far more data than it holds; it was refused."),
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _bad_xlsx()
    if len(infos) > limits.max_zip_members:
        raise bomb
    total = 0
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise _bad_xlsx()
        total += info.file_size
        if info.file_size > limits.max_unzipped_bytes:
            raise bomb
        if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
            if info.file_size > 2**20:
                raise bomb
    if total > limits.max_unzipped_bytes:
        raise bomb
    if total > 2**20 and total / max(len(data), 1) > limits.max_zip_ratio:
        raise bomb


def _bad_xlsx() -> FileRejected:
    return FileRejected(
        "bad_xlsx",
        gettext_noop("The file is not a readable XLSX workbook."),
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _read_xlsx(data: bytes, limits: Limits) -> Table:
    check_zip(data, limits)
    import openpyxl  # noqa: PLC0415 (only needed for XLSX)

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged archive
        raise _bad_xlsx()
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise FileRejected("empty", gettext_noop("The file is empty."))
        rows: list[list[str]] = []
        numbers: list[int] = []
        n = 0
        for values in ws.iter_rows(values_only=True):
            n += 1
            cells = [_cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            if len(cells) > limits.max_columns:
                raise _too_many_columns(len(cells), limits)
            if not cells:
                continue
            if len(rows) > limits.max_rows:
                raise _too_many_rows(limits)
            rows.append(cells)
            numbers.append(n)
    except FileRejected:
        raise
    except Exception:
        raise _bad_xlsx()
    finally:
        wb.close()
    if not rows:
        raise FileRejected("empty", gettext_noop("The file is empty."))
    return Table(headers=rows[0], rows=rows[1:], row_numbers=numbers[1:], encoding="xlsx")


# ------------------------------------------------------------------------------ table checks


def _finish(table: Table, limits: Limits) -> Table:
    headers = [unneutralise(h.strip()) for h in table.headers]
    while headers and headers[-1] == "":
        headers.pop()
    if not any(headers):
        raise FileRejected("no_header", gettext_noop("The first row holds no column names."))
    for i, h in enumerate(headers):
        if not h:
            headers[i] = f"#{i + 1}"
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = h.casefold()
        if key in seen:
            raise FileRejected(
                "duplicate_header",
                gettext_noop("The column name “%(name)s” appears twice in the first row."),
                name=h[:100],
            )
        seen[key] = i
    width = len(headers)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for raw, number in zip(table.rows, table.row_numbers, strict=True):
        if not any(c.strip() for c in raw):
            continue  # blank lines are not rows
        for col, cell in enumerate(raw):
            if len(cell) > limits.max_cell_chars:
                raise FileRejected(
                    "cell_too_long",
                    gettext_noop(
                        "Row %(row)s, column %(column)s: the cell holds %(n)s characters; at "
                        "most %(limit)s are accepted."
                    ),
                    row=number,
                    column=headers[col] if col < width else f"#{col + 1}",
                    n=len(cell),
                    limit=limits.max_cell_chars,
                )
        cells = [unneutralise(c) for c in raw[:width]]
        cells += [""] * (width - len(cells))
        rows.append(cells)
        numbers.append(number)
    if not rows:
        raise FileRejected(
            "header_only", gettext_noop("The file has column names but no rows of data.")
        )
    table.headers, table.rows, table.row_numbers = headers, rows, numbers
    return table


# ------------------------------------------------------------------------------ typed values


class ValueProblem(ValueError):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


# a time after a date: hh:mm[:ss], 24-hour or with AM/PM
_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?"
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})" + _TIME + "$")
# month names as exports and people write them, in English and Russian: in full, in the
# genitive ("1 марта 2025") and shortened
_MONTH_WORDS = {
    word: number
    for number, words in enumerate(
        (
            "january jan январь января янв",
            "february feb февраль февраля фев февр",
            "march mar март марта мар",
            "april apr апрель апреля апр",
            "may май мая",
            "june jun июнь июня июн",
            "july jul июль июля июл",
            "august aug август августа авг",
            "september sep sept сентябрь сентября сен сент",
            "october oct октябрь октября окт",
            "november nov ноябрь ноября ноя нояб",
            "december dec декабрь декабря дек",
        ),
        start=1,
    )
    for word in words.split()
}
_WEEKDAY = (
    r"(?:mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|"
    r"saturday|sun|sunday|пн|вт|ср|чт|пт|сб|вс|понедельник|вторник|среда|четверг|пятница|"
    r"суббота|воскресенье)\.?,?\s+"
)
_WORD = r"([^\W\d_]+)\.?"
_YEAR = r"(\d{4}|\d{2})(?:\s*г\.?)?"
# 1 March 2025, 01-Mar-2025, 1 марта 2025 г.
_D_MON_Y = re.compile(
    rf"^(?:{_WEEKDAY})?(\d{{1,2}})(?:[ ./-]+){_WORD}(?:[ ./,-]+){_YEAR}{_TIME}$", re.IGNORECASE
)
# March 1, 2025; Mar 1 2025
_MON_D_Y = re.compile(
    rf"^(?:{_WEEKDAY})?{_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}{_TIME}$", re.IGNORECASE
)
DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
# year first with slashes or dots (2025/01/31, 2025.01.31), as some exports write it
_YMD = re.compile(r"^(\d{4})([/.])(\d{1,2})\2(\d{1,2})" + _TIME + "$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
EXCEL_EPOCH = datetime(1899, 12, 30)


def date_order(values: Iterable[str]) -> str:
    """Whether a file writes its dates day first (31.01.2025, 31/01/2025) or month first
    (01/31/2025, as exports from US systems do), read from all of its date cells at once:
    month first when some cell only makes sense that way (a second number above 12) and
    none only the other way; day first otherwise, also when no cell tells (every number
    12 or less). ISO dates and Excel serials say nothing either way."""
    day_first = month_first = False
    for value in values:
        m = _DMY.match(value.strip())
        if not m:
            continue
        day_first = day_first or int(m.group(1)) > 12
        month_first = month_first or int(m.group(2)) > 12
        if day_first and month_first:
            break
    return MONTH_FIRST if month_first and not day_first else DAY_FIRST


def parse_datetime(text: str, order: str = DAY_FIRST) -> datetime:
    """A date and time from ``dd.mm.yyyy[ hh:mm[:ss]]`` (``mm/dd/yyyy`` with ``order``
    MONTH_FIRST, see ``date_order``; a 12-hour time with AM/PM too), a month written as a
    word in English or Russian (``1 March 2025``, ``Mar 1, 2025``, ``01-Mar-25``,
    ``1 марта 2025 г.``), ``yyyy/mm/dd``, ISO 8601 (an offset, Z or UTC after it) or an
    Excel serial number; a date alone means midnight. Naive unless ISO text carries an offset.
    Impossible dates (31.02.2025) are refused."""
    text = (text or "").strip()
    m = _DMY.match(text)
    if m:
        d, mo, y, hh, mi, ss, half = m.groups()
        if order == MONTH_FIRST:
            d, mo = mo, d
        return _build(_year(y), int(mo), int(d), _hour(hh, half, text), mi, ss, text)
    named = _named_month(text)
    if named is not None:
        return named
    m = _YMD.match(text)
    if m:
        y, _sep, mo, d, hh, mi, ss, half = m.groups()
        return _build(int(y), int(mo), int(d), _hour(hh, half, text), mi, ss, text)
    m = _ISO.match(text)
    if m:
        y, mo, d, hh, mi, ss, tz = m.groups()
        value = _build(int(y), int(mo), int(d), hh, mi, ss, text)
        if tz:
            if tz.upper() in ("Z", "UTC", "GMT"):
                offset = timedelta(0)
            else:
                sign = -1 if tz[0] == "-" else 1
                digits = tz[1:].replace(":", "")
                offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            value = value.replace(tzinfo=timezone(offset))
        return value
    if _SERIAL.match(text):
        serial = float(text)
        if 1 <= serial < 2_958_466:  # Excel's range: 1900-01-01 .. 9999-12-31
            return EXCEL_EPOCH + timedelta(days=serial)
    raise ValueProblem(
        gettext_noop(
            "“%(value)s” is not a date (use dd.mm.yyyy, mm/dd/yyyy, yyyy-mm-dd "
            "or the month in words: 1 Mar 2017, March 1, 2017)."
        ),
        value=text[:40],
    )


def _year(y: str) -> int:
    """A year of two digits is 1970-2069."""
    return int(y) + (2000 if len(y) == 2 and int(y) < 70 else 1900 if len(y) == 2 else 0)


def _hour(hh: str | None, half: str | None, text: str) -> str | None:
    """The 24-hour hour of ``hh`` with AM/PM (``half``: a or p) or without."""
    if not half:
        return hh
    hour = int(hh)
    if not 1 <= hour <= 12:
        raise ValueProblem(gettext_noop("“%(value)s” is not a real date."), value=text[:40])
    return str(hour % 12 + (12 if half in "Pp" else 0))


def _named_month(text: str) -> datetime | None:
    """A date with its month as a word (1 March 2025, Mar 1, 2025, 01-Mar-25,
    1 марта 2025 г.), or None when ``text`` is not written so."""
    m = _D_MON_Y.match(text)
    if m:
        d, word, y, hh, mi, ss, half = m.groups()
    else:
        m = _MON_D_Y.match(text)
        if not m:
            return None
        word, d, y, hh, mi, ss, half = m.groups()
    month = _MONTH_WORDS.get(word.lower())
    if month is None:
        return None
    return _build(_year(y), month, int(d), _hour(hh, half, text), mi, ss, text)


def _build(y, mo, d, hh, mi, ss, text) -> datetime:
    try:
        return datetime(y, mo, d, int(hh or 0), int(mi or 0), int(ss or 0))
    except ValueError:
        raise ValueProblem(gettext_noop("“%(value)s” is not a real date."), value=text[:40])


def parse_date(text: str, order: str = DAY_FIRST) -> date:
    return parse_datetime(text, order).date()


COMMA_DECIMAL = "comma"  # 1 234 567,89 / 1.234.567,89
DOT_DECIMAL = "dot"  # 1,234,567.89
EITHER_DECIMAL = ""  # no cell tells: a lone mark is the decimal one, a repeated one groups
# a currency sign or code written next to an amount, and the currency it names
_MARK_CODES = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "₽": "RUB",
    "rub": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "р": "RUB",
    "р.": "RUB",
}


_MARKS = "|".join(re.escape(m) for m in sorted([*_MARK_CODES, "¥"], key=len, reverse=True))
_CURRENCY_MARK = re.compile(rf"^(?:{_MARKS})|(?:{_MARKS})$", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d+$")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _not_an_amount(text: str) -> ValueProblem:
    return ValueProblem(gettext_noop("“%(value)s” is not an amount."), value=(text or "")[:40])


def amount_currency(text: str) -> str | None:
    """The currency an amount cell names with a sign or code ("$1,234.56" USD, "1 234 руб."
    RUB), if any."""
    t = (text or "").strip()
    for _ in range(2):
        m = _CURRENCY_MARK.search(t)
        if not m:
            break
        code = _MARK_CODES.get(m.group(0).lower())
        if code:
            return code
        t = (t[: m.start()] + t[m.end() :]).strip()
    return None


def _amount_text(text: str) -> str:
    """The number of an amount cell: no spaces, apostrophes or a currency sign or code
    at either end ("$1,234.56", "1 234,56 руб.")."""
    t = (text or "").strip()
    if t.isdigit():
        return t  # most cells: nothing to strip
    for _ in range(2):
        t = _CURRENCY_MARK.sub("", t.strip())
    return re.sub(r"[\s\u00a0\u202f']", "", t)


def amount_style(values: Iterable[str]) -> str:
    """Whether a file's amounts take the comma (1 234,56; 1.234.567,89) or the dot
    (1,234.56; 1500.5) as the decimal mark, read from all of its amount cells at once.
    A mark followed by other than three digits is a decimal mark, one repeated (1,234,567)
    or before the other one (1,234.56) groups thousands. When no cell tells, a mark always
    followed by three digits (1,054 and 4,821) groups thousands; a file with no mark at
    all, or with both readings, tells nothing (EITHER_DECIMAL)."""
    strong = {",": False, ".": False}  # the mark is the decimal one
    grouped = {",": False, ".": False}  # the mark only ever sits before three digits
    for value in values:
        t = _amount_text(value)
        has = [m for m in ",." if m in t]
        if len(has) == 2:
            strong["," if t.rfind(",") > t.rfind(".") else "."] = True
        elif has:
            mark = has[0]
            other = "." if mark == "," else ","
            if t.count(mark) > 1:
                strong[other] = True
            elif GROUPED[mark].match(t):
                grouped[mark] = True
            else:
                strong[mark] = True
    if strong[","] != strong["."]:
        return COMMA_DECIMAL if strong[","] else DOT_DECIMAL
    if not strong[","] and grouped[","] and not grouped["."]:
        return DOT_DECIMAL
    return EITHER_DECIMAL


def parse_amount(text: str, style: str = EITHER_DECIMAL) -> Decimal:
    """An amount ``text`` read with the decimal mark of its file (``amount_style``); the
    other mark may group thousands, in threes (``core.money.number_text``). A cell with
    both marks reads by itself (the last one is the decimal mark), and so does one whose
    only mark repeats."""
    t = _amount_text(text)
    if t.isdigit() or _SCIENTIFIC.match(t):
        number = t
    else:
        try:
            number = number_text(t, {COMMA_DECIMAL: ",", DOT_DECIMAL: "."}.get(style))
        except MoneyError:
            raise _not_an_amount(text) from None
        whole, _, frac = number.partition(".")
        if frac and whole in ("", "-"):
            whole += "0"  # ,5 / .5
        number = f"{whole}.{frac}" if frac else whole  # 1, / 1.
        if not _NUMBER.fullmatch(number):
            raise _not_an_amount(text)
    try:
        return clean_amount(number)
    except MoneyError as exc:
        if exc.code == "negative":
            raise ValueProblem(gettext_noop("An amount cannot be negative."))
        if exc.code == "too_large":
            raise ValueProblem(gettext_noop("The amount is too large."))
        raise _not_an_amount(text)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_emails(text: str) -> list[str]:
    out = []
    for part in split_lines(text):
        if len(part) > 254 or not _EMAIL.match(part):
            raise ValueProblem(
                gettext_noop("“%(value)s” is not an e-mail address."), value=part[:60]
            )
        out.append(part)
    return out


_RU_NUMBER = re.compile(r"^(?:\+7|8|7)?[\s\-()]*([3489](?:[\s\-()]*\d){9})$")
_NON_DIGITS = re.compile(r"\D+")


def parse_phones(text: str, region: str = "RU") -> list:
    out = []
    for part in split_phones(text):
        if region == "RU" and len(part) <= 32:
            # Russian numbers, the bulk of a Russian file, without the general parser.
            m = _RU_NUMBER.match(part.strip())
            if m:
                out.append(Phone(raw=part.strip(), e164="+7" + _NON_DIGITS.sub("", m.group(1))))
                continue
        try:
            out.append(parse_phone(part, region))
        except PhoneError:
            raise ValueProblem(gettext_noop("“%(value)s” is not a phone number."), value=part[:40])
    return out


def parse_inn(text: str) -> str:
    try:
        return clean_inn(text)
    except TaxIdError:
        raise ValueProblem(gettext_noop("“%(value)s” is not a valid ИНН."), value=text[:20])


def parse_text(text: str, max_length: int) -> str:
    value = " ".join((text or "").split()) if max_length <= 300 else (text or "").strip()
    if len(value) > max_length:
        raise ValueProblem(
            gettext_noop("The text is too long: %(n)s characters, at most %(limit)s."),
            n=len(value),
            limit=max_length,
        )
    return value


def parse_choice(text: str, options: dict[str, str]) -> str:
    """One of a fixed list, by its code or any of its labels (``options``: spelling ->
    value), ignoring case, ё/е and spacing."""
    folded = {_fold_choice(k): v for k, v in options.items()}
    value = folded.get(_fold_choice(text))
    if value is None:
        raise ValueProblem(
            gettext_noop("“%(value)s” is not one of: %(choices)s."),
            value=text[:100],
            choices=", ".join(dict.fromkeys(options.values())),
        )
    return value


def _fold_choice(text: str) -> str:
    return " ".join(text.split()).casefold().replace("ё", "е")


def parse_probability(text: str) -> int:
    value = (text or "").strip().rstrip("%").strip()
    try:
        number = Decimal(value.replace(",", "."))
    except Exception:
        raise ValueProblem(gettext_noop("“%(value)s” is not a percentage."), value=text[:20])
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValueProblem(gettext_noop("“%(value)s” is not a percentage."), value=text[:20])
    return int(number)


# ------------------------------------------------------------------------------ fields


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # text, date, datetime, amount, currency, phones, emails, inn, percent
    help: str
    required: bool = False
    max_length: int = 300
    aliases: tuple[str, ...] = ()
    # fields whose values make this one when its own column is not mapped or empty
    parts: tuple[str, ...] = ()


def _f(name, type_, help_, aliases=(), required=False, max_length=300, parts=()) -> FieldSpec:
    return FieldSpec(name, type_, help_, required, max_length, tuple(aliases), tuple(parts))


NAME_PARTS = ("last_name", "first_name", "middle_name")


def compose_name(last: str = "", first: str = "", middle: str = "") -> str:
    """A full name from its parts: "Last First Middle" when there is a patronymic (the
    Russian order of a ФИО), otherwise "First Last"."""
    if middle:
        words = (last, first, middle)
    else:
        words = (first, last)
    return " ".join(w for w in words if w)


_KEY_ALIASES = (
    "external_id",
    "external id",
    "внешний id",
    "внешний ключ",
    "id",
    "key",
    "ключ",
    "код",
    "№",
)
OWNER_HELP = gettext_noop(
    "Owner: user name, full name or e-mail; an unknown owner is created inactive."
)
_OWNER_ALIASES = ("owner", "ответственный", "менеджер", "manager", "responsible", "владелец")
_SOURCE_ALIASES = ("source", "источник", "канал", "lead source")
_CREATED_ALIASES = (
    "created",
    "created_at",
    "created at",
    "date created",
    "дата создания",
    "создан",
    "создана",
    "создано",
)

DEAL_FIELDS: tuple[FieldSpec, ...] = (
    _f(
        "external_id",
        "text",
        gettext_noop(
            "The row's key in the source system; a re-import with the same key updates the deal."
        ),
        _KEY_ALIASES + ("deal id", "id сделки", "opportunity id"),
        max_length=100,
    ),
    _f(
        "title",
        "text",
        gettext_noop(
            "Deal title; a row without one is named by its company and key (or its row number)."
        ),
        (
            "title",
            "name",
            "deal",
            "deal name",
            "opportunity name",
            "название",
            "название сделки",
            "сделка",
            "наименование",
        ),
    ),
    _f(
        "amount",
        "amount",
        gettext_noop("Amount: 1 234 567,89 or 1234567.89."),
        (
            "amount",
            "value",
            "sum",
            "budget",
            "deal value",
            "close value",
            "deal amount",
            "opportunity amount",
            "сумма",
            "бюджет",
            "сумма сделки",
        ),
    ),
    _f(
        "currency",
        "currency",
        gettext_noop("ISO currency code (RUB, USD…); the default currency when empty."),
        ("currency", "валюта"),
    ),
    _f(
        "stage",
        "text",
        gettext_noop("Stage name in the source; mapped to a stage of the pipeline."),
        ("stage", "status", "deal stage", "этап", "стадия", "статус", "этап сделки"),
    ),
    _f(
        "created_at",
        "datetime",
        gettext_noop("When the deal was created: dd.mm.yyyy, yyyy-mm-dd or an Excel date."),
        _CREATED_ALIASES + ("create date", "engage date", "engage_date"),
    ),
    _f(
        "won_at",
        "datetime",
        gettext_noop("When the deal was won (its stage becomes Won)."),
        (
            "won",
            "won at",
            "won date",
            "date won",
            "дата выигрыша",
            "дата успеха",
            "дата закрытия успешно",
        ),
    ),
    _f(
        "lost_at",
        "datetime",
        gettext_noop("When the deal was lost (its stage becomes Lost)."),
        ("lost", "lost at", "lost date", "date lost", "дата проигрыша", "дата отказа"),
    ),
    _f(
        "closed_at",
        "datetime",
        gettext_noop(
            "When a won or lost deal was closed (used when there is no won or lost date)."
        ),
        ("closed", "close date", "closed at", "close_date", "дата закрытия", "закрыта"),
    ),
    _f(
        "lost_reason",
        "text",
        gettext_noop("Why the deal was lost; unknown reasons are created."),
        ("lost reason", "reason", "причина отказа", "причина проигрыша", "причина"),
    ),
    _f(
        "owner",
        "text",
        OWNER_HELP,
        _OWNER_ALIASES + ("sales agent", "sales_agent"),
    ),
    _f(
        "company",
        "text",
        gettext_noop("Company name; found or created."),
        ("company", "account", "organization", "компания", "организация", "клиент", "контрагент"),
    ),
    _f(
        "company_inn",
        "inn",
        gettext_noop("The company's ИНН (finds the company by tax id)."),
        ("inn", "инн", "инн компании", "tax id"),
    ),
    _f(
        "contact",
        "text",
        gettext_noop("Contact person's name; found or created."),
        ("contact", "contact name", "контакт", "контактное лицо", "фио"),
    ),
    _f(
        "contact_phone",
        "phones",
        gettext_noop("The contact's phone numbers."),
        ("phone", "телефон", "тел", "мобильный"),
    ),
    _f(
        "contact_email",
        "emails",
        gettext_noop("The contact's e-mail addresses."),
        ("email", "e-mail", "почта", "эл. почта", "электронная почта"),
    ),
    _f(
        "source", "text", gettext_noop("Where the deal came from."), _SOURCE_ALIASES, max_length=100
    ),
    _f(
        "expected_close_date",
        "date",
        gettext_noop("Expected close date."),
        (
            "expected close date",
            "expected close",
            "планируемая дата закрытия",
            "ожидаемая дата закрытия",
            "ожидаемое закрытие",
        ),
    ),
    _f("decision_date", "date", gettext_noop("Decision date."), ("decision date", "дата решения")),
    _f(
        "probability_manual",
        "percent",
        gettext_noop("Probability set by hand, 0–100."),
        ("probability", "вероятность"),
    ),
)

_LIFECYCLE = _f(
    "lifecycle",
    "choice",
    gettext_noop("Client status: potential, current or former (also as exported)."),
    ("lifecycle", "client status", "статус клиента", "жизненный цикл"),
)

_PARTY_KEY = _f(
    "external_id",
    "text",
    gettext_noop(
        "The row's key in the source system; a re-import with the same key updates the record."
    ),
    _KEY_ALIASES,
    max_length=100,
)

CONTACT_FIELDS: tuple[FieldSpec, ...] = (
    _PARTY_KEY,
    _f(
        "name",
        "text",
        gettext_noop("Full name (required, or its parts: last, first and middle name)."),
        ("name", "full name", "contact", "фио", "контакт", "контактное лицо", "название"),
        required=True,
        parts=NAME_PARTS,
    ),
    _f(
        "last_name",
        "text",
        gettext_noop("Last name (surname), when the file keeps the name in parts."),
        ("last name", "lastname", "surname", "family name", "фамилия"),
        max_length=100,
    ),
    _f(
        "first_name",
        "text",
        gettext_noop("First name, when the file keeps the name in parts."),
        ("first name", "firstname", "given name", "имя"),
        max_length=100,
    ),
    _f(
        "middle_name",
        "text",
        gettext_noop(
            "Middle name (patronymic). The parts make “Last First Middle”, or “First Last” "
            "without a middle name."
        ),
        ("middle name", "patronymic", "отчество"),
        max_length=100,
    ),
    _f(
        "position",
        "text",
        gettext_noop("Position."),
        ("position", "title", "job title", "должность"),
        max_length=200,
    ),
    _f(
        "company",
        "text",
        gettext_noop("Company name; found or created."),
        ("company", "account", "компания", "организация"),
    ),
    _f(
        "phones",
        "phones",
        gettext_noop("Phone numbers (several separated by ; or ,)."),
        ("phone", "phones", "телефон", "телефоны", "тел", "мобильный"),
    ),
    _f(
        "emails",
        "emails",
        gettext_noop("E-mail addresses (several separated by ; or ,)."),
        ("email", "e-mail", "emails", "e-mails", "почта", "эл. почта", "электронная почта"),
    ),
    _LIFECYCLE,
    _f(
        "source",
        "text",
        gettext_noop("Where the record came from."),
        _SOURCE_ALIASES,
        max_length=100,
    ),
    _f(
        "owner",
        "text",
        OWNER_HELP,
        _OWNER_ALIASES,
    ),
    _f("created_at", "datetime", gettext_noop("When the record was created."), _CREATED_ALIASES),
)

COMPANY_FIELDS: tuple[FieldSpec, ...] = (
    _PARTY_KEY,
    _f(
        "name",
        "text",
        gettext_noop("Company name (required)."),
        ("name", "company", "company name", "название", "компания", "наименование", "организация"),
        required=True,
    ),
    _f(
        "legal_name",
        "text",
        gettext_noop("Full legal name."),
        ("legal name", "полное наименование", "юридическое название"),
        max_length=500,
    ),
    _f("inn", "inn", gettext_noop("ИНН (10 or 12 digits, checked)."), ("inn", "инн", "tax id")),
    _f("kpp", "text", gettext_noop("КПП."), ("kpp", "кпп"), max_length=9),
    _f(
        "website",
        "text",
        gettext_noop("Website."),
        ("website", "site", "url", "сайт"),
        max_length=300,
    ),
    _f("address", "text", gettext_noop("Address."), ("address", "адрес"), max_length=2000),
    _f(
        "phones",
        "phones",
        gettext_noop("Phone numbers (several separated by ; or ,)."),
        ("phone", "phones", "телефон", "телефоны"),
    ),
    _f(
        "emails",
        "emails",
        gettext_noop("E-mail addresses (several separated by ; or ,)."),
        ("email", "e-mail", "emails", "e-mails", "почта", "эл. почта", "электронная почта"),
    ),
    _LIFECYCLE,
    _f(
        "source",
        "text",
        gettext_noop("Where the record came from."),
        _SOURCE_ALIASES,
        max_length=100,
    ),
    _f(
        "owner",
        "text",
        OWNER_HELP,
        _OWNER_ALIASES,
    ),
    _f("created_at", "datetime", gettext_noop("When the record was created."), _CREATED_ALIASES),
)

STAGE_CHANGE_FIELDS: tuple[FieldSpec, ...] = (
    _f(
        "deal_key",
        "text",
        gettext_noop("The deal's key (its external_id column in the deals file)."),
        ("deal", "deal id", "deal key", "deal_id", "сделка", "id сделки", "ключ сделки"),
        required=True,
        max_length=100,
    ),
    _f(
        "from_stage",
        "text",
        gettext_noop("Stage the deal left (source name)."),
        ("from", "from stage", "old stage", "из этапа", "с этапа", "было"),
    ),
    _f(
        "to_stage",
        "text",
        gettext_noop("Stage the deal entered (source name)."),
        ("to", "to stage", "new stage", "stage", "в этап", "на этап", "стало", "этап"),
        required=True,
    ),
    _f(
        "changed_at",
        "datetime",
        gettext_noop("When the deal changed stage."),
        ("when", "date", "changed at", "changed_at", "дата", "дата изменения", "когда"),
        required=True,
    ),
)

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "deals": DEAL_FIELDS,
    "contacts": CONTACT_FIELDS,
    "companies": COMPANY_FIELDS,
    "stage_changes": STAGE_CHANGE_FIELDS,
}
KINDS = ("deals", "contacts", "companies")


def field_names(kind: str) -> list[str]:
    return [f.name for f in FIELDS[kind]]


_FOLD = re.compile(r"[\W_]+", re.UNICODE)


def fold_header(text: str) -> str:
    return _FOLD.sub(" ", (text or "").casefold().replace("ё", "е")).strip()


# Field types whose values are lists: a file may spread them over several columns
# ("Рабочий телефон", "Мобильный телефон").
MULTI_COLUMN_TYPES = frozenset(("phones", "emails"))


def mapped_columns(value) -> list[str]:
    """The columns a field is mapped to: a column name, a list of them, or nothing."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v]


def _merged(first: list, more: list) -> list:
    """Values of another column added to a field's list, without repeating a number (the
    same E.164 and extension) or an address (in any case)."""

    def key(v):
        return (v.e164, v.extension) if isinstance(v, Phone) else str(v).casefold()

    seen = {key(v) for v in first}
    return list(first) + [v for v in more if key(v) not in seen]


def typed_fields(kind: str, mapping: dict[str, str]) -> list[str]:
    """The fields the typed rows carry for ``mapping``, in field order: a field made of
    parts (a contact's name from last, first and middle name) instead of the parts."""
    specs = FIELDS[kind]
    parts = {p for spec in specs for p in spec.parts}
    return [
        spec.name
        for spec in specs
        if spec.name not in parts
        and (mapping.get(spec.name) or any(mapping.get(p) for p in spec.parts))
    ]


_MULTI_WORDS = {
    "phones": ("phone", "телефон", "тел", "мобильный", "mobile"),
    "emails": ("email", "e-mail", "почта", "mail"),
}
_NOT_A_PHONE = ("fax", "факс")


def suggest_mapping(headers: Sequence[str], kind: str) -> dict[str, str | list[str]]:
    """Field name -> header, for headers that name a field in Russian or English (exactly
    the field's name or one of its usual names). Each header feeds at most one field."""
    folded = {fold_header(h): h for h in headers}
    out: dict[str, str | list[str]] = {}
    used: set[str] = set()
    for spec in FIELDS[kind]:
        for alias in (spec.name, *spec.aliases):
            header = folded.get(fold_header(alias))
            if header is not None and header not in used:
                out[spec.name] = header
                used.add(header)
                break
    # more columns of phones or e-mails: "Рабочий телефон", "Mobile phone", "Частный e-mail"
    for spec in FIELDS[kind]:
        words = _MULTI_WORDS.get(spec.type)
        # a deals file names other people's phones too: only more of a contact's own
        if not words or (spec.name not in out and kind == "deals"):
            continue
        more = [
            h
            for h in headers
            if h not in used
            and any(w in fold_header(h).split() for w in words)
            and not any(w in fold_header(h) for w in _NOT_A_PHONE)
        ]
        if more:
            found = mapped_columns(out.get(spec.name))
            out[spec.name] = found + more if found or len(more) > 1 else more[0]
            used.update(more)
    return out


# ------------------------------------------------------------------------------ conversion


@dataclass(frozen=True)
class RowError:
    row: int  # file row number (the header is row 1)
    column: str  # the file's column name ("" for the row as a whole)
    message: str  # English template, translated where shown
    params: dict = field(default_factory=dict)

    def render(self, translate=lambda s: s) -> str:
        text = translate(self.message)
        return text % self.params if self.params else text


@dataclass
class TypedRow:
    row: int
    values: dict  # field name -> typed value (absent when the column is not mapped or empty)
    made: frozenset = frozenset()  # fields the import made up (a deal's title without one)


@dataclass
class Converted:
    rows: list[TypedRow]
    errors: list[RowError]
    # Rows (by file number) that carry at least one error.
    bad_rows: set[int]


def convert_rows(
    table: Table,
    mapping: dict[str, str],
    kind: str,
    *,
    currencies: Iterable[str] = ("RUB",),
    default_currency: str = "RUB",
    region: str = "RU",
    limit: int | None = None,
    choices: dict[str, dict[str, str]] | None = None,
) -> Converted:
    """Type every mapped cell of ``table`` (``mapping``: field name -> header). ``choices``:
    per field of type "choice", the accepted spellings (codes, labels in each language)
    mapped to the stored value."""
    specs = {s.name: s for s in FIELDS[kind]}
    unknown = [name for name in mapping if name not in specs]
    if unknown:
        raise FileRejected(
            "unknown_field",
            gettext_noop("Unknown field “%(name)s” in the column mapping."),
            name=unknown[0][:60],
        )
    columns: list[tuple[FieldSpec, int, str]] = []
    for name, value in mapping.items():
        headers = mapped_columns(value)
        if len(headers) > 1 and specs[name].type not in MULTI_COLUMN_TYPES:
            raise FileRejected(
                "several_columns",
                gettext_noop(
                    "Only phones and e-mails can be taken from several columns, not %(field)s."
                ),
                field=name,
            )
        for header in headers:
            if header not in table.headers:
                raise FileRejected(
                    "missing_column",
                    gettext_noop("The file has no column “%(column)s” (mapped to %(field)s)."),
                    column=str(header)[:100],
                    field=name,
                )
            columns.append((specs[name], table.headers.index(header), header))
    for spec in specs.values():
        if spec.required and not mapping.get(spec.name) and not any(map(mapping.get, spec.parts)):
            raise FileRejected(
                "required_unmapped",
                gettext_noop("The required field %(field)s is not mapped to a column."),
                field=spec.name,
            )
    composed = [spec for spec in specs.values() if spec.parts]
    allowed = [c.upper() for c in currencies]
    dated = [index for spec, index, _ in columns if spec.type in ("date", "datetime")]
    order = date_order(row[i] for row in table.rows for i in dated)
    money = [index for spec, index, _ in columns if spec.type == "amount"]
    style = amount_style(row[i] for row in table.rows for i in money)
    rows: list[TypedRow] = []
    errors: list[RowError] = []
    bad: set[int] = set()
    cells = table.rows if limit is None else table.rows[:limit]
    for raw, number in zip(cells, table.row_numbers, strict=False):
        values: dict = {}
        for spec, index, header in columns:
            text = raw[index].strip()
            if not text:
                if spec.required and not spec.parts:
                    errors.append(RowError(number, header, gettext_noop("The value is required.")))
                    bad.add(number)
                continue
            try:
                value = _convert(spec, text, allowed, region, choices, order, style)
                if spec.type in MULTI_COLUMN_TYPES and spec.name in values:
                    value = _merged(values[spec.name], value)
                values[spec.name] = value
            except ValueProblem as exc:
                errors.append(RowError(number, header, exc.message, exc.params))
                bad.add(number)
        for spec in composed:
            _compose(spec, values, number, mapping, errors, bad)
        if kind == "deals" and money and "amount" in values:
            _amount_currency(values, raw[money[0]], number, mapping, errors, bad)
        if kind == "deals" and "currency" not in values:
            values["currency"] = default_currency
        made = frozenset()
        if kind == "deals" and not values.get("title"):
            values["title"] = untitled_deal(values, number)
            made = frozenset({"title"})
        rows.append(TypedRow(number, values, made))
    return Converted(rows=rows, errors=errors, bad_rows=bad)


def untitled_deal(values: dict, number: int) -> str:
    """The title of a deal row that gives none: its company and key ("ООО Ромашка · 1042"),
    either alone, or its row number ("#17"). Exports of opportunities often carry no
    name (one row per opportunity: an id, an account, a product, the dates), and a CRM
    names such deals itself rather than refusing the file."""
    parts = [str(values[k]) for k in ("company", "external_id") if values.get(k)]
    return " · ".join(parts)[:300] if parts else f"#{number}"


def _amount_currency(values: dict, cell: str, number: int, mapping, errors, bad):
    """An amount whose sign or code ("$1,234") names another currency than the row's
    currency column is an error. Without a currency column the deal is in the default
    currency, as every amount without a sign: the forecast and the plans count in one
    main currency, and deals moved into another by a sign would drop out of them."""
    given = values.get("currency")
    if given is None:
        return
    code = amount_currency(cell)
    if code is not None and code != given:
        errors.append(
            RowError(
                number,
                mapping.get("amount", ""),
                gettext_noop("The amount is in %(amount)s, the currency column says %(column)s."),
                {"amount": code, "column": given},
            )
        )
        bad.add(number)


def _compose(spec: FieldSpec, values: dict, number: int, mapping, errors, bad) -> None:
    """Fill ``spec`` from its parts when its own cell gave nothing; the parts are dropped
    (they only make the field). A row with neither is an error on the field's column."""
    parts = {p: values.pop(p) for p in spec.parts if p in values}
    if spec.name in values:
        return
    if parts:
        composed = compose_name(*(parts.get(p, "") for p in NAME_PARTS))
        if len(composed) > spec.max_length:
            errors.append(
                RowError(
                    number,
                    "",
                    gettext_noop("The name made of its parts is longer than %(max)s characters."),
                    {"max": spec.max_length},
                )
            )
            bad.add(number)
            return
        values[spec.name] = composed
    elif spec.required:
        header = mapping.get(spec.name) or next(mapping[p] for p in spec.parts if mapping.get(p))
        errors.append(RowError(number, header, gettext_noop("The value is required.")))
        bad.add(number)


def _convert(
    spec: FieldSpec,
    text: str,
    currencies: list[str],
    region: str,
    choices=None,
    order: str = DAY_FIRST,
    style: str = EITHER_DECIMAL,
):
    t = spec.type
    if t == "choice":
        return parse_choice(text, (choices or {}).get(spec.name, {}))
    if t == "text":
        return parse_text(text, spec.max_length)
    if t == "datetime":
        return parse_datetime(text, order)
    if t == "date":
        return parse_date(text, order)
    if t == "amount":
        return parse_amount(text, style)
    if t == "currency":
        code = _MARK_CODES.get(text.strip().lower(), text.strip().upper())
        if code not in currencies:
            raise ValueProblem(gettext_noop("Unknown currency “%(value)s”."), value=text[:10])
        return code
    if t == "phones":
        return parse_phones(text, region)
    if t == "emails":
        return parse_emails(text)
    if t == "inn":
        return parse_inn(text)
    if t == "percent":
        return parse_probability(text)
    raise AssertionError(t)


def distinct_values(table: Table, header: str, limit: int = 500) -> list[str]:
    """The distinct non-empty values of a column in file order (e.g. source stage names)."""
    if header not in table.headers:
        return []
    index = table.headers.index(header)
    seen: dict[str, None] = {}
    for row in table.rows:
        v = " ".join(row[index].split())
        if v and v not in seen:
            seen[v] = None
            if len(seen) >= limit:
                break
    return list(seen)


def header_signature(headers: Sequence[str]) -> str:
    """A stable name of a file layout (its folded column names), to remember a mapping."""
    return "|".join(sorted(fold_header(h) for h in headers))[:2000]
