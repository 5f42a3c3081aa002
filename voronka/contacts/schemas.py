"""API schemas of contacts and companies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from voronka.api.common import Id, In, page_schema, text


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
