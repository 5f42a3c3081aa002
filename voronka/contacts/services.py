"""Writes to contacts and companies. Each service is one atomic change."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from voronka.contacts.models import Company, Contact, EmailAddress, PhoneNumber, details_of
from voronka.core.phones import Phone


def _replace_phones(record, link: str, phones: Iterable[Phone] | None) -> None:
    if phones is None:
        return
    PhoneNumber.objects.filter(**{link: record}).delete()
    PhoneNumber.objects.bulk_create(
        PhoneNumber(
            **{link: record}, raw=p.raw, e164=p.e164, extension=p.extension or "", position=i
        )
        for i, p in enumerate(phones)
    )


def _replace_emails(record, link: str, emails: Iterable[str] | None) -> None:
    if emails is None:
        return
    EmailAddress.objects.filter(**{link: record}).delete()
    EmailAddress.objects.bulk_create(
        EmailAddress(**{link: record}, email=e, normalized=e.strip().lower(), position=i)
        for i, e in enumerate(emails)
    )


def _snapshot(record, phones: list[Phone] | None, emails: list[str] | None) -> None:
    """The phones and e-mails the record will have once this change is written, for the
    history row its save writes first (see ``DetailsSnapshot``)."""
    now = details_of(record) if phones is None or emails is None else {}
    record._details_snapshot = {
        "phones": [p.raw for p in phones] if phones is not None else now["phones"],
        "emails": list(emails) if emails is not None else now["emails"],
    }


def _save(record, by, **fields):
    for name, value in fields.items():
        setattr(record, name, value)
    record._history_user = by
    record.save()
    record.__dict__.pop("_details_snapshot", None)  # for this save's history row only
    return record


def _soft_delete(record, by):
    record.deleted_at = timezone.now()
    record.deleted_by = by
    record._history_user = by
    record.save(update_fields=["deleted_at", "deleted_by", "updated_at"])


def _restore(record, by):
    record.deleted_at = None
    record.deleted_by = None
    record._history_user = by
    record.save(update_fields=["deleted_at", "deleted_by", "updated_at"])


# ---------------------------------------------------------------- contacts


@transaction.atomic
def contact_create(*, by, phones: Iterable[Phone] = (), emails: Iterable[str] = (), **fields):
    phones, emails = list(phones), list(emails)
    contact = Contact()
    _snapshot(contact, phones, emails)
    _save(contact, by, **fields)
    _replace_phones(contact, "contact", phones)
    _replace_emails(contact, "contact", emails)
    _refresh_match_keys("contact", contact, by)
    return contact


@transaction.atomic
def contact_update(
    contact: Contact,
    *,
    by,
    phones: Iterable[Phone] | None = None,
    emails: Iterable[str] | None = None,
    **fields,
) -> Contact:
    """Change fields; ``phones`` / ``emails``, when given, replace the existing rows."""
    phones = None if phones is None else list(phones)
    emails = None if emails is None else list(emails)
    _snapshot(contact, phones, emails)
    _save(contact, by, **fields)
    _replace_phones(contact, "contact", phones)
    _replace_emails(contact, "contact", emails)
    _refresh_deal_search(contact=contact)
    _refresh_match_keys("contact", contact, by)
    return contact


@transaction.atomic
def contact_delete(contact: Contact, *, by) -> None:
    _soft_delete(contact, by)
    _refresh_deal_search(contact=contact)


@transaction.atomic
def contact_restore(contact: Contact, *, by) -> None:
    _restore(contact, by)
    _refresh_deal_search(contact=contact)


# ---------------------------------------------------------------- companies


@transaction.atomic
def company_create(*, by, phones: Iterable[Phone] = (), emails: Iterable[str] = (), **fields):
    phones, emails = list(phones), list(emails)
    company = Company()
    _snapshot(company, phones, emails)
    _save(company, by, **fields)
    _replace_phones(company, "company", phones)
    _replace_emails(company, "company", emails)
    _refresh_match_keys("company", company, by)
    return company


@transaction.atomic
def company_update(
    company: Company,
    *,
    by,
    phones: Iterable[Phone] | None = None,
    emails: Iterable[str] | None = None,
    **fields,
) -> Company:
    phones = None if phones is None else list(phones)
    emails = None if emails is None else list(emails)
    _snapshot(company, phones, emails)
    _save(company, by, **fields)
    _replace_phones(company, "company", phones)
    _replace_emails(company, "company", emails)
    _refresh_deal_search(company=company)
    _refresh_match_keys("company", company, by)
    return company


@transaction.atomic
def company_delete(company: Company, *, by) -> None:
    _soft_delete(company, by)
    _refresh_deal_search(company=company)


@transaction.atomic
def company_restore(company: Company, *, by) -> None:
    _restore(company, by)
    _refresh_deal_search(company=company)


def _refresh_deal_search(*, contact=None, company=None) -> None:
    """A renamed, deleted or restored contact or company changes how its deals are found."""
    from voronka.deals.models import Deal
    from voronka.deals.services import refresh_search_text

    if contact is not None:
        links = Deal.contacts.through.objects.filter(contact=contact)
        ids = links.values_list("deal_id", flat=True)
    else:
        ids = Deal.all_objects.filter(company=company).values_list("pk", flat=True)
    refresh_search_text(list(ids))


def _refresh_match_keys(kind: str, record, by) -> None:
    """Duplicate control stores normalised keys of every record, in the same transaction."""
    from voronka.dedupe.services import keys_refresh

    keys_refresh(kind, record, by=by)
