"""Intake policy: what an incoming contact or company that matches an existing one does.

Per source of records (import, API; web forms once they exist) the head of sales picks:

- ``attach``: the incoming data goes onto the existing record (only its empty fields are
  filled, phones and e-mails it lacks are added) and no new record is made; an incoming
  open deal of a contact that already has an open deal becomes a note on that deal;
- ``flag`` (the default): the record is created and every likely duplicate is put in the
  review queue next to it;
- ``skip``: nothing is created; the import report or the API error says which row and why.

Only a candidate at or above the matching core's MATCH threshold that the user may see is
attached to or skipped for; anything weaker (or outside the user's zone) is created and
flagged, whatever the policy. Every decision is logged as a dedupe :class:`Event` with the
source, the policy, the score and the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from voronka.dedupe import keystore
from voronka.dedupe.matching import Record, make_keys
from voronka.dedupe.matching.keys import COMPANY, PERSON
from voronka.dedupe.models import CandidatePair, Event, IntakePolicy

CREATE = "create"  # no likely duplicate: created as usual


def policy_of(source: str) -> str:
    """The action chosen for ``source`` (the default when nobody chose one)."""
    row = IntakePolicy.objects.filter(source=source).values_list("action", flat=True).first()
    return row or IntakePolicy.DEFAULT


def policies() -> list[IntakePolicy]:
    """One policy per wired source, unsaved defaults for those nobody has set."""
    rows = {p.source: p for p in IntakePolicy.objects.select_related("updated_by")}
    return [rows.get(s) or IntakePolicy(source=s) for s in IntakePolicy.WIRED]


def recent_changes(limit: int = 20):
    """Who changed which policy to what, and why, newest first."""
    return IntakePolicy.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )[:limit]


@transaction.atomic
def policy_set(source: str, action: str, *, by, note: str = "") -> IntakePolicy:
    """Set the policy of one source; the change is kept in the policy's history with the
    user and the note as its reason. Heads of sales and admins only."""
    if by is None or by.is_rep:
        raise PermissionError("only a head of sales or an admin sets the intake policy")
    if source not in dict(IntakePolicy.SOURCES) or action not in dict(IntakePolicy.ACTIONS):
        raise ValueError(f"{source}: {action}")
    policy = IntakePolicy.objects.select_for_update().filter(source=source).first()
    if policy is not None and policy.action == action:
        return policy
    policy = policy or IntakePolicy(source=source)
    policy.action = action
    policy.updated_by = by
    policy._history_user = by
    policy._change_reason = (note or "").strip()[:100] or None
    policy.save()
    return policy


# ---------------------------------------------------------------- deciding


@dataclass
class Decision:
    action: str  # CREATE, IntakePolicy.ATTACH, .FLAG or .SKIP
    policy: str
    target: int | None = None  # the existing record attached to or skipped for
    candidates: list = field(default_factory=list)  # core Candidates, best first

    @property
    def best(self):
        if self.target is not None:
            return next(c for c in self.candidates if c.id == self.target)
        return self.candidates[0] if self.candidates else None


def decide(policy: str, found: list, visible: set[int]) -> Decision:
    """The decision for one incoming record from its candidates (best first) and the ids
    among them the user may see."""
    match = next((c for c in found if c.score.is_match and c.id in visible), None)
    if match is not None and policy in (IntakePolicy.ATTACH, IntakePolicy.SKIP):
        return Decision(policy, policy, match.id, list(found))
    if found:
        return Decision(IntakePolicy.FLAG, policy, None, list(found))
    return Decision(CREATE, policy, None, [])


def visible_ids(user, kind: str, ids) -> set[int]:
    ids = list(ids)
    out: set[int] = set()
    model = keystore.model_of(kind)
    for start in range(0, len(ids), 1000):
        out |= set(
            model.objects.visible_to(user)
            .filter(pk__in=ids[start : start + 1000])
            .values_list("pk", flat=True)
        )
    return out


def flag(kind: str, record_id: int, candidates) -> int:
    """Put the pairs of a new record and its candidates in the review queue (a pair
    dismissed before stays dismissed)."""
    pairs = []
    for c in candidates:
        a, b = sorted((int(record_id), int(c.id)))
        if a == b:
            continue
        pairs.append(
            CandidatePair(kind=kind, a_id=a, b_id=b, points=float(c.score.points),
                          origin=CandidatePair.INTAKE)
        )  # fmt: skip
    CandidatePair.objects.bulk_create(pairs, batch_size=1000, ignore_conflicts=True)
    return len(pairs)


def event(kind, record_id, decision: Decision, *, source: str, by, **extra) -> Event:
    """The log line of one decision: on the existing record for attach and skip, on the
    new record for flag."""
    action = {
        IntakePolicy.ATTACH: Event.ATTACHED,
        IntakePolicy.FLAG: Event.FLAGGED,
        IntakePolicy.SKIP: Event.SKIPPED,
    }[decision.action]
    detail = _detail(decision, source, **extra)
    return Event(
        kind=kind, record_id=record_id, action=action, by=by, other_ids=_others(decision),
        detail=detail,
    )  # fmt: skip


def _others(decision: Decision) -> list[int]:
    if decision.action == IntakePolicy.FLAG:
        return sorted(int(c.id) for c in decision.candidates)
    return []


def _detail(decision: Decision, source: str, **extra) -> dict:
    from voronka.dedupe.selectors import reason_text

    best = decision.best
    out = {"source": source, "policy": decision.policy}
    if best is not None:
        out["points"] = round(float(best.score.points), 2)
        out["reason"] = reason_text(best.score)
    out.update({k: v for k, v in extra.items() if v not in (None, "")})
    return out


# ---------------------------------------------------------------- one record (API)


def record_of(kind: str, fields: dict) -> Record:
    """A matching record from the create services' keyword arguments."""
    phones = tuple(p.raw for p in fields.get("phones") or ())
    emails = tuple(fields.get("emails") or ())
    if kind == "company":
        return Record(
            kind=COMPANY, name=fields.get("name") or "", company=fields.get("legal_name") or "",
            phones=phones, emails=emails, inn=fields.get("inn") or "", kpp=fields.get("kpp") or "",
            website=fields.get("website") or "", address=fields.get("address") or "",
        )  # fmt: skip
    company = fields.get("company")
    return Record(
        kind=PERSON, name=fields.get("name") or "", phones=phones, emails=emails,
        company=company.name if company is not None else "",
    )  # fmt: skip


@dataclass
class Outcome:
    decision: Decision
    record: object | None  # the created or attached record; None when skipped
    keys: object = None  # the incoming record's keys


def _fill(kind: str, record, fields: dict, by):
    """The incoming values onto the existing record: empty fields filled, phones and
    e-mails it lacks added; nothing it has is overwritten."""
    from voronka.contacts import services as contact_services
    from voronka.core.phones import Phone

    changes = {}
    for name, value in fields.items():
        if name in {"phones", "emails", "owner"} or value in (None, ""):
            continue
        f = record._meta.get_field(name)
        if getattr(record, f.attname) in (None, ""):
            changes[name] = value
    if record.owner_id is None and fields.get("owner") is not None:
        changes["owner"] = fields["owner"]
    have = list(record.phones.order_by("position", "pk"))
    known = {p.e164 for p in have}
    phones = None
    new_phones = [p for p in fields.get("phones") or () if p.e164 not in known]
    if new_phones:
        phones = [Phone(p.raw, p.e164, p.extension) for p in have] + new_phones
    mails = list(record.emails.order_by("position", "pk").values_list("email", flat=True))
    seen = {m.strip().lower() for m in mails}
    new_mails = [e for e in fields.get("emails") or () if e.strip().lower() not in seen]
    emails = mails + new_mails if new_mails else None
    update = getattr(contact_services, f"{kind}_update")
    return update(record, by=by, phones=phones, emails=emails, **changes)


@transaction.atomic
def intake_one(kind: str, source: str, *, by, fields: dict) -> Outcome:
    """Create one contact or company from ``source`` under that source's policy."""
    from voronka.contacts import services as contact_services

    policy = policy_of(source)
    keys = make_keys(record_of(kind, fields))
    found = keystore.candidates(kind, keys)
    decision = decide(policy, found, visible_ids(by, kind, [c.id for c in found]))
    if decision.action == IntakePolicy.SKIP:
        event(kind, decision.target, decision, source=source, by=by).save()
        return Outcome(decision, None, keys)
    if decision.action == IntakePolicy.ATTACH:
        model = keystore.model_of(kind)
        record = model.objects.select_for_update().get(pk=decision.target)
        record = _fill(kind, record, fields, by)
        event(kind, record.pk, decision, source=source, by=by).save()
        return Outcome(decision, record, keys)
    record = getattr(contact_services, f"{kind}_create")(by=by, **fields)
    if decision.action == IntakePolicy.FLAG:
        flag(kind, record.pk, decision.candidates)
        event(kind, record.pk, decision, source=source, by=by).save()
    return Outcome(decision, record, keys)


# ---------------------------------------------------------------- deals


@dataclass
class DealIntake:
    policy: str
    action: str = CREATE  # CREATE, IntakePolicy.ATTACH or .SKIP
    deal_id: int | None = None  # the contact's open deal attached to or skipped for
    contact_id: int | None = None
    note: object = None  # the note written on that deal (attach)


def deal_request_note(heading: str, amount=None, currency: str = "", origin: str = "") -> str:
    """The note an incoming deal request becomes on the contact's open deal (attach): the
    heading (what came in, from where), its amount and source. Written in the active
    language: callers write notes in the site's."""
    from django.utils.translation import gettext

    lines = [heading]
    if amount is not None:
        lines.append(
            gettext("Amount: %(amount)s %(currency)s") % {"amount": amount, "currency": currency}
        )
    if origin:
        lines.append(gettext("Source: %(source)s") % {"source": origin})
    return "\n".join(lines)[:20000]


def open_deal_of(by, contacts) -> tuple[int, int] | None:
    """(the latest open deal ``by`` may see of one of ``contacts``, that contact) or None."""
    from voronka.deals.choices import StageKind
    from voronka.deals.models import Deal

    visible = Deal.objects.visible_to(by).filter(stage__kind=StageKind.OPEN)
    row = (
        Deal.contacts.through.objects.filter(
            contact_id__in=[c.pk for c in contacts], deal__in=visible.values("pk")
        )
        .order_by("-deal__created_at", "-deal_id")
        .values_list("deal_id", "contact_id")
        .first()
    )
    return tuple(row) if row else None


@transaction.atomic
def deal_intake(source: str, *, by, stage, contacts, title: str, amount=None, currency="",
                origin: str = "") -> DealIntake:  # fmt: skip
    """A new open deal of a contact who already has one (that ``by`` may see), as amoCRM
    does it: under the attach policy it becomes a note on that deal, under skip it is
    refused; under flag (or with no such deal) it is created as usual (``CREATE``). The
    decision is logged as an :class:`Event` on the contact."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    from voronka.activities.services import note_create
    from voronka.deals.choices import StageKind

    policy = policy_of(source)
    if policy == IntakePolicy.FLAG or stage.kind != StageKind.OPEN or not contacts:
        return DealIntake(policy)
    hit = open_deal_of(by, contacts)
    if hit is None:
        return DealIntake(policy)
    deal_id, contact_id = hit
    note = None
    with translation.override(settings.LANGUAGE_CODE):  # notes speak the site's language
        reason = gettext("the contact already has an open deal")
        if policy == IntakePolicy.ATTACH:
            heading = gettext("Incoming deal request (API): %(title)s") % {"title": title}
            body = deal_request_note(heading, amount, currency, origin)
            note = note_create(by=by, body=body, deal_id=deal_id)
    action = Event.ATTACHED if policy == IntakePolicy.ATTACH else Event.SKIPPED
    Event.objects.create(
        kind="contact", record_id=contact_id, action=action, by=by,
        detail={"source": source, "policy": policy, "deal": deal_id, "reason": reason},
    )  # fmt: skip
    return DealIntake(policy, policy, deal_id, contact_id, note)
