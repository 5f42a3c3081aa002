"""Process settings: pipelines, stages, exit criteria and lost reasons.

Reads for the settings screens and the writes behind them. Each write is one atomic
change that validates, writes and records history (``_history_user``); a refusal raises
``ProcessError`` with a translated message and, where it belongs to a form field, that
field's name. Only users who may manage the process reach these functions (the views gate
them); the rules here hold whoever calls.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from voronka.deals.choices import CriterionKind, StageKind
from voronka.deals.models import (
    Deal,
    DealAnswer,
    LostReason,
    Pipeline,
    Stage,
    StageChange,
    StageCriterion,
)

STEP = 10
UP, DOWN = "up", "down"

MESSAGES = {
    "last_active_pipeline": gettext_lazy("At least one pipeline must stay active."),
    "second_won": gettext_lazy("This pipeline already has a won stage; it may have only one."),
    "second_lost": gettext_lazy("This pipeline already has a lost stage; it may have only one."),
    "needs_won": gettext_lazy("A pipeline needs exactly one won stage."),
    "needs_lost": gettext_lazy("A pipeline needs exactly one lost stage."),
    "needs_open": gettext_lazy("A pipeline needs at least one open stage."),
    "kind_has_deals": gettext_lazy("The kind of a stage that holds deals cannot be changed."),
    "kind_has_criteria": gettext_lazy(
        "Only open stages have exit criteria: delete this stage's criteria first."
    ),
    "lead_stage_open": gettext_lazy("Only an open stage can be the lead inbox."),
    "criteria_open_only": gettext_lazy("Only open stages have exit criteria."),
    "question_required": gettext_lazy("Write the question."),
    "field_required": gettext_lazy("Choose the field that must be filled."),
    "milestone_required": gettext_lazy("Choose the milestone."),
    "milestone_date_required": gettext_lazy("Choose which date of the milestone is needed."),
    "criterion_exists": gettext_lazy("This stage already has this exit criterion."),
    "criterion_kind_answered": gettext_lazy(
        "Deals have answered this question, so its kind cannot be changed."
    ),
    "lostreason_exists": gettext_lazy("A lost reason with this name already exists."),
    "lostreason_in_history": gettext_lazy(
        "The history of deals refers to this reason: deactivate it instead of deleting it."
    ),
    "name_required": gettext_lazy("Give a name."),
    "bad_kind": gettext_lazy("Choose a valid kind."),
    "bad_direction": gettext_lazy("Choose up or down."),
}


class ProcessError(Exception):
    """A refused change of the process settings; ``field`` names the form field at fault."""

    def __init__(
        self, code: str, field: str | None = None, count: int | None = None, text: str = ""
    ):
        self.code = code
        self.field = field
        self.count = count
        self.text = text
        super().__init__(code)

    @property
    def message(self) -> str:
        if self.text:
            return self.text
        n = self.count or 0
        if self.code == "stage_has_deals":
            return ngettext(
                "This stage still holds %(count)d deal (including deleted ones). "
                "Move it to another stage before deleting the stage.",
                "This stage still holds %(count)d deals (including deleted ones). "
                "Move them to another stage before deleting the stage.",
                n,
            ) % {"count": n}
        if self.code == "stage_has_history":
            return ngettext(
                "%(count)d deal has passed through this stage and its history refers to it, "
                "so the stage cannot be deleted.",
                "%(count)d deals have passed through this stage and their history refers to "
                "it, so the stage cannot be deleted.",
                n,
            ) % {"count": n}
        if self.code == "lostreason_in_use":
            return ngettext(
                "%(count)d deal gives this reason: deactivate it instead of deleting it.",
                "%(count)d deals give this reason: deactivate it instead of deleting it.",
                n,
            ) % {"count": n}
        if self.code == "criterion_answered":
            return ngettext(
                "%(count)d deal has answered this question: deactivate it instead of deleting it.",
                "%(count)d deals have answered this question: deactivate it instead of "
                "deleting it.",
                n,
            ) % {"count": n}
        return str(MESSAGES.get(self.code, self.code))


# ---------------------------------------------------------------- reads


def pipelines_for_settings():
    return list(Pipeline.objects.annotate(stage_count=Count("stages")).order_by("order", "pk"))


def pipeline_for_settings(pk: int) -> Pipeline | None:
    return Pipeline.objects.filter(pk=pk).first()


def stages_with_criteria(pipeline: Pipeline) -> list[Stage]:
    return list(
        Stage.objects.filter(pipeline=pipeline)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("criteria", queryset=StageCriterion.objects.order_by("order", "pk"))
        )
    )


def stage_for_settings(pk: int) -> Stage | None:
    return Stage.objects.select_related("pipeline").filter(pk=pk).first()


def criterion_for_settings(pk: int) -> StageCriterion | None:
    return StageCriterion.objects.select_related("stage__pipeline").filter(pk=pk).first()


def lost_reasons_for_settings():
    return list(LostReason.objects.order_by("order", "name"))


def lost_reason_for_settings(pk: int) -> LostReason | None:
    return LostReason.objects.filter(pk=pk).first()


# ---------------------------------------------------------------- helpers


def _full_clean(obj, exclude) -> None:
    """Model validation (ranges, lengths, choices) as a ProcessError on the first field."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        raise ProcessError(
            "invalid", field=None if field == "__all__" else field, text=" ".join(errors)
        )


def _save_order(rows, by=None) -> None:
    """Renumber ``rows`` (in their list order) by STEP, saving only the changed ones."""
    for i, row in enumerate(rows):
        if row.order != i * STEP:
            row.order = i * STEP
            if by is not None:
                row._history_user = by
            row.save(update_fields=["order", "updated_at"])


def _swap(rows, obj, direction: str, group=None) -> list:
    """``rows`` with ``obj`` swapped with its neighbour, if that neighbour is in its group."""
    if direction not in (UP, DOWN):
        raise ProcessError("bad_direction")
    rows = list(rows)
    i = next(n for n, r in enumerate(rows) if r.pk == obj.pk)
    j = i - 1 if direction == UP else i + 1
    if 0 <= j < len(rows) and (group is None or group(rows[i]) == group(rows[j])):
        rows[i], rows[j] = rows[j], rows[i]
    return rows


def _is_closed(stage: Stage) -> bool:
    return stage.kind != StageKind.OPEN


# ---------------------------------------------------------------- pipelines


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ProcessError("name_required", field="name")
    return name


@transaction.atomic
def pipeline_create(*, name: str, by) -> Pipeline:
    """A new pipeline, usable at once: one open stage, a won stage and a lost stage."""
    name = _clean_name(name)
    last = Pipeline.objects.aggregate(m=Max("order"))["m"]
    pipeline = Pipeline(name=name, order=0 if last is None else last + STEP)
    pipeline._history_user = by
    pipeline.save()
    for order, (stage_name, kind, probability) in enumerate(
        [
            (_("First stage"), StageKind.OPEN, 10),
            (_("Won"), StageKind.WON, 100),
            (_("Lost"), StageKind.LOST, 0),
        ]
    ):
        stage = Stage(
            pipeline=pipeline,
            name=stage_name,
            kind=kind,
            probability=probability,
            order=order * STEP,
        )
        stage._history_user = by
        stage.save()
    return pipeline


@transaction.atomic
def pipeline_update(pipeline: Pipeline, *, by, name: str, is_active: bool) -> Pipeline:
    name = _clean_name(name)
    locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    if locked.is_active and not is_active:
        if not Pipeline.objects.filter(is_active=True).exclude(pk=locked.pk).exists():
            raise ProcessError("last_active_pipeline", field="is_active")
    locked.name = name
    locked.is_active = is_active
    locked._history_user = by
    locked.save()
    return locked


def pipeline_set_active(pipeline: Pipeline, *, by, is_active: bool) -> Pipeline:
    return pipeline_update(pipeline, by=by, name=pipeline.name, is_active=is_active)


@transaction.atomic
def pipeline_move(pipeline: Pipeline, direction: str, *, by) -> None:
    rows = list(Pipeline.objects.select_for_update().order_by("order", "pk"))
    _save_order(_swap(rows, pipeline, direction), by)


# ---------------------------------------------------------------- stages


def _check_kinds(pipeline: Pipeline, stage: Stage | None, new_kind: str) -> None:
    """Exactly one won and one lost stage, at least one open stage, after the change."""
    old_kind = stage.kind if stage is not None else None
    if old_kind == new_kind:
        return
    others = Stage.objects.filter(pipeline=pipeline)
    if stage is not None:
        others = others.exclude(pk=stage.pk)
    counts = dict(others.order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    if new_kind == StageKind.WON and counts.get(StageKind.WON, 0) >= 1:
        raise ProcessError("second_won", field="kind")
    if new_kind == StageKind.LOST and counts.get(StageKind.LOST, 0) >= 1:
        raise ProcessError("second_lost", field="kind")
    if old_kind is not None and counts.get(old_kind, 0) == 0:
        code = {StageKind.WON: "needs_won", StageKind.LOST: "needs_lost"}.get(
            old_kind, "needs_open"
        )
        raise ProcessError(code, field="kind")


def _clean_stage_fields(kind: str, is_lead_stage: bool) -> None:
    if kind not in StageKind.values:
        raise ProcessError("bad_kind", field="kind")
    if is_lead_stage and kind != StageKind.OPEN:
        raise ProcessError("lead_stage_open", field="is_lead_stage")


@transaction.atomic
def stage_create(
    pipeline: Pipeline,
    *,
    by,
    name: str,
    kind: str = StageKind.OPEN,
    probability: int = 10,
    stale_after_days: int | None = None,
    is_lead_stage: bool = False,
) -> Stage:
    """Add a stage: an open stage goes after the last open one, before won and lost."""
    name = _clean_name(name)
    pipeline = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    _clean_stage_fields(kind, is_lead_stage)
    _check_kinds(pipeline, None, kind)
    stage = Stage(
        pipeline=pipeline,
        name=name,
        kind=kind,
        probability=probability,
        stale_after_days=stale_after_days,
        is_lead_stage=is_lead_stage,
        order=0,
    )
    stage._history_user = by
    _full_clean(stage, exclude=["pipeline", "external_id"])
    rows = list(Stage.objects.filter(pipeline=pipeline).order_by("order", "pk"))
    open_rows = [s for s in rows if not _is_closed(s)]
    closed_rows = [s for s in rows if _is_closed(s)]
    if kind == StageKind.OPEN:
        ordered = open_rows + [stage] + closed_rows
    else:
        ordered = rows + [stage]
    stage.order = ordered.index(stage) * STEP
    stage.save()
    _save_order(ordered, by)
    return stage


@transaction.atomic
def stage_update(stage: Stage, *, by, **fields) -> Stage:
    """Edit a stage's name, kind, default probability, staleness and lead-inbox flag."""
    pipeline = Pipeline.objects.select_for_update().get(pk=stage.pipeline_id)
    locked = Stage.objects.get(pk=stage.pk)
    old_kind = locked.kind
    kind = fields.get("kind", locked.kind)
    is_lead_stage = fields.get("is_lead_stage", locked.is_lead_stage)
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
    _clean_stage_fields(kind, is_lead_stage)
    if kind != locked.kind:
        _check_kinds(pipeline, locked, kind)
        if Deal.all_objects.filter(stage=locked).exists():
            raise ProcessError("kind_has_deals", field="kind")
        if kind != StageKind.OPEN and locked.criteria.exists():
            raise ProcessError("kind_has_criteria", field="kind")
    for name in ("name", "kind", "probability", "stale_after_days", "is_lead_stage"):
        if name in fields:
            setattr(locked, name, fields[name])
    _full_clean(locked, exclude=["pipeline", "external_id"])
    locked._history_user = by
    locked.save()
    if kind != old_kind:
        rows = list(Stage.objects.filter(pipeline=pipeline).order_by("order", "pk"))
        open_rows = [s for s in rows if not _is_closed(s)]
        _save_order(open_rows + [s for s in rows if _is_closed(s)], by)
    return locked


@transaction.atomic
def stage_delete(stage: Stage, *, by) -> None:
    """Delete an empty stage; one that holds deals, or did, stays."""
    pipeline = Pipeline.objects.select_for_update().get(pk=stage.pipeline_id)
    locked = Stage.objects.get(pk=stage.pk)
    held = Deal.all_objects.filter(stage=locked).count()
    if held:
        raise ProcessError("stage_has_deals", count=held)
    passed = (
        StageChange.objects.filter(Q(to_stage=locked) | Q(from_stage=locked))
        .order_by()
        .values("deal")
        .distinct()
        .count()
    )
    if passed:
        raise ProcessError("stage_has_history", count=passed)
    if not Stage.objects.filter(pipeline=pipeline, kind=locked.kind).exclude(pk=locked.pk).exists():
        raise ProcessError(
            {StageKind.WON: "needs_won", StageKind.LOST: "needs_lost"}.get(
                locked.kind, "needs_open"
            )
        )
    for criterion in locked.criteria.all():
        criterion._history_user = by
        criterion.delete()
    locked._history_user = by
    locked.delete()


@transaction.atomic
def stage_move(stage: Stage, direction: str, *, by) -> None:
    """Swap with the neighbour; open stages stay before the won and lost ones."""
    Pipeline.objects.select_for_update().get(pk=stage.pipeline_id)
    rows = list(Stage.objects.filter(pipeline_id=stage.pipeline_id).order_by("order", "pk"))
    _save_order(_swap(rows, stage, direction, group=_is_closed), by)


# ---------------------------------------------------------------- exit criteria


def _clean_criterion(stage: Stage, data: dict, exclude_pk: int | None = None) -> dict:
    """Keep only the fields the kind uses; refuse what is missing or already there."""
    if not stage.is_open:
        raise ProcessError("criteria_open_only")
    kind = data.get("kind")
    if kind not in CriterionKind.values:
        raise ProcessError("bad_kind", field="kind")
    clean = {"kind": kind, "label": "", "field": "", "milestone": "", "milestone_date": ""}
    if kind == CriterionKind.QUESTION:
        clean["label"] = (data.get("label") or "").strip()
        if not clean["label"]:
            raise ProcessError("question_required", field="label")
    elif kind == CriterionKind.FIELD:
        clean["field"] = data.get("field") or ""
        if not clean["field"]:
            raise ProcessError("field_required", field="field")
    elif kind == CriterionKind.MILESTONE:
        clean["milestone"] = data.get("milestone") or ""
        clean["milestone_date"] = data.get("milestone_date") or ""
        if not clean["milestone"]:
            raise ProcessError("milestone_required", field="milestone")
        if not clean["milestone_date"]:
            raise ProcessError("milestone_date_required", field="milestone_date")
    same = StageCriterion.objects.filter(stage=stage, **clean)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise ProcessError("criterion_exists", field="kind")
    return clean


@transaction.atomic
def criterion_create(stage: Stage, *, by, is_active: bool = True, **data) -> StageCriterion:
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    clean = _clean_criterion(stage, data)
    last = StageCriterion.objects.filter(stage=stage).aggregate(m=Max("order"))["m"]
    criterion = StageCriterion(
        stage=stage, order=0 if last is None else last + STEP, is_active=is_active, **clean
    )
    _full_clean(criterion, exclude=["stage", "external_id"])
    criterion._history_user = by
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(criterion: StageCriterion, *, by, is_active: bool, **data) -> StageCriterion:
    stage = Stage.objects.select_for_update().get(pk=criterion.stage_id)
    locked = StageCriterion.objects.get(pk=criterion.pk)
    clean = _clean_criterion(stage, data, exclude_pk=locked.pk)
    if clean["kind"] != locked.kind and DealAnswer.objects.filter(criterion=locked).exists():
        raise ProcessError("criterion_kind_answered", field="kind")
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.is_active = is_active
    _full_clean(locked, exclude=["stage", "external_id"])
    locked._history_user = by
    locked.save()
    return locked


@transaction.atomic
def criterion_set_active(criterion: StageCriterion, *, by, is_active: bool) -> StageCriterion:
    locked = StageCriterion.objects.select_for_update().get(pk=criterion.pk)
    locked.is_active = is_active
    locked._history_user = by
    locked.save(update_fields=["is_active", "updated_at"])
    return locked


@transaction.atomic
def criterion_delete(criterion: StageCriterion, *, by) -> None:
    """Delete a criterion; a question that deals have answered is only deactivated."""
    locked = StageCriterion.objects.select_for_update().get(pk=criterion.pk)
    answered = DealAnswer.objects.filter(criterion=locked).count()
    if answered:
        raise ProcessError("criterion_answered", count=answered)
    locked._history_user = by
    locked.delete()


@transaction.atomic
def criterion_move(criterion: StageCriterion, direction: str, *, by) -> None:
    Stage.objects.select_for_update().get(pk=criterion.stage_id)
    rows = list(StageCriterion.objects.filter(stage_id=criterion.stage_id).order_by("order", "pk"))
    _save_order(_swap(rows, criterion, direction), by)


# ---------------------------------------------------------------- lost reasons


def _check_reason_name(name: str, exclude_pk: int | None = None) -> str:
    name = _clean_name(name)
    others = LostReason.objects.exclude(pk=exclude_pk) if exclude_pk else LostReason.objects.all()
    # Compared in Python: SQLite folds the case of ASCII letters only, not of Cyrillic.
    folded = name.casefold()
    if any(n.casefold() == folded for n in others.values_list("name", flat=True)):
        raise ProcessError("lostreason_exists", field="name")
    return name


@transaction.atomic
def lostreason_create(*, name: str, by) -> LostReason:
    name = _check_reason_name(name)
    last = LostReason.objects.aggregate(m=Max("order"))["m"]
    return LostReason.objects.create(name=name, order=0 if last is None else last + STEP)


@transaction.atomic
def lostreason_update(reason: LostReason, *, by, name: str, is_active: bool) -> LostReason:
    locked = LostReason.objects.select_for_update().get(pk=reason.pk)
    locked.name = _check_reason_name(name, exclude_pk=locked.pk)
    locked.is_active = is_active
    locked.save()
    return locked


@transaction.atomic
def lostreason_set_active(reason: LostReason, *, by, is_active: bool) -> LostReason:
    locked = LostReason.objects.select_for_update().get(pk=reason.pk)
    locked.is_active = is_active
    locked.save(update_fields=["is_active", "updated_at"])
    return locked


@transaction.atomic
def lostreason_delete(reason: LostReason, *, by) -> None:
    """Delete a reason no deal gives, now or in its history; else only deactivate it."""
    locked = LostReason.objects.select_for_update().get(pk=reason.pk)
    used = Deal.all_objects.filter(lost_reason=locked).count()
    if used:
        raise ProcessError("lostreason_in_use", count=used)
    if Deal.history.filter(lost_reason_id=locked.pk).exists():
        raise ProcessError("lostreason_in_history")
    locked.delete()


@transaction.atomic
def lostreason_move(reason: LostReason, direction: str, *, by) -> None:
    rows = list(LostReason.objects.select_for_update().order_by("order", "name"))
    _save_order(_swap(rows, reason, direction))
