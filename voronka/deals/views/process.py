"""Process settings: pipelines, stages, exit criteria and lost reasons.

Only users who may manage the process (admin, head of sales) reach these screens; anyone
else gets a 404, as for any record outside their zone. Writes go through
``voronka.deals.process_services``; an htmx request gets the changed fragment back, a
plain form post is redirected (or re-rendered with its errors).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voronka.deals import process_services as svc
from voronka.deals.process_forms import (
    ActiveForm,
    CriterionEditForm,
    CriterionForm,
    LostReasonEditForm,
    LostReasonForm,
    MoveForm,
    PipelineEditForm,
    PipelineForm,
    StageForm,
    add_process_error,
)
from voronka.deals.process_services import ProcessError


def process_manager_required(view):
    """404 for users who may not manage the process: the screens do not exist for them."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(request.user, "can_manage_process", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def _criterion_prefix(stage) -> str:
    return f"c{stage.pk}"


STAGE_PREFIX = "stage"


def _with_moves(items):
    """Items with whether each may move up or down (for the order buttons)."""
    items = list(items)
    return [{"obj": obj, "up": i > 0, "down": i + 1 < len(items)} for i, obj in enumerate(items)]


# ---------------------------------------------------------------- context builders


def _pipelines_context(create_form=None, notice=None):
    return {
        "pipelines": _with_moves(svc.pipelines_for_settings()),
        "create_form": create_form or PipelineForm(),
        "notice": notice,
    }


def _stages_context(pipeline, *, bound_criterion=None, notice=None):
    stages = svc.stages_with_criteria(pipeline)
    rows = []
    for i, stage in enumerate(stages):
        prev = stages[i - 1] if i > 0 else None
        nxt = stages[i + 1] if i + 1 < len(stages) else None
        closed = not stage.is_open
        form = None
        if stage.is_open:
            prefix = _criterion_prefix(stage)
            if bound_criterion is not None and bound_criterion.prefix == prefix:
                form = bound_criterion
            else:
                form = CriterionForm(prefix=prefix)
        rows.append(
            {
                "stage": stage,
                "up": prev is not None and (not prev.is_open) == closed,
                "down": nxt is not None and (not nxt.is_open) == closed,
                "criteria": _with_moves(stage.criteria.all()),
                "form": form,
            }
        )
    return {"pipeline": pipeline, "rows": rows, "notice": notice}


def _lostreasons_context(create_form=None, notice=None):
    return {
        "reasons": _with_moves(svc.lost_reasons_for_settings()),
        "create_form": create_form or LostReasonForm(),
        "notice": notice,
    }


def _notice(text, error=False):
    return {"text": text, "error": error}


# ---------------------------------------------------------------- answers after a change


def _after_pipeline_change(request, notice=None):
    if request.htmx:
        return render(
            request, "deals/process_pipeline_list.html", _pipelines_context(notice=notice)
        )
    if notice:
        (messages.error if notice["error"] else messages.success)(request, notice["text"])
    return redirect("deals:pipeline_settings")


def _after_stage_change(request, pipeline, notice=None, anchor=""):
    if request.htmx:
        return render(
            request, "deals/process_stages.html", _stages_context(pipeline, notice=notice)
        )
    if notice:
        (messages.error if notice["error"] else messages.success)(request, notice["text"])
    return redirect(reverse("deals:pipeline_edit", args=[pipeline.pk]) + anchor)


def _after_reason_change(request, notice=None):
    if request.htmx:
        return render(
            request, "deals/process_lostreason_list.html", _lostreasons_context(notice=notice)
        )
    if notice:
        (messages.error if notice["error"] else messages.success)(request, notice["text"])
    return redirect("deals:lostreason_list")


def _direction(request):
    form = MoveForm(request.POST)
    return form.cleaned_data["direction"] if form.is_valid() else None


def _active_flag(request) -> bool:
    form = ActiveForm(request.POST)
    return bool(form.is_valid() and form.cleaned_data["is_active"])


# ---------------------------------------------------------------- pipelines


@require_GET
@login_required
@process_manager_required
def pipeline_settings(request):
    return render(request, "deals/process_pipelines.html", _pipelines_context())


@require_POST
@login_required
@process_manager_required
def pipeline_create(request):
    form = PipelineForm(request.POST)
    if form.is_valid():
        try:
            pipeline = svc.pipeline_create(name=form.cleaned_data["name"], by=request.user)
        except ProcessError as err:
            add_process_error(form, err)
        else:
            messages.success(request, _("The pipeline is created with its first stages."))
            return redirect("deals:pipeline_edit", pipeline.pk)
    return render(request, "deals/process_pipelines.html", _pipelines_context(create_form=form))


@require_http_methods(["GET", "POST"])
@login_required
@process_manager_required
def pipeline_edit(request, pk):
    pipeline = _found(svc.pipeline_for_settings(pk))
    if request.method == "POST":
        form = PipelineEditForm(request.POST)
        if form.is_valid():
            try:
                svc.pipeline_update(pipeline, by=request.user, **form.cleaned_data)
            except ProcessError as err:
                add_process_error(form, err)
            else:
                messages.success(request, _("Saved."))
                return redirect("deals:pipeline_edit", pipeline.pk)
    else:
        form = PipelineEditForm(initial={"name": pipeline.name, "is_active": pipeline.is_active})
    ctx = _stages_context(pipeline)
    ctx.update(form=form, stage_form=StageForm(prefix=STAGE_PREFIX))
    return render(request, "deals/process_pipeline.html", ctx)


@require_POST
@login_required
@process_manager_required
def pipeline_reorder(request, pk):
    pipeline = _found(svc.pipeline_for_settings(pk))
    direction = _direction(request)
    if direction:
        svc.pipeline_move(pipeline, direction, by=request.user)
    return _after_pipeline_change(request)


@require_POST
@login_required
@process_manager_required
def pipeline_toggle(request, pk):
    pipeline = _found(svc.pipeline_for_settings(pk))
    try:
        svc.pipeline_set_active(pipeline, by=request.user, is_active=_active_flag(request))
    except ProcessError as err:
        return _after_pipeline_change(request, _notice(err.message, error=True))
    return _after_pipeline_change(request)


# ---------------------------------------------------------------- stages


def _stage_form_page(request, form, pipeline, stage=None):
    return render(
        request,
        "deals/process_stage_form.html",
        {"form": form, "pipeline": pipeline, "stage": stage},
    )


@require_http_methods(["GET", "POST"])
@login_required
@process_manager_required
def stage_create(request, pk):
    pipeline = _found(svc.pipeline_for_settings(pk))
    if request.method == "GET":
        return _stage_form_page(request, StageForm(prefix=STAGE_PREFIX), pipeline)
    form = StageForm(request.POST, prefix=STAGE_PREFIX)
    if form.is_valid():
        try:
            stage = svc.stage_create(pipeline, by=request.user, **form.cleaned_data)
        except ProcessError as err:
            add_process_error(form, err)
        else:
            messages.success(request, _("The stage is added."))
            return redirect(
                reverse("deals:pipeline_edit", args=[pipeline.pk]) + f"#stage-{stage.pk}"
            )
    return _stage_form_page(request, form, pipeline)


@require_http_methods(["GET", "POST"])
@login_required
@process_manager_required
def stage_edit(request, pk):
    stage = _found(svc.stage_for_settings(pk))
    if request.method == "GET":
        form = StageForm(
            prefix=STAGE_PREFIX,
            initial={
                "name": stage.name,
                "kind": stage.kind,
                "probability": stage.probability,
                "stale_after_days": stage.stale_after_days,
                "is_lead_stage": stage.is_lead_stage,
            },
        )
        return _stage_form_page(request, form, stage.pipeline, stage)
    form = StageForm(request.POST, prefix=STAGE_PREFIX)
    if form.is_valid():
        try:
            svc.stage_update(stage, by=request.user, **form.cleaned_data)
        except ProcessError as err:
            add_process_error(form, err)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                reverse("deals:pipeline_edit", args=[stage.pipeline_id]) + f"#stage-{stage.pk}"
            )
    return _stage_form_page(request, form, stage.pipeline, stage)


@require_POST
@login_required
@process_manager_required
def stage_delete(request, pk):
    stage = _found(svc.stage_for_settings(pk))
    pipeline = stage.pipeline
    try:
        svc.stage_delete(stage, by=request.user)
    except ProcessError as err:
        return _after_stage_change(request, pipeline, _notice(err.message, error=True))
    return _after_stage_change(request, pipeline, _notice(_("The stage is deleted.")))


@require_POST
@login_required
@process_manager_required
def stage_reorder(request, pk):
    stage = _found(svc.stage_for_settings(pk))
    direction = _direction(request)
    if direction:
        svc.stage_move(stage, direction, by=request.user)
    return _after_stage_change(request, stage.pipeline, anchor=f"#stage-{stage.pk}")


# ---------------------------------------------------------------- exit criteria


@require_POST
@login_required
@process_manager_required
def criterion_create(request, pk):
    stage = _found(svc.stage_for_settings(pk))
    pipeline = stage.pipeline
    form = CriterionForm(request.POST, prefix=_criterion_prefix(stage))
    if form.is_valid():
        try:
            svc.criterion_create(stage, by=request.user, **form.criterion_data())
        except ProcessError as err:
            if not stage.is_open:  # a closed stage has no form to show the error on
                return _after_stage_change(request, pipeline, _notice(err.message, error=True))
            add_process_error(form, err)
        else:
            return _after_stage_change(
                request, pipeline, _notice(_("The exit criterion is added.")), f"#stage-{stage.pk}"
            )
    ctx = _stages_context(pipeline, bound_criterion=form)
    if request.htmx:
        return render(request, "deals/process_stages.html", ctx)
    ctx.update(
        form=PipelineEditForm(initial={"name": pipeline.name, "is_active": pipeline.is_active}),
        stage_form=StageForm(prefix=STAGE_PREFIX),
    )
    return render(request, "deals/process_pipeline.html", ctx)


@require_http_methods(["GET", "POST"])
@login_required
@process_manager_required
def criterion_edit(request, pk):
    criterion = _found(svc.criterion_for_settings(pk))
    if request.method == "GET":
        form = CriterionEditForm(
            initial={
                "kind": criterion.kind,
                "label": criterion.label,
                "field": criterion.field,
                "milestone": criterion.milestone,
                "milestone_date": criterion.milestone_date or "planned",
                "is_active": criterion.is_active,
            }
        )
    else:
        form = CriterionEditForm(request.POST)
        if form.is_valid():
            try:
                svc.criterion_update(
                    criterion,
                    by=request.user,
                    is_active=form.cleaned_data["is_active"],
                    **form.criterion_data(),
                )
            except ProcessError as err:
                add_process_error(form, err)
            else:
                messages.success(request, _("Saved."))
                return redirect(
                    reverse("deals:pipeline_edit", args=[criterion.stage.pipeline_id])
                    + f"#stage-{criterion.stage_id}"
                )
    return render(
        request,
        "deals/process_criterion_form.html",
        {"form": form, "criterion": criterion, "stage": criterion.stage},
    )


@require_POST
@login_required
@process_manager_required
def criterion_toggle(request, pk):
    criterion = _found(svc.criterion_for_settings(pk))
    svc.criterion_set_active(criterion, by=request.user, is_active=_active_flag(request))
    return _after_stage_change(
        request, criterion.stage.pipeline, anchor=f"#stage-{criterion.stage_id}"
    )


@require_POST
@login_required
@process_manager_required
def criterion_delete(request, pk):
    criterion = _found(svc.criterion_for_settings(pk))
    pipeline = criterion.stage.pipeline
    try:
        svc.criterion_delete(criterion, by=request.user)
    except ProcessError as err:
        return _after_stage_change(request, pipeline, _notice(err.message, error=True))
    return _after_stage_change(request, pipeline, _notice(_("The exit criterion is deleted.")))


@require_POST
@login_required
@process_manager_required
def criterion_reorder(request, pk):
    criterion = _found(svc.criterion_for_settings(pk))
    direction = _direction(request)
    if direction:
        svc.criterion_move(criterion, direction, by=request.user)
    return _after_stage_change(
        request, criterion.stage.pipeline, anchor=f"#stage-{criterion.stage_id}"
    )


# ---------------------------------------------------------------- lost reasons


@require_GET
@login_required
@process_manager_required
def lostreason_list(request):
    return render(request, "deals/process_lostreasons.html", _lostreasons_context())


@require_POST
@login_required
@process_manager_required
def lostreason_create(request):
    form = LostReasonForm(request.POST)
    if form.is_valid():
        try:
            svc.lostreason_create(name=form.cleaned_data["name"], by=request.user)
        except ProcessError as err:
            add_process_error(form, err)
        else:
            return _after_reason_change(request, _notice(_("The lost reason is added.")))
    template = (
        "deals/process_lostreason_list.html" if request.htmx else "deals/process_lostreasons.html"
    )
    return render(request, template, _lostreasons_context(create_form=form))


@require_http_methods(["GET", "POST"])
@login_required
@process_manager_required
def lostreason_edit(request, pk):
    reason = _found(svc.lost_reason_for_settings(pk))
    if request.method == "GET":
        form = LostReasonEditForm(initial={"name": reason.name, "is_active": reason.is_active})
    else:
        form = LostReasonEditForm(request.POST)
        if form.is_valid():
            try:
                svc.lostreason_update(reason, by=request.user, **form.cleaned_data)
            except ProcessError as err:
                add_process_error(form, err)
            else:
                messages.success(request, _("Saved."))
                return redirect("deals:lostreason_list")
    return render(request, "deals/process_lostreason_form.html", {"form": form, "reason": reason})


@require_POST
@login_required
@process_manager_required
def lostreason_toggle(request, pk):
    reason = _found(svc.lost_reason_for_settings(pk))
    svc.lostreason_set_active(reason, by=request.user, is_active=_active_flag(request))
    return _after_reason_change(request)


@require_POST
@login_required
@process_manager_required
def lostreason_reorder(request, pk):
    reason = _found(svc.lost_reason_for_settings(pk))
    direction = _direction(request)
    if direction:
        svc.lostreason_move(reason, direction, by=request.user)
    return _after_reason_change(request)


@require_POST
@login_required
@process_manager_required
def lostreason_delete(request, pk):
    reason = _found(svc.lost_reason_for_settings(pk))
    try:
        svc.lostreason_delete(reason, by=request.user)
    except ProcessError as err:
        return _after_reason_change(request, _notice(err.message, error=True))
    return _after_reason_change(request, _notice(_("The lost reason is deleted.")))


urlpatterns = [
    path("pipelines/", pipeline_settings, name="pipeline_settings"),
    path("pipelines/new/", pipeline_create, name="pipeline_create"),
    path("pipelines/<int:pk>/", pipeline_edit, name="pipeline_edit"),
    path("pipelines/<int:pk>/move/", pipeline_reorder, name="pipeline_reorder"),
    path("pipelines/<int:pk>/active/", pipeline_toggle, name="pipeline_toggle"),
    path("pipelines/<int:pk>/stages/new/", stage_create, name="stage_create"),
    path("pipelines/stages/<int:pk>/", stage_edit, name="stage_edit"),
    path("pipelines/stages/<int:pk>/delete/", stage_delete, name="stage_delete"),
    path("pipelines/stages/<int:pk>/move/", stage_reorder, name="stage_reorder"),
    path("pipelines/stages/<int:pk>/criteria/new/", criterion_create, name="criterion_create"),
    path("pipelines/criteria/<int:pk>/", criterion_edit, name="criterion_edit"),
    path("pipelines/criteria/<int:pk>/active/", criterion_toggle, name="criterion_toggle"),
    path("pipelines/criteria/<int:pk>/delete/", criterion_delete, name="criterion_delete"),
    path("pipelines/criteria/<int:pk>/move/", criterion_reorder, name="criterion_reorder"),
    path("pipelines/lost-reasons/", lostreason_list, name="lostreason_list"),
    path("pipelines/lost-reasons/new/", lostreason_create, name="lostreason_create"),
    path("pipelines/lost-reasons/<int:pk>/", lostreason_edit, name="lostreason_edit"),
    path("pipelines/lost-reasons/<int:pk>/active/", lostreason_toggle, name="lostreason_toggle"),
    path("pipelines/lost-reasons/<int:pk>/move/", lostreason_reorder, name="lostreason_reorder"),
    path("pipelines/lost-reasons/<int:pk>/delete/", lostreason_delete, name="lostreason_delete"),
]
