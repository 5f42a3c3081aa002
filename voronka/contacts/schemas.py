"""API schemas of contacts and companies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from voronka.api.common import ErrorOut, Id, In, page_schema, text


class PhoneOut(BaseModel):
    raw: str
    e164: str
    extension: str


class CompanyOut(BaseModel):
    id: int
    name: str
    legal_name: str
    inn: str
    kpp: str
    ogrn: str
    website: str
    address: str
    lifecycle: str
    source: str
    owner_id: int | None
    phones: list[PhoneOut]
    emails: list[str]
    external_id: str
    created_at: datetime
    updated_at: datetime


class ContactOut(BaseModel):
    id: int
    name: str
    position: str
    company_id: int | None
    messengers: str
    lifecycle: str
    source: str
    owner_id: int | None
    phones: list[PhoneOut]
    emails: list[str]
    external_id: str
    created_at: datetime
    updated_at: datetime


class DuplicateOut(BaseModel):
    """A likely duplicate of the saved record, as the form's warning lists it."""

    id: int
    name: str
    points: float = Field(description="Score in log-odds points; at or above 1.0 a match")
    probability: int = Field(ge=0, le=100, description="How likely the same, in per cent")
    is_match: bool = Field(description="Above the match threshold (not only worth a look)")
    reasons: str = Field(description="Why, in the language of the request")
    url: str = Field(description="The record's page")


class Duplicates(BaseModel):
    duplicates: list[DuplicateOut] = Field(
        description="Likely duplicates in your zone, most likely first"
    )
    duplicates_hidden: int = Field(
        ge=0, description="How many more likely duplicates belong to records you cannot see"
    )


class IntakeOut(BaseModel):
    """What the API source's duplicate policy did with a created record."""

    policy: Literal["attach", "flag", "skip"]
    action: Literal["created", "flagged", "attached"] = Field(
        description="created: no likely duplicate; flagged: created, its likely duplicates "
        "put in the review queue; attached: no record created, the data went onto the "
        "existing record returned (status 200)"
    )


class Saved(Duplicates):
    intake: IntakeOut | None = Field(None, description="Only when a record is created")


class ContactSavedOut(ContactOut, Saved):
    pass


class CompanySavedOut(CompanyOut, Saved):
    pass


class DuplicateErrorOut(ErrorOut):
    """409 ``duplicate_skipped``: nothing created; ``duplicates`` lists the matches."""

    duplicates: list[DuplicateOut] = []


CompanyPage = page_schema("CompanyPage", CompanyOut)
ContactPage = page_schema("ContactPage", ContactOut)


class PartyFields(In):
    lifecycle: text(12) | None = None
    source: text(100) | None = None
    owner_id: Id | None = None
    phones: list[text(64)] | None = Field(None, max_length=20)
    emails: list[text(254)] | None = Field(None, max_length=20)


class ContactFields(PartyFields):
    position: text(200) | None = None
    company_id: Id | None = None
    messengers: text(500) | None = None


class ContactCreateIn(ContactFields):
    name: text(300, 1)


class ContactUpdateIn(ContactFields):
    name: text(300, 1) | None = None


class CompanyFields(PartyFields):
    legal_name: text(500) | None = None
    inn: text(12) | None = None
    kpp: text(9) | None = None
    ogrn: text(15) | None = None
    website: text(300) | None = None
    address: text(2000) | None = None


class CompanyCreateIn(CompanyFields):
    name: text(300, 1)


class CompanyUpdateIn(CompanyFields):
    name: text(300, 1) | None = None
