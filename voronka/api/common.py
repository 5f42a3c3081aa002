"""Shared pieces of the API: error shape, id and text types, page pagination."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.core.paginator import EmptyPage, Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

MAX_ID = 2**63 - 1
MAX_PAGE_SIZE = 100

ERROR_MESSAGES = {
    "unauthorized": _("Authentication required: send a valid API token."),
    "forbidden": _("You may not do this."),
    "not_found": _("Not found."),
    "invalid": _("Some values are invalid."),
    "bad_request": _("The request could not be read."),
    "required": _("This field is required."),
    "duplicate_skipped": _(
        "Not created: a likely duplicate already exists, and duplicates coming in through "
        "the API are skipped."
    ),
}


class ApiError(Exception):
    """A 4xx answer with a stable code: ``{code, message, fields}``."""

    def __init__(self, status: int, code: str, message=None, fields=None, missing=None):
        self.status = status
        self.code = code
        self.message = str(message or ERROR_MESSAGES.get(code, code))
        self.fields = fields or {}
        self.missing = missing or []
        super().__init__(code)


class ErrorOut(BaseModel):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
    missing: list[str] = []


def errors(*statuses: int) -> dict[int, type]:
    return {s: ErrorOut for s in statuses}


# Every endpoint may answer these; writes add 403/409 where they can happen.
READ_ERRORS = errors(400, 401, 404, 422)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 422)


def invalid(fields: dict[str, list[str]], message=None) -> ApiError:
    return ApiError(422, "invalid", message, fields=fields)


def _storable(value: str) -> str:
    """Refuse what no database stores: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError(str(_("Text may not contain NUL characters.")))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(str(_("Text is not valid Unicode."))) from None
    return value


def text(max_length: int, min_length: int = 0):
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_storable)
    ]


def _day_in_range(value: date) -> date:
    if not date(1900, 1, 1) <= value <= date(2999, 12, 31):
        raise ValueError(str(_("Enter a date between 1900 and 2999.")))
    return value


def _moment(value: datetime) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    _day_in_range(value.date())
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Day = Annotated[date, AfterValidator(_day_in_range)]
Moment = Annotated[datetime, AfterValidator(_moment)]
Amount = Annotated[str, Field(pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$", examples=["150000.00"])]


class In(BaseModel):
    """Request bodies: unknown keys are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def page_schema(name: str, item: type) -> type:
    return create_model(
        name,
        count=(int, ...),
        page=(int, ...),
        page_size=(int, ...),
        results=(list[item], ...),
    )


class PageParams(BaseModel):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def paginate(qs, page: int, page_size: int, convert=None, bulk=None) -> dict[str, Any]:
    """One page: ``convert`` makes each row's dict, or ``bulk`` all of them at once."""
    paginator = Paginator(qs, page_size)
    try:
        rows = list(paginator.page(page).object_list)
    except EmptyPage:
        rows = []
    return {
        "count": paginator.count,
        "page": page,
        "page_size": page_size,
        "results": bulk(rows) if bulk else [convert(r) for r in rows],
    }


def get_or_404(qs, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ApiError(404, "not_found")
    return obj


def money(value) -> str:
    return f"{value:.2f}" if value is not None else "0.00"
