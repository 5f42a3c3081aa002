"""API schemas of activities and notes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from voronka.api.common import Id, In, Moment, page_schema, text


class ActivityOut(BaseModel):
    id: int
    kind: str
    subject: str
    due_at: datetime | None
    done: bool
    done_at: datetime | None
    result: str
    deal_id: int | None
    contact_id: int | None
    company_id: int | None
    owner_id: int | None
    created_at: datetime
    updated_at: datetime


class NoteOut(BaseModel):
    id: int
    body: str
    deal_id: int | None
    contact_id: int | None
    company_id: int | None
    author_id: int | None
    created_at: datetime


ActivityPage = page_schema("ActivityPage", ActivityOut)
NotePage = page_schema("NotePage", NoteOut)


class Links(In):
    deal_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None


class ActivityCreateIn(Links):
    subject: text(300, 1)
    kind: text(10) = "call"
    due_at: Moment | None = None
    done: bool = False
    result: text(5000) = ""
    owner_id: Id | None = None


class ActivityUpdateIn(In):
    subject: text(300, 1) | None = None
    kind: text(10) | None = None
    due_at: Moment | None = None
    done: bool | None = None
    result: text(5000) | None = None


class NoteCreateIn(Links):
    body: text(20000, 1)
