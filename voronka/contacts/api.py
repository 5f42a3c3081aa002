"""API of contacts and companies. Input is checked by the same forms as the UI."""

from __future__ import annotations

from django.db.models import Prefetch
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
    paginate,
)
from voronka.contacts import selectors, services
from voronka.contacts.choices import Lifecycle
from voronka.contacts.forms import CompanyForm, ContactForm
from voronka.contacts.models import Company, Contact, EmailAddress, PhoneNumber
from voronka.contacts.schemas import (
    CompanyCreateIn,
    CompanyOut,
    CompanyPage,
    CompanySavedOut,
    CompanyUpdateIn,
    ContactCreateIn,
    ContactOut,
    ContactPage,
    ContactSavedOut,
    ContactUpdateIn,
    DuplicateErrorOut,
)

router = Router(tags=["contacts"])

API_NAMES = {
    "company": "company_id",
    "owner": "owner_id",
    "phones_text": "phones",
    "emails_text": "emails",
}
FORM_NAMES = {v: k for k, v in API_NAMES.items()}


class PartyFilters(BaseModel):
    q: str | None = Field(None, max_length=200, description="Name, e-mail, phone or INN")
    lifecycle: str | None = None
    owner: Id | None = None


def _common(r) -> dict:
    return {
        "id": r.pk,
        "name": r.name,
        "lifecycle": r.lifecycle,
        "source": r.source,
        "owner_id": r.owner_id,
        "phones": [
            {"raw": p.raw, "e164": p.e164, "extension": p.extension} for p in r.phones.all()
        ],
        "emails": [e.email for e in r.emails.all()],
        "external_id": r.external_id,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def contact_out(c: Contact) -> dict:
    return {
        **_common(c),
        "position": c.position,
        "company_id": c.company_id,
        "messengers": c.messengers,
    }


def company_out(c: Company) -> dict:
    return {
        **_common(c),
        "legal_name": c.legal_name,
        "inn": c.inn,
        "kpp": c.kpp,
        "ogrn": c.ogrn,
        "website": c.website,
        "address": c.address,
    }


def duplicates_out(request, kind: str, record=None, keys=None) -> dict:
    """The likely duplicates of a saved record (or of incoming ``keys``): the check the
    form's warning runs, limited to the records the user may see (the others are only
    counted, as in the UI)."""
    from voronka.dedupe.selectors import check, check_record

    if record is not None:
        shown, hidden = check_record(request.auth, kind, record)
    else:
        shown, hidden = check(request.auth, kind, keys)
    return {
        "duplicates": [
            {
                "id": c.record.pk,
                "name": c.record.name,
                "points": c.points,
                "probability": c.percent,
                "is_match": c.is_match,
                "reasons": c.reason,
                "url": request.build_absolute_uri(c.record.get_absolute_url()),
            }
            for c in shown
        ],
        "duplicates_hidden": hidden,
    }


def _saved_contact(request, pk) -> dict:
    contact = _with_children(Contact.objects.filter(pk=pk)).get()
    return {**contact_out(contact), **duplicates_out(request, "contact", contact)}


def _saved_company(request, pk) -> dict:
    company = _with_children(Company.objects.filter(pk=pk)).get()
    return {**company_out(company), **duplicates_out(request, "company", company)}


CREATE_RESPONSES = {**WRITE_ERRORS, 409: DuplicateErrorOut}
CREATE_HELP = (
    "Answers with the record's likely duplicates among the records you may see. The API's "
    "intake policy (set by a head of sales) decides what a likely duplicate does: 201 "
    "created (and flagged for review), 200 attached to the existing record (its empty "
    "fields filled; the existing record is returned), or 409 duplicate_skipped."
)


def _intake(request, kind: str, kwargs: dict, saved):
    """Create under the API's duplicate policy: 201 created (or created and flagged),
    200 attached to the existing record, 409 ``duplicate_skipped``."""
    from voronka.dedupe.intake import intake_one
    from voronka.dedupe.models import IntakePolicy

    outcome = intake_one(kind, IntakePolicy.API, by=request.auth, fields=kwargs)
    decision = outcome.decision
    if outcome.record is None:
        error = ApiError(409, "duplicate_skipped")
        body = {"code": error.code, "message": error.message, "fields": {}, "missing": []}
        body["duplicates"] = duplicates_out(request, kind, keys=outcome.keys)["duplicates"]
        return Status(409, body)
    action = {"attach": "attached", "flag": "flagged"}.get(decision.action, "created")
    body = {**saved(request, outcome.record.pk)}
    body["intake"] = {"policy": decision.policy, "action": action}
    return Status(200 if action == "attached" else 201, body)


def _with_children(qs):
    return (
        qs.select_related(None)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("phones", queryset=PhoneNumber.objects.order_by("position", "pk")),
            Prefetch("emails", queryset=EmailAddress.objects.order_by("position", "pk")),
        )
    )


def _filters(user, f: PartyFilters) -> dict:
    fields = {}
    out = {"q": f.q or ""}
    if f.lifecycle:
        if f.lifecycle not in Lifecycle.values:
            fields["lifecycle"] = [str(ApiError(422, "not_found").message)]
        out["lifecycle"] = f.lifecycle
    if f.owner is not None:
        owner = User.objects.visible_to(user).filter(pk=f.owner).first()
        if owner is None:
            fields["owner"] = [str(ApiError(422, "not_found").message)]
        out["owner"] = owner
    if fields:
        raise invalid(fields)
    return out


def _save(form_class, user, payload, instance=None):
    """Runs the UI form on the record's current values overlaid with the payload."""
    data = payload.model_dump(exclude_unset=True)
    if user.is_rep and data.get("owner_id") not in (None, user.pk):
        raise invalid({"owner_id": [str(ApiError(422, "not_found").message)]})
    form_data = {}
    probe = form_class(instance=instance, user=user)
    for name in probe.fields:
        value = probe.initial.get(name, probe.fields[name].initial)
        if hasattr(value, "pk"):
            value = value.pk
        form_data[name] = "" if value is None else value
    if instance is not None:
        for name in probe.fields:
            if name in {"phones_text", "emails_text"}:
                continue
            attr = name + "_id" if name in {"company", "owner"} else name
            value = getattr(instance, attr, None)
            form_data[name] = "" if value is None else value
    for key, value in data.items():
        name = FORM_NAMES.get(key, key)
        if name in {"phones_text", "emails_text"}:
            value = "\n".join(value or [])
        form_data[name] = "" if value is None else value
    form = form_class(form_data, instance=instance, user=user)
    if not form.is_valid():
        raise invalid({API_NAMES.get(k, k): [str(e) for e in v] for k, v in form.errors.items()})
    return form.service_kwargs()


# ---------------------------------------------------------------- contacts


@router.get("/contacts/", response={200: ContactPage, **READ_ERRORS}, summary="List contacts")
def list_contacts(request, filters: Query[PartyFilters], paging: Query[PageParams]):
    qs = selectors.contact_list(request.auth, **_filters(request.auth, filters))
    return paginate(_with_children(qs), paging.page, paging.page_size, contact_out)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **READ_ERRORS})
def get_contact(request, contact_id: Id):
    qs = _with_children(Contact.objects.visible_to(request.auth))
    return contact_out(get_or_404(qs, contact_id))


@router.post(
    "/contacts/",
    response={201: ContactSavedOut, 200: ContactSavedOut, **CREATE_RESPONSES},
    summary="Create a contact",
    description=CREATE_HELP,
)
def create_contact(request, payload: ContactCreateIn):
    kwargs = _save(ContactForm, request.auth, payload)
    return _intake(request, "contact", kwargs, _saved_contact)


@router.patch("/contacts/{contact_id}", response={200: ContactSavedOut, **WRITE_ERRORS})
def update_contact(request, contact_id: Id, payload: ContactUpdateIn):
    contact = get_or_404(Contact.objects.visible_to(request.auth), contact_id)
    kwargs = _save(ContactForm, request.auth, payload, contact)
    services.contact_update(contact, by=request.auth, **kwargs)
    return _saved_contact(request, contact.pk)


# ---------------------------------------------------------------- companies


@router.get("/companies/", response={200: CompanyPage, **READ_ERRORS}, summary="List companies")
def list_companies(request, filters: Query[PartyFilters], paging: Query[PageParams]):
    qs = selectors.company_list(request.auth, **_filters(request.auth, filters))
    return paginate(_with_children(qs), paging.page, paging.page_size, company_out)


@router.get("/companies/{company_id}", response={200: CompanyOut, **READ_ERRORS})
def get_company(request, company_id: Id):
    qs = _with_children(Company.objects.visible_to(request.auth))
    return company_out(get_or_404(qs, company_id))


@router.post(
    "/companies/",
    response={201: CompanySavedOut, 200: CompanySavedOut, **CREATE_RESPONSES},
    summary="Create a company",
    description=CREATE_HELP,
)
def create_company(request, payload: CompanyCreateIn):
    kwargs = _save(CompanyForm, request.auth, payload)
    return _intake(request, "company", kwargs, _saved_company)


@router.patch("/companies/{company_id}", response={200: CompanySavedOut, **WRITE_ERRORS})
def update_company(request, company_id: Id, payload: CompanyUpdateIn):
    company = get_or_404(Company.objects.visible_to(request.auth), company_id)
    kwargs = _save(CompanyForm, request.auth, payload, company)
    services.company_update(company, by=request.auth, **kwargs)
    return _saved_company(request, company.pk)
