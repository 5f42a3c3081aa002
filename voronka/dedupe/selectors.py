"""Reads of the duplicate control, always from the user's zone (``visible_to``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voronka.dedupe import keystore
from voronka.dedupe.matching import Keys, Record, make_keys
from voronka.dedupe.matching.keys import COMPANY, PERSON
from voronka.dedupe.models import CandidatePair, Event, Merge

REASONS = {
    "phone_rare": gettext_lazy("same phone"),
    "phone_few": gettext_lazy("same phone (shared by a few records)"),
    "phone_hub": gettext_lazy("same phone (shared by many records)"),
    "phone_close": gettext_lazy("phone differs by one digit"),
    "email_rare": gettext_lazy("same e-mail"),
    "email_hub": gettext_lazy("same e-mail (shared by several records)"),
    "local_rare": gettext_lazy("same e-mail name at another domain"),
    "local_name": gettext_lazy("e-mail name made of the person's name at another domain"),
    "local_hub": gettext_lazy("common e-mail name at another domain"),
    "inn_same": gettext_lazy("same INN"),
    "ident_same": gettext_lazy("same identifier"),
    "ident_close": gettext_lazy("identifier differs by one digit"),
    "surname_same": gettext_lazy("same surname"),
    "surname_close": gettext_lazy("similar surname"),
    "given_same": gettext_lazy("same first name"),
    "given_close": gettext_lazy("similar first name"),
    "initial_same": gettext_lazy("initial agrees"),
    "middle_same": gettext_lazy("same patronymic"),
    "middle_initial": gettext_lazy("patronymic initial agrees"),
    "name_rare": gettext_lazy("rare name"),
    "name_uncommon": gettext_lazy("uncommon name"),
    "company_same": gettext_lazy("same company"),
    "name_company": gettext_lazy("same uncommon name at the same company"),
    "given_birth": gettext_lazy("same first name and birth date"),
    "surname_changed": gettext_lazy("surname changed (same first name and birth date)"),
    "org_same": gettext_lazy("same company name"),
    "org_close": gettext_lazy("similar company name"),
    "domain_same": gettext_lazy("same web domain"),
    "birth_same": gettext_lazy("same birth date"),
    "birth_close": gettext_lazy("birth date differs by one digit, or day and month swapped"),
    "birth_far": gettext_lazy("similar birth date"),
    "address_same": gettext_lazy("same address"),
    "address_close": gettext_lazy("similar address"),
}
SHOWN_REASONS = 3


def reason_text(score) -> str:
    """“same phone, name 92% alike”: the strongest agreeing evidence, in the UI language."""
    parts = [str(REASONS[r.code]) for r in score.reasons if r.points > 0 and r.code in REASONS]
    parts = parts[:SHOWN_REASONS]
    if score.name_similarity:
        parts.append(_("name %(n)s%% alike") % {"n": score.name_similarity})
    return ", ".join(parts)


MERGE_MAX = 10  # records in one merge


def percent(points: float) -> int:
    import math

    return int(round(100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, points))))))


@dataclass
class Shown:
    record: object
    reason: str
    percent: int
    is_match: bool
    points: float = 0.0


def _id(value) -> int | None:
    """A record id from a request parameter; anything else (or out of range) is None."""
    value = str(value or "")
    if value.isascii() and value.isdigit() and 0 < len(value) <= 15:
        return int(value)
    return None


def typed_record(kind: str, data) -> Record:
    """A record from what the user has typed so far (form field names)."""

    # the deal quick add names its fields contact_name / contact_phone
    aliases = {"name": "contact_name", "phones_text": "contact_phone"}

    def raw(name):
        return data.get(name, "") or data.get(aliases.get(name, ""), "") or ""

    def lines(name):
        return tuple(x for x in raw(name).splitlines() if x.strip())[:20]

    def text(name, n=300):
        return raw(name)[:n]

    if kind == "company":
        return Record(
            kind=COMPANY, name=text("name"), company=text("legal_name", 500),
            phones=lines("phones_text"), emails=lines("emails_text"), inn=text("inn", 20),
            kpp=text("kpp", 20), website=text("website"), address=text("address", 2000),
        )  # fmt: skip
    company = ""
    cid = data.get("company") or ""
    if _id(cid):
        from voronka.contacts.models import Company

        company = Company.objects.filter(pk=_id(cid)).values_list("name", flat=True).first() or ""
    return Record(
        kind=PERSON, name=text("name"), phones=lines("phones_text"),
        emails=lines("emails_text"), company=company,
    )  # fmt: skip


def check(user, kind: str, keys: Keys, exclude=None) -> tuple[list[Shown], int]:
    """Likely duplicates the user may see, and how many more exist outside their zone."""
    found = keystore.candidates(kind, keys, exclude=exclude)
    if not found:
        return [], 0
    model = keystore.model_of(kind)
    visible = {
        r.pk: r
        for r in model.objects.visible_to(user)
        .filter(pk__in=[c.id for c in found])
        .select_related("owner")
    }
    shown = [
        Shown(
            visible[c.id],
            reason_text(c.score),
            percent(c.score.points),
            c.score.is_match,
            round(float(c.score.points), 2),
        )
        for c in found
        if c.id in visible
    ]
    return shown, len(found) - len(shown)


def check_typed(user, kind: str, data) -> tuple[list[Shown], int]:
    record = typed_record(kind, data)
    keys = make_keys(record)
    if not keys.blocks:
        return [], 0
    exclude = data.get("record") or ""
    return check(user, kind, keys, _id(exclude))


def check_record(user, kind: str, record) -> tuple[list[Shown], int]:
    """Likely duplicates of a saved record (its stored keys), as the form's warning shows
    them: the same look-up, the same reasons, only records in the user's zone."""
    return check(user, kind, keystore.keys_of_record(kind, record), exclude=record.pk)


def visible_ids_q(user, kind: str):
    return keystore.model_of(kind).objects.visible_to(user).values("pk")


def queue(user, kind: str):
    """Open pairs whose two records the user may see, most likely first."""
    ids = visible_ids_q(user, kind)
    return (
        CandidatePair.objects.filter(kind=kind, status=CandidatePair.OPEN)
        .filter(a_id__in=ids, b_id__in=ids)
        .order_by("-points", "pk")
    )


def queue_groups(user, kind: str) -> list[dict]:
    """The open pairs the user may see, grouped as the scan clustered them (a pair outside
    any cluster is a group of its own), most likely group first: ``pairs`` (pair ids, most
    likely first), ``ids`` (record ids), ``points`` (of its most likely pair)."""
    groups: dict = {}
    rows = queue(user, kind).values_list("pk", "a_id", "b_id", "points", "cluster")
    for pk, a, b, points, cluster in rows:  # most likely first
        g = groups.setdefault(("c", cluster) if cluster else ("p", pk), {"pairs": [], "ids": {}})
        g["pairs"].append(pk)
        g["ids"].update(dict.fromkeys((a, b)))
        g.setdefault("points", points)
    return [
        {"pairs": g["pairs"], "ids": list(g["ids"]), "points": g["points"]} for g in groups.values()
    ]


def queue_page_rows(user, kind: str, groups) -> list[dict]:
    """One page of groups with their records and reasons, for the queue screen."""
    ids = [pk for g in groups for pk in g["pairs"]]
    by_pk = {
        r["pair"].pk: r for r in queue_rows(user, kind, CandidatePair.objects.filter(pk__in=ids))
    }
    out = []
    for g in groups:
        rows = [by_pk[pk] for pk in g["pairs"] if pk in by_pk]
        if rows:
            out.append(
                {
                    "rows": rows,
                    "ids": g["ids"],
                    "size": len(g["ids"]),
                    "percent": percent(g["points"]),
                    "mergeable": len(g["ids"]) <= MERGE_MAX,
                }
            )
    return out


def queue_rows(user, kind: str, pairs) -> list[dict]:
    """Records and reasons for one page of the queue."""
    pairs = list(pairs)
    ids = {i for p in pairs for i in (p.a_id, p.b_id)}
    model = keystore.model_of(kind)
    records = {r.pk: r for r in model.objects.visible_to(user).filter(pk__in=ids)}
    stored = keystore.stored_keys(kind, ids)
    rows = []
    for p in pairs:
        a, b = records.get(p.a_id), records.get(p.b_id)
        if a is None or b is None:
            continue
        reason = ""
        if p.a_id in stored and p.b_id in stored:
            reason = reason_text(keystore.explain(kind, stored[p.a_id], stored[p.b_id]))
        rows.append({"pair": p, "a": a, "b": b, "reason": reason, "percent": percent(p.points)})
    return rows


def pair_get(user, pk) -> CandidatePair:
    pair = CandidatePair.objects.filter(pk=_id(pk)).first() if _id(pk) else None
    if pair is None or not queue(user, pair.kind).filter(pk=pair.pk).exists():
        raise Http404
    return pair


def records_for_merge(user, kind: str, ids) -> list:
    """The records to merge, all in the user's zone (else 404), in the order given."""
    model = keystore.model_of(kind)
    found = {r.pk: r for r in model.objects.visible_to(user).filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise Http404
    return [found[i] for i in dict.fromkeys(ids)]


def merge_get(user, pk) -> Merge:
    """A merge whose survivor and merged records are all in the user's zone."""
    merge = Merge.objects.filter(pk=_id(pk)).first() if _id(pk) else None
    if merge is None:
        raise Http404
    model = keystore.model_of(merge.kind)
    ids = [merge.survivor_id, *merge.merged_ids]
    present = model.all_objects.filter(pk__in=ids)
    visible = set(
        model.all_objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if merge.survivor_id not in visible or any(
        r.pk not in visible for r in present if r.pk != merge.survivor_id
    ):
        raise Http404
    return merge


def timeline(user, kind: str, record) -> list[dict]:
    """Duplicate-control events of a record, newest first, other records named only when
    the user may see them."""
    events = list(
        Event.objects.filter(kind=kind, record_id=record.pk)
        .select_related("by", "merge")
        .order_by("-at", "-pk")[:50]
    )
    ids = {i for e in events for i in e.other_ids}
    model = keystore.model_of(kind)
    visible = {r.pk: r for r in model.all_objects.visible_to(user).filter(pk__in=ids)}
    out = []
    for e in events:
        others = [visible[i] for i in e.other_ids if i in visible]
        out.append(
            {
                "event": e,
                "others": others,
                "hidden": len(e.other_ids) - len(others),
                "can_undo": e.action == Event.MERGED and e.merge and e.merge.undone_at is None,
            }
        )
    return out
