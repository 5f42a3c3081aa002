"""API of activities and notes: what links them to a record in the user's zone."""

from __future__ import annotations

from ninja import Query, Router, Status
from pydantic import BaseModel

from voronka.accounts.models import User
from voronka.activities import services
from voronka.activities.choices import ActivityKind
from voronka.activities.models import Activity, Note
from voronka.activities.schemas import (
    ActivityCreateIn,
    ActivityOut,
    ActivityPage,
    ActivityUpdateIn,
    NoteCreateIn,
    NoteOut,
    NotePage,
)
from voronka.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    Id,
    PageParams,
    get_or_404,
    invalid,
    paginate,
)
from voronka.contacts.models import Company, Contact
from voronka.deals.models import Deal

router = Router(tags=["activities"])

LINKS = {"deal_id": Deal, "contact_id": Contact, "company_id": Company}


def _not_found() -> list[str]:
    return [str(ApiError(404, "not_found").message)]


class ActivityFilters(BaseModel):
    deal: Id | None = None
    contact: Id | None = None
    company: Id | None = None
    owner: Id | None = None
    done: bool | None = None


class NoteFilters(BaseModel):
    deal: Id | None = None
    contact: Id | None = None
    company: Id | None = None


def activity_out(a: Activity) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "subject": a.subject,
        "due_at": a.due_at,
        "done": a.done,
        "done_at": a.done_at,
        "result": a.result,
        "deal_id": a.deal_id,
        "contact_id": a.contact_id,
        "company_id": a.company_id,
        "owner_id": a.owner_id,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def note_out(n: Note) -> dict:
    return {
        "id": n.pk,
        "body": n.body,
        "deal_id": n.deal_id,
        "contact_id": n.contact_id,
        "company_id": n.company_id,
        "author_id": n.author_id,
        "created_at": n.created_at,
    }


def _linked(user, payload, *, required: bool) -> dict:
    """The linked records, each checked against the user's zone."""
    out, fields = {}, {}
    for name, model in LINKS.items():
        pk = getattr(payload, name)
        if pk is None:
            continue
        record = model.objects.visible_to(user).filter(pk=pk).first()
        if record is None:
            fields[name] = _not_found()
        out[name.removesuffix("_id")] = record
    if required and not out and not fields:
        fields["deal_id"] = [str(ApiError(422, "required").message)]
    if fields:
        raise invalid(fields)
    return out


def _kind(value):
    if value not in ActivityKind.values:
        raise invalid({"kind": _not_found()})
    return value


# ---------------------------------------------------------------- activities


@router.get("/activities/", response={200: ActivityPage, **READ_ERRORS}, summary="List activities")
def list_activities(request, filters: Query[ActivityFilters], paging: Query[PageParams]):
    """Activities you see, by due date (undated last)."""
    qs = activity_list(request.auth, filters)
    return paginate(qs, paging.page, paging.page_size, activity_out)


def activity_list(user, filters: ActivityFilters):
    from django.db.models import F

    qs = Activity.objects.visible_to(user)
    for name in ("deal", "contact", "company", "owner"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    if filters.done is not None:
        qs = qs.filter(done=filters.done)
    return qs.order_by(F("due_at").asc(nulls_last=True), "pk")


@router.get("/activities/{activity_id}", response={200: ActivityOut, **READ_ERRORS})
def get_activity(request, activity_id: Id):
    return activity_out(get_or_404(Activity.objects.visible_to(request.auth), activity_id))


@router.post("/activities/", response={201: ActivityOut, **WRITE_ERRORS})
def create_activity(request, payload: ActivityCreateIn):
    user = request.auth
    links = _linked(user, payload, required=False)
    owner = user
    if payload.owner_id is not None and payload.owner_id != user.pk:
        owner = (
            None
            if user.is_rep
            else (User.objects.visible_to(user).filter(pk=payload.owner_id, is_active=True).first())
        )
        if owner is None:
            raise invalid({"owner_id": _not_found()})
    subject = " ".join(payload.subject.split())
    if not subject:
        raise invalid({"subject": [str(ApiError(422, "required").message)]})
    activity = services.activity_create(
        by=user,
        owner=owner,
        kind=_kind(payload.kind),
        subject=subject,
        due_at=payload.due_at,
        done=payload.done,
        result=payload.result,
        **links,
    )
    return Status(201, activity_out(activity))


@router.patch("/activities/{activity_id}", response={200: ActivityOut, **WRITE_ERRORS})
def update_activity(request, activity_id: Id, payload: ActivityUpdateIn):
    activity = get_or_404(Activity.objects.visible_to(request.auth), activity_id)
    data = payload.model_dump(exclude_unset=True)
    if "kind" in data:
        data["kind"] = _kind(data["kind"])
    if "subject" in data:
        data["subject"] = " ".join((data["subject"] or "").split())
        if not data["subject"]:
            raise invalid({"subject": [str(ApiError(422, "required").message)]})
    for name in ("done", "result"):
        if name in data and data[name] is None:
            data.pop(name)
    activity = services.activity_update(activity, by=request.auth, **data)
    return activity_out(activity)


# ---------------------------------------------------------------- notes


@router.get("/notes/", response={200: NotePage, **READ_ERRORS}, summary="List notes")
def list_notes(request, filters: Query[NoteFilters], paging: Query[PageParams]):
    qs = Note.objects.visible_to(request.auth)
    for name in ("deal", "contact", "company"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    return paginate(qs.order_by("-created_at", "-pk"), paging.page, paging.page_size, note_out)


@router.get("/notes/{note_id}", response={200: NoteOut, **READ_ERRORS})
def get_note(request, note_id: Id):
    return note_out(get_or_404(Note.objects.visible_to(request.auth), note_id))


@router.post("/notes/", response={201: NoteOut, **WRITE_ERRORS})
def create_note(request, payload: NoteCreateIn):
    links = _linked(request.auth, payload, required=True)
    body = payload.body.strip()
    if not body:
        raise invalid({"body": [str(ApiError(422, "required").message)]})
    note = services.note_create(by=request.auth, body=body, **links)
    return Status(201, note_out(note))
