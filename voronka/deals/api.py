"""API of deals: list (the list page's filters), detail, create, update, stage moves;
pipelines, stages and lost reasons (read). Writes go through the deal services."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import BaseModel, Field

from voronka.accounts.models import User
from voronka.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    Id,
    PageParams,
    get_or_404,
    invalid,
    money,
    paginate,
)
from voronka.contacts.models import Company, Contact
from voronka.core.money import MoneyError, clean_amount, clean_currency
from voronka.deals import services
from voronka.deals.choices import StageKind
from voronka.deals.filters import filter_deals
from voronka.deals.forms import AMOUNT_ERRORS
from voronka.deals.models import Deal, LostReason, Pipeline, Stage
from voronka.deals.schemas import (
    DealCreatedOut,
    DealCreateIn,
    DealLostIn,
    DealMoveIn,
    DealOut,
    DealPage,
    DealUpdateIn,
    DealWonIn,
    LostReasonOut,
    PipelineOut,
    StageOut,
)

router = Router(tags=["deals"])
process_router = Router(tags=["process"])


def not_found() -> str:
    return ApiError(404, "not_found").message


class DealFilters(BaseModel):
    q: str | None = Field(None, description="Title, company or contact name contains")
    owner: list[str] = Field([], description="Owner ids (several allowed)")
    team: str | None = None
    pipeline: str | None = None
    stage: list[str] = Field([], description="Stage ids (several allowed)")
    amount_min: str | None = None
    amount_max: str | None = None
    created_from: str | None = Field(None, description="YYYY-MM-DD")
    created_to: str | None = Field(None, description="YYYY-MM-DD")
    close_from: str | None = Field(None, description="YYYY-MM-DD")
    close_to: str | None = Field(None, description="YYYY-MM-DD")
    flags: list[str] = Field([], description="no_next, overdue, stale, open, won, lost")
    tag: list[str] = Field([], description="Tag ids")
    source: str | None = None
    sort: str | None = Field(
        None,
        description="title, amount, stage, owner, created, expected_close, next_step; "
        "a leading '-' sorts descending",
    )


def deal_queryset(qs):
    return (
        qs.select_related(None)
        .prefetch_related(None)
        .defer("search_text", "last_activity_at", "deleted_by")
    )


def deals_out(deals: list[Deal]) -> list[dict]:
    """Deals with their contact ids and tag names: two key look-ups for any number."""
    ids = [d.pk for d in deals]
    contacts: dict[int, list[int]] = {}
    tags: dict[int, list[str]] = {}
    if ids:
        links = Deal.contacts.through.objects.filter(deal_id__in=ids).order_by("pk")
        for deal_id, contact_id in links.values_list("deal_id", "contact_id"):
            contacts.setdefault(deal_id, []).append(contact_id)
        tagged = Deal.tags.through.objects.filter(deal_id__in=ids).order_by("tag__name")
        for deal_id, name in tagged.values_list("deal_id", "tag__name"):
            tags.setdefault(deal_id, []).append(name)
    return [deal_out(d, contacts.get(d.pk, []), tags.get(d.pk, [])) for d in deals]


def deal_out(d: Deal, contact_ids: list[int], tags: list[str]) -> dict:
    return {
        "id": d.pk,
        "title": d.title,
        "amount": money(d.amount),
        "currency": d.currency,
        "pipeline_id": d.pipeline_id,
        "stage_id": d.stage_id,
        "owner_id": d.owner_id,
        "company_id": d.company_id,
        "contact_ids": contact_ids,
        "tags": tags,
        "source": d.source,
        "expected_close_date": d.expected_close_date,
        "decision_date": d.decision_date,
        "probability_manual": d.probability_manual,
        "contract_planned": d.contract_planned,
        "contract_actual": d.contract_actual,
        "invoice_planned": d.invoice_planned,
        "invoice_actual": d.invoice_actual,
        "payment_planned": d.payment_planned,
        "payment_actual": d.payment_actual,
        "lost_reason_id": d.lost_reason_id,
        "lost_note": d.lost_note,
        "stage_entered_at": d.stage_entered_at,
        "closed_at": d.closed_at,
        "next_step_at": d.next_step_at,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "external_id": d.external_id,
        "version": d.version,
    }


def _visible_deal(user, pk) -> Deal:
    return get_or_404(Deal.objects.visible_to(user).select_related("stage"), pk)


def _reload(pk) -> dict:
    return deals_out([Deal.objects.get(pk=pk)])[0]


# ---------------------------------------------------------------- linked records


def _links(user, data: dict, deal: Deal | None = None) -> dict:
    """Checks every foreign id against the user's zone; returns model field values."""
    fields: dict[str, list[str]] = {}
    out: dict = {}
    if "amount" in data:
        try:
            out["amount"] = clean_amount(data["amount"], ".")  # a string in the API: 1234.56
        except MoneyError as e:
            fields["amount"] = [str(AMOUNT_ERRORS.get(e.code, e.code))]
    if "currency" in data:
        allowed = list(settings.VORONKA_CURRENCIES)
        if deal is not None and deal.currency not in allowed:
            allowed.append(deal.currency)
        try:
            out["currency"] = clean_currency(data["currency"], allowed)
        except MoneyError as e:
            fields["currency"] = [str(AMOUNT_ERRORS[e.code])]
    if "owner_id" in data:
        owner_id = data["owner_id"]
        if user.is_rep:
            if owner_id not in (None, user.pk):
                fields["owner_id"] = [not_found()]
            out["owner"] = user
        elif owner_id is None:
            out["owner"] = None
        else:
            owner = User.objects.visible_to(user).filter(pk=owner_id, is_active=True).first()
            if owner is None:
                fields["owner_id"] = [not_found()]
            out["owner"] = owner
    if "company_id" in data:
        cid = data["company_id"]
        company = None
        if cid is not None:
            company = Company.objects.visible_to(user).filter(pk=cid).first()
            if company is None and not (deal and deal.company_id == cid):
                fields["company_id"] = [not_found()]
            elif company is None:
                company = deal.company
        out["company"] = company
    if "contact_ids" in data:
        ids = sorted(set(data["contact_ids"] or []))
        contacts = list(Contact.objects.visible_to(user).filter(pk__in=ids))
        if deal is not None:
            known = {c.pk for c in contacts}
            contacts += list(deal.contacts.exclude(pk__in=known).filter(pk__in=ids))
        if len(contacts) != len(ids):
            fields["contact_ids"] = [not_found()]
        out["contacts"] = contacts
    if "tags" in data:
        out["tags"] = data["tags"] or []
    if fields:
        raise invalid(fields)
    return out


PLAIN = (
    "title",
    "source",
    "expected_close_date",
    "decision_date",
    "probability_manual",
    "contract_planned",
    "contract_actual",
    "invoice_planned",
    "invoice_actual",
    "payment_planned",
    "payment_actual",
    "lost_note",
)


def _plain(data: dict) -> dict:
    out = {}
    for name in PLAIN:
        if name in data:
            value = data[name]
            if name in {"source", "lost_note"} and value is None:
                value = ""
            if name == "title" and value is not None:
                value = " ".join(value.split())
                if not value:
                    raise invalid({"title": [str(ApiError(422, "required").message)]})
            if name == "title" and value is None:
                continue
            out[name] = value
    return out


# ---------------------------------------------------------------- deals


@router.get("/", response={200: DealPage, **READ_ERRORS}, summary="List deals")
def list_deals(request, filters: Query[DealFilters], paging: Query[PageParams]):
    """The deals you see, with the deal list's filters and sorting, one page at a time."""
    result = filter_deals(request.auth, request.GET)
    if not result.is_valid:
        raise invalid({k: [str(e) for e in v] for k, v in result.form.errors.items()})
    return paginate(
        deal_queryset(result.queryset), paging.page, paging.page_size, convert=None, bulk=deals_out
    )


@router.get("/{deal_id}", response={200: DealOut, **READ_ERRORS}, summary="A deal")
def get_deal(request, deal_id: Id):
    return deals_out([get_or_404(Deal.objects.visible_to(request.auth), deal_id)])[0]


@router.post(
    "/",
    response={200: DealCreatedOut, 201: DealCreatedOut, **WRITE_ERRORS},
    summary="Create a deal",
    description=(
        "201 created. The API's intake policy (set by a head of sales) decides what a new "
        "open deal of a contact who already has an open deal you can see does: under "
        "attach it becomes a note on that deal, which is returned with 200; under skip the "
        "answer is 409 duplicate_skipped; under flag (the default) it is created."
    ),
)
def create_deal(request, payload: DealCreateIn):
    from voronka.dedupe.intake import deal_intake
    from voronka.dedupe.models import IntakePolicy

    user = request.auth
    data = payload.model_dump(exclude_unset=True)
    stage = Stage.objects.filter(pk=payload.stage_id, kind=StageKind.OPEN).first()
    if stage is None:
        raise invalid({"stage_id": [not_found()]})
    data.setdefault("owner_id", user.pk)
    data.setdefault("currency", settings.VORONKA_DEFAULT_CURRENCY)
    fields = _plain(data)
    fields.update(_links(user, data))
    outcome = deal_intake(
        IntakePolicy.API,
        by=user,
        stage=stage,
        contacts=fields.get("contacts") or [],
        title=fields["title"],
        amount=fields.get("amount"),
        currency=fields.get("currency", ""),
        origin=fields.get("source", ""),
    )
    if outcome.action == IntakePolicy.SKIP:
        raise ApiError(
            409,
            "duplicate_skipped",
            fields={"contact_ids": [_("The contact already has the open deal #%(deal)s.")
                                    % {"deal": outcome.deal_id}]},
        )  # fmt: skip
    if outcome.action == IntakePolicy.ATTACH:
        intake = {"policy": outcome.policy, "action": "attached", "note_id": outcome.note.pk}
        return Status(200, {**_reload(outcome.deal_id), "intake": intake})
    deal = services.deal_create(by=user, stage=stage, **fields)
    intake = {"policy": outcome.policy, "action": "created", "note_id": None}
    return Status(201, {**_reload(deal.pk), "intake": intake})


@router.patch("/{deal_id}", response={200: DealOut, **WRITE_ERRORS}, summary="Edit a deal")
def update_deal(request, deal_id: Id, payload: DealUpdateIn):
    """Changes the given fields. ``version`` is the version you read: if someone saved the
    deal meanwhile the answer is 409 ``conflict`` and nothing changes."""
    user = request.auth
    deal = _visible_deal(user, deal_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    fields = _plain(data)
    fields.update(_links(user, data, deal))
    services.deal_update(deal, by=user, expected_version=version, **fields)
    return _reload(deal.pk)


def _lost_reason(pk):
    if pk is None:
        return None
    reason = LostReason.objects.filter(pk=pk).first()
    if reason is None:
        raise invalid({"lost_reason_id": [not_found()]})
    return reason


def _move(user, deal, stage, payload) -> dict:
    services.deal_move(
        deal,
        stage,
        user,
        getattr(payload, "override_reason", None),
        lost_reason=_lost_reason(getattr(payload, "lost_reason_id", None)),
        lost_note=getattr(payload, "lost_note", None) or "",
        contract_actual=getattr(payload, "contract_actual", None),
        expected_version=payload.version,
    )
    return _reload(deal.pk)


@router.post("/{deal_id}/move", response={200: DealOut, **WRITE_ERRORS}, summary="Move a deal")
def move_deal(request, deal_id: Id, payload: DealMoveIn):
    """Moves the deal to another stage of its pipeline with the same checks as the board:
    exit criteria (``criteria_missing`` lists what is missing), won needs the contract date,
    lost needs a reason; only a head of sales or an administrator may override."""
    deal = _visible_deal(request.auth, deal_id)
    stage = Stage.objects.filter(pk=payload.stage_id).first()
    if stage is None:
        raise invalid({"stage_id": [not_found()]})
    return _move(request.auth, deal, stage, payload)


def _final_stage(deal, kind):
    stage = Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=kind).first()
    if stage is None:
        raise invalid({"stage_id": [not_found()]})
    return stage


@router.post("/{deal_id}/won", response={200: DealOut, **WRITE_ERRORS}, summary="Mark won")
def mark_won(request, deal_id: Id, payload: DealWonIn):
    deal = _visible_deal(request.auth, deal_id)
    return _move(request.auth, deal, _final_stage(deal, StageKind.WON), payload)


@router.post("/{deal_id}/lost", response={200: DealOut, **WRITE_ERRORS}, summary="Mark lost")
def mark_lost(request, deal_id: Id, payload: DealLostIn):
    deal = _visible_deal(request.auth, deal_id)
    return _move(request.auth, deal, _final_stage(deal, StageKind.LOST), payload)


# ---------------------------------------------------------------- process (read)


def stage_out(s: Stage) -> dict:
    return {
        "id": s.pk,
        "pipeline_id": s.pipeline_id,
        "name": s.name,
        "order": s.order,
        "kind": s.kind,
        "probability": s.probability,
        "is_lead_stage": s.is_lead_stage,
    }


@process_router.get("/pipelines/", response={200: list[PipelineOut], **READ_ERRORS})
def list_pipelines(request):
    """Pipelines with their stages, in board order."""
    pipelines = Pipeline.objects.visible_to(request.auth).prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("order", "pk"))
    )
    return [
        {
            "id": p.pk,
            "name": p.name,
            "order": p.order,
            "is_active": p.is_active,
            "stages": [stage_out(s) for s in p.stages.all()],
        }
        for p in pipelines
    ]


@process_router.get("/stages/", response={200: list[StageOut], **READ_ERRORS})
def list_stages(request, pipeline: Id | None = None):
    qs = Stage.objects.visible_to(request.auth).order_by("pipeline_id", "order", "pk")
    if pipeline is not None:
        qs = qs.filter(pipeline_id=pipeline)
    return [stage_out(s) for s in qs]


@process_router.get("/lost-reasons/", response={200: list[LostReasonOut], **READ_ERRORS})
def list_lost_reasons(request):
    return [
        {"id": r.pk, "name": r.name, "is_active": r.is_active}
        for r in LostReason.objects.visible_to(request.auth)
    ]
