"""Writes to deals. Each service is one atomic change: validate, write, record history."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.deals import criteria as pure
from voronka.deals.choices import Answer, StageKind
from voronka.deals.errors import DealError
from voronka.deals.models import Deal, DealAnswer, LostReason, Stage, StageChange

MILESTONE_FIELDS = {
    "contract_planned",
    "contract_actual",
    "invoice_planned",
    "invoice_actual",
    "payment_planned",
    "payment_actual",
}


# ---------------------------------------------------------------- criteria


def deal_facts(deal: Deal, now=None) -> pure.DealFacts:
    now = now or timezone.now()
    filled = set()
    for name in ("decision_date", "expected_close_date", "source", "company_id"):
        if getattr(deal, name):
            filled.add(name.removesuffix("_id"))
    if deal.amount and deal.amount > 0:
        filled.add("amount")
    if deal.pk and deal.contacts.exists():
        filled.add("contacts")
    answers = (
        dict(DealAnswer.objects.filter(deal=deal).values_list("criterion_id", "answer"))
        if deal.pk
        else {}
    )
    milestones = {name: getattr(deal, name) for name in MILESTONE_FIELDS}
    next_step_at = None
    if deal.pk:
        from voronka.activities.models import Activity

        next_step_at = (
            Activity.objects.filter(deal=deal, done=False, due_at__gt=now)
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
        )
    return pure.DealFacts(
        now=now,
        next_step_at=next_step_at,
        answers=answers,
        filled_fields=frozenset(filled),
        milestones=milestones,
    )


def _criteria_of(stage_ids):
    from voronka.deals.models import StageCriterion

    rows = StageCriterion.objects.filter(stage_id__in=stage_ids, is_active=True).order_by(
        "stage__order", "order", "pk"
    )
    return [
        pure.Criterion(
            id=c.pk,
            kind=c.kind,
            label=c.label,
            field=c.field,
            milestone=c.milestone,
            milestone_date=c.milestone_date,
        )
        for c in rows
    ]


def _ref(stage: Stage) -> pure.StageRef:
    return pure.StageRef(
        id=stage.pk, order=stage.order, kind=stage.kind, pipeline_id=stage.pipeline_id
    )


def missing_for_move(deal: Deal, target: Stage) -> list[pure.Missing]:
    stages = list(Stage.objects.filter(pipeline_id=deal.pipeline_id))
    ids = pure.stages_to_check(_ref(deal.stage), _ref(target), [_ref(s) for s in stages])
    if not ids:
        return []
    return pure.missing_criteria(_criteria_of(ids), deal_facts(deal))


def missing_for_stage(deal: Deal) -> list[pure.Missing]:
    """What the deal still lacks to leave its current stage."""
    return pure.missing_criteria(_criteria_of([deal.stage_id]), deal_facts(deal))


def describe_missing(m: pure.Missing) -> str:
    from voronka.deals.choices import Milestone, MilestoneDate, RequiredField

    if m.kind == "next_step":
        return _("Schedule a next step: an open activity with a date in the future.")
    if m.kind == "question":
        return _("Answer “yes” to the control question: %(q)s") % {"q": m.label}
    if m.kind == "field":
        label = dict(RequiredField.choices).get(m.field, m.field)
        return _("Fill in the field “%(field)s”.") % {"field": label}
    if m.kind == "milestone":
        return _("Set the %(which)s of the milestone “%(milestone)s”.") % {
            "which": dict(MilestoneDate.choices).get(m.milestone_date or "planned", ""),
            "milestone": dict(Milestone.choices).get(m.milestone, m.milestone),
        }
    return m.code


# ---------------------------------------------------------------- writes


@transaction.atomic
def deal_create(*, by, stage: Stage, **fields) -> Deal:
    if stage.kind != StageKind.OPEN:
        raise DealError("stage_other_pipeline")
    contacts = fields.pop("contacts", None)
    tags = fields.pop("tags", None)
    now = timezone.now()
    created_at = fields.pop("created_at", None) or now
    deal = Deal(pipeline_id=stage.pipeline_id, stage=stage, created_at=created_at, **fields)
    deal.stage_entered_at = created_at
    deal._history_user = by
    deal.save()
    if contacts:
        deal.contacts.set(contacts)
    if tags:
        deal.tags.set(tags_from(tags))
    refresh_search_text([deal.pk])
    StageChange.objects.create(
        deal=deal, from_stage=None, to_stage=stage, changed_at=created_at, changed_by=by
    )
    return deal


@transaction.atomic
def deal_update(deal: Deal, *, by, expected_version: int | None, **fields) -> Deal:
    """Edit fields other than the stage; refuses if someone else saved meanwhile."""
    contacts = fields.pop("contacts", None)
    tags = fields.pop("tags", None)
    fields.pop("stage", None)
    fields.pop("pipeline", None)
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise DealError("conflict")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version = locked.version + 1
    locked._history_user = by
    locked.save()
    if contacts is not None:
        locked.contacts.set(contacts)
    if tags is not None:
        locked.tags.set(tags_from(tags))
    refresh_search_text([locked.pk])
    return locked


def refresh_search_text(deal_ids) -> None:
    """Recompute ``Deal.search_text`` of the given deals (a few queries for any number)."""
    from voronka.deals.search import build_search_text

    ids = list(deal_ids)
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        names: dict[int, list[str]] = {i: [] for i in chunk}
        # in a fixed order, so the same contacts always give the same text
        links = (
            Deal.contacts.through.objects.filter(
                deal_id__in=chunk, contact__deleted_at__isnull=True
            )
            .order_by("contact__name", "contact_id")
            .values_list("deal_id", "contact__name")
        )
        for deal_id, name in links:
            names[deal_id].append(name)
        rows = Deal.all_objects.filter(pk__in=chunk).values_list(
            "pk", "title", "company__name", "company__deleted_at", "search_text"
        )
        for pk, title, company, company_deleted, old in rows:
            text = build_search_text(title, "" if company_deleted else company or "", names[pk])
            if text != old:
                Deal.all_objects.filter(pk=pk).update(search_text=text)


def tags_from(values) -> list:
    """Tags given as Tag rows or as names (created when new, matched case-insensitively)."""
    from voronka.deals.models import Tag

    out = []
    for v in values:
        if isinstance(v, Tag):
            out.append(v)
            continue
        name = " ".join(str(v).split())[:60]
        if not name:
            continue
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        out.append(tag)
    return out


@transaction.atomic
def deal_move(
    deal: Deal,
    stage: Stage,
    by,
    override_reason: str | None = None,
    *,
    lost_reason: LostReason | None = None,
    lost_note: str = "",
    contract_actual=None,
    expected_version: int | None = None,
    when=None,
) -> Deal:
    """Move a deal to ``stage``, enforcing exit criteria, won and lost rules."""
    locked = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise DealError("conflict")
    if stage.pipeline_id != locked.pipeline_id:
        raise DealError("stage_other_pipeline")
    if stage.pk == locked.stage_id:
        return locked
    override_reason = (override_reason or "").strip()
    missing = missing_for_move(locked, stage)
    if missing:
        if not override_reason:
            raise DealError("criteria_missing", missing=missing)
        if not getattr(by, "can_manage_process", False):
            raise DealError("override_not_allowed", missing=missing)
    elif override_reason and not getattr(by, "can_manage_process", False):
        override_reason = ""
    now = when or timezone.now()
    if contract_actual is not None:
        locked.contract_actual = contract_actual
    if stage.kind == StageKind.WON and not locked.contract_actual:
        raise DealError("won_needs_contract_date", fields={"contract_actual": True})
    if stage.kind == StageKind.LOST:
        if lost_reason is None:
            raise DealError("lost_needs_reason", fields={"lost_reason": True})
        if not lost_reason.is_active:
            raise DealError("lost_reason_inactive", fields={"lost_reason": True})
        locked.lost_reason = lost_reason
        locked.lost_note = lost_note or ""
    elif locked.lost_reason_id:
        locked.lost_reason = None
    if (
        locked.owner_id is None
        and not stage.is_lead_stage
        and by is not None
        and not getattr(by, "is_admin", True)
    ):
        # An unassigned lead taken out of the inbox goes to whoever takes it; otherwise it
        # would leave the zone of the rep or head who moved it (an admin sees it anyway).
        locked.owner = by
    from_stage = locked.stage
    locked.stage = stage
    locked.stage_entered_at = now
    locked.closed_at = now if stage.kind != StageKind.OPEN else None
    locked.version += 1
    locked._history_user = by
    locked._change_reason = override_reason or None
    locked.save()
    StageChange.objects.create(
        deal=locked,
        from_stage=from_stage,
        to_stage=stage,
        changed_at=now,
        changed_by=by,
        override_reason=override_reason if missing else "",
        missed_criteria=[m.code + ":" + str(m.criterion_id) for m in missing],
    )
    return locked


def deal_mark_lost(deal: Deal, reason: LostReason, by, note: str = "") -> Deal:
    stage = Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=StageKind.LOST).first()
    return deal_move(deal, stage, by, lost_reason=reason, lost_note=note)


@transaction.atomic
def deal_answer(deal: Deal, criterion, answer: str, by, note: str = "") -> DealAnswer:
    if answer not in Answer.values:
        raise DealError("not_found")
    obj, _created = DealAnswer.objects.update_or_create(
        deal=deal,
        criterion=criterion,
        defaults={"answer": answer, "note": note, "answered_by": by, "answered_at": timezone.now()},
    )
    Deal.objects.filter(pk=deal.pk).update(version=F("version") + 1)
    return obj


@transaction.atomic
def deal_delete(deal: Deal, by) -> None:
    deal.deleted_at = timezone.now()
    deal.deleted_by = by
    deal._history_user = by
    deal.save(update_fields=["deleted_at", "deleted_by", "updated_at"])


@transaction.atomic
def deal_restore(deal: Deal, by) -> None:
    deal.deleted_at = None
    deal.deleted_by = None
    deal._history_user = by
    deal.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
