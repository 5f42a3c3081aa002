"""Reads of contacts and companies, always from ``visible_to(user)``."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import CharField, Exists, Func, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy

from voronka.contacts.models import Company, Contact, EmailAddress, PhoneNumber


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def _ensure_sqlite_casefold() -> None:
    """SQLite's LOWER() folds only ASCII; give it a Unicode one (no query is sent)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.create_function("VORONKA_CASEFOLD", 1, _casefold, deterministic=True)


class Casefold(Func):
    """Lower-case text in the database, Cyrillic included (PostgreSQL LOWER is Unicode)."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler, conn, **extra):
        _ensure_sqlite_casefold()
        return super().as_sql(compiler, conn, function="VORONKA_CASEFOLD", **extra)


def phone_digits(text: str) -> str:
    """The digits of a typed phone fragment, as they appear in E.164 (8 9xx... -> 7 9xx...)."""
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


def _search_q(q: str, link: str, with_inn: bool, inn_field: str = "inn") -> Q:
    folded = q.casefold()
    cond = Q(name_folded__contains=folded)
    cond |= Q(
        Exists(EmailAddress.objects.filter(**{link: OuterRef("pk")}, normalized__contains=folded))
    )
    digits = phone_digits(q)
    if len(digits) >= 3:
        cond |= Q(
            Exists(PhoneNumber.objects.filter(**{link: OuterRef("pk")}, e164__contains=digits))
        )
        if with_inn:
            cond |= Q(**{f"{inn_field}__startswith": re.sub(r"\D", "", q)})
    return cond


def _apply_filters(qs, *, link, q="", lifecycle="", owner=None, with_inn=False, inn_field="inn"):
    q = (q or "").strip()[:200]
    if q:
        qs = qs.annotate(name_folded=Casefold("name")).filter(
            _search_q(q, link, with_inn, inn_field)
        )
    if lifecycle:
        qs = qs.filter(lifecycle=lifecycle)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs


def contact_list(user, *, q="", lifecycle="", owner=None):
    qs = Contact.objects.visible_to(user).select_related("owner")
    qs = _apply_filters(
        qs,
        link="contact",
        q=q,
        lifecycle=lifecycle,
        owner=owner,
        with_inn=True,
        inn_field="company__inn",
    )
    return qs.prefetch_related(
        "phones",
        "emails",
        Prefetch("company", queryset=Company.objects.visible_to(user)),
    ).order_by("name", "pk")


def company_list(user, *, q="", lifecycle="", owner=None):
    qs = Company.objects.visible_to(user).select_related("owner")
    qs = _apply_filters(qs, link="company", q=q, lifecycle=lifecycle, owner=owner, with_inn=True)
    return qs.prefetch_related("phones", "emails").order_by("name", "pk")


def contact_get(user, pk: int) -> Contact:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Contact.objects.visible_to(user).select_related("owner"), pk=pk)


def company_get(user, pk: int) -> Company:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Company.objects.visible_to(user).select_related("owner"), pk=pk)


# ---------------------------------------------------------------- detail pages


HISTORY_LIMIT = 200


def _history(record) -> list[dict]:
    """Field-history timeline, newest first: who, when and which fields changed."""
    rows = list(
        record.history.select_related("history_user").order_by("-history_date", "-pk")[
            : HISTORY_LIMIT + 1
        ]
    )
    rows.reverse()
    out = []
    prev = None
    for row in rows:
        changes = []
        if prev is not None:
            delta = row.diff_against(prev, excluded_fields=["deleted_by"])
            for change in delta.changes:
                field = record._meta.get_field(change.field)
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": _display(field, change.old),
                        "new": _display(field, change.new),
                    }
                )
            changes.extend(_details_changes(prev.details, row.details))
        out.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "type": row.history_type,
                "changes": changes,
                "deleted": row.deleted_at is not None,
            }
        )
        prev = row
    out.reverse()
    return out[:HISTORY_LIMIT]


DETAIL_LABELS = (("phones", gettext_lazy("Phones")), ("emails", gettext_lazy("E-mails")))


def _details_changes(old: dict | None, new: dict | None) -> list[dict]:
    """Phones and e-mails that differ between two history rows (both snapshotted)."""
    if old is None or new is None:
        return []
    out = []
    for key, label in DETAIL_LABELS:
        before, after = old.get(key) or [], new.get(key) or []
        if before != after:
            out.append(
                {"field": label, "old": ", ".join(before) or "—", "new": ", ".join(after) or "—"}
            )
    return out


def _display(field, value):
    if value in (None, ""):
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        model = field.related_model
        obj = model._base_manager.filter(pk=value).first()
        return str(obj) if obj else value
    return value


def _activity_model():
    from voronka.activities.models import Activity, Attachment, Note

    return Activity, Note, Attachment


def contact_detail(user, contact: Contact) -> dict:
    from voronka.deals.models import Deal

    Activity, Note, Attachment = _activity_model()
    company = (
        Company.objects.visible_to(user).filter(pk=contact.company_id).first()
        if contact.company_id
        else None
    )
    return {
        "record": contact,
        "company": company,
        "phones": list(contact.phones.all()),
        "emails": list(contact.emails.all()),
        "deals": list(
            Deal.objects.visible_to(user)
            .filter(contacts=contact)
            .select_related("stage", "owner")
            .order_by("-created_at")[:100]
        ),
        "activities": list(
            Activity.objects.visible_to(user)
            .filter(contact=contact)
            .select_related("owner")
            .order_by("done", "due_at")[:100]
        ),
        "notes": list(
            Note.objects.visible_to(user).filter(contact=contact).select_related("author")[:100]
        ),
        "files": list(
            Attachment.objects.visible_to(user)
            .filter(contact=contact)
            .select_related("uploaded_by")[:100]
        ),
        "history": _history(contact),
    }


def company_detail(user, company: Company) -> dict:
    from voronka.deals.models import Deal

    Activity, Note, Attachment = _activity_model()
    return {
        "record": company,
        "website_is_link": company.website.lower().startswith(("http://", "https://")),
        "phones": list(company.phones.all()),
        "emails": list(company.emails.all()),
        "company_contacts": list(
            Contact.objects.visible_to(user)
            .filter(company=company)
            .prefetch_related("phones")
            .order_by("name")[:200]
        ),
        "deals": list(
            Deal.objects.visible_to(user)
            .filter(company=company)
            .select_related("stage", "owner")
            .order_by("-created_at")[:100]
        ),
        "activities": list(
            Activity.objects.visible_to(user)
            .filter(company=company)
            .select_related("owner")
            .order_by("done", "due_at")[:100]
        ),
        "notes": list(
            Note.objects.visible_to(user).filter(company=company).select_related("author")[:100]
        ),
        "files": list(
            Attachment.objects.visible_to(user)
            .filter(company=company)
            .select_related("uploaded_by")[:100]
        ),
        "history": _history(company),
    }
