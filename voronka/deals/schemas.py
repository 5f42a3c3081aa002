"""API schemas of deals, pipelines, stages and lost reasons."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from voronka.api.common import Amount, Day, Id, In, page_schema, text


class StageOut(BaseModel):
    id: int
    pipeline_id: int
    name: str
    order: int
    kind: str
    probability: int
    is_lead_stage: bool


class PipelineOut(BaseModel):
    id: int
    name: str
    order: int
    is_active: bool
    stages: list[StageOut]


class LostReasonOut(BaseModel):
    id: int
    name: str
    is_active: bool


class DealOut(BaseModel):
    id: int
    title: str
    amount: str = Field(description="Decimal as a string, two decimal places")
    currency: str
    pipeline_id: int
    stage_id: int
    owner_id: int | None
    company_id: int | None
    contact_ids: list[int]
    tags: list[str]
    source: str
    expected_close_date: date | None
    decision_date: date | None
    probability_manual: int | None
    contract_planned: date | None
    contract_actual: date | None
    invoice_planned: date | None
    invoice_actual: date | None
    payment_planned: date | None
    payment_actual: date | None
    lost_reason_id: int | None
    lost_note: str
    stage_entered_at: datetime
    closed_at: datetime | None
    next_step_at: datetime | None
    created_at: datetime
    updated_at: datetime
    external_id: str
    version: int


DealPage = page_schema("DealPage", DealOut)


class DealIntakeOut(BaseModel):
    """What the API source's duplicate policy did with a new deal."""

    policy: Literal["attach", "flag", "skip"]
    action: Literal["created", "attached"] = Field(
        description="attached: the deal's contact already had an open deal (returned); the "
        "request became the note ``note_id`` on it"
    )
    note_id: int | None = None


class DealCreatedOut(DealOut):
    intake: DealIntakeOut


class DealFields(In):
    amount: Amount | None = None
    currency: text(3) | None = None
    owner_id: Id | None = None
    company_id: Id | None = None
    contact_ids: list[Id] | None = Field(None, max_length=50)
    tags: list[text(60)] | None = Field(None, max_length=20)
    source: text(100) | None = None
    expected_close_date: Day | None = None
    decision_date: Day | None = None
    probability_manual: int | None = Field(None, ge=0, le=100)
    contract_planned: Day | None = None
    contract_actual: Day | None = None
    invoice_planned: Day | None = None
    invoice_actual: Day | None = None
    payment_planned: Day | None = None
    payment_actual: Day | None = None


class DealCreateIn(DealFields):
    title: text(300, 1)
    stage_id: Id


class DealUpdateIn(DealFields):
    version: int = Field(
        ge=1, le=2**31 - 1, description="The version read; a change meanwhile is a 409"
    )
    title: text(300, 1) | None = None
    lost_note: text(2000) | None = None


class DealMoveIn(In):
    stage_id: Id
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    override_reason: text(500) | None = None
    lost_reason_id: Id | None = None
    lost_note: text(2000) | None = None
    contract_actual: Day | None = None


class DealWonIn(In):
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    contract_actual: Day | None = None
    override_reason: text(500) | None = None


class DealLostIn(In):
    lost_reason_id: Id
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    lost_note: text(2000) | None = None
    override_reason: text(500) | None = None
