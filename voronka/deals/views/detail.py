"""The deal page: fields, control questions, next step, notes, files, moves and timeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from voronka.activities.services import (
    activity_complete,
    activity_create,
    attachment_create,
    note_create,
)
from voronka.deals import selectors
from voronka.deals.errors import DealError
from voronka.deals.forms import (
    ActivityDoneForm,
    ActivityForm,
    AnswerForm,
    AttachmentForm,
    DealForm,
    NoteForm,
)
from voronka.deals.services import (
    deal_answer,
    deal_delete,
    deal_update,
    describe_missing,
    missing_for_stage,
)


def _missing(deal) -> list[str]:
    return [describe_missing(m) for m in missing_for_stage(deal)]


def _detail_context(request, deal, **forms) -> dict:
    user = request.user
    stages = selectors.pipeline_stages(deal.pipeline_id)
    activities = selectors.deal_activities(user, deal)
    notes = selectors.deal_notes(user, deal)
    attachments = selectors.deal_attachments(user, deal)
    return {
        "deal": deal,
        "amount_display": selectors.format_money(deal.amount, deal.currency),
        "stages": stages,
        "move_targets": [s for s in stages if s.pk != deal.stage_id],
        "next_stage": next((s for s in stages if s.order > deal.stage.order), None),
        "lost_reasons": selectors.active_lost_reasons(),
        "questions": selectors.stage_questions(deal),
        "missing": _missing(deal),
        "open_activities": [a for a in activities if not a.done],
        "attachments": attachments,
        "timeline": selectors.deal_timeline(user, deal, activities, notes, attachments),
        "can_override": user.can_manage_process,
        "form": forms.get("form") or DealForm(deal=deal, user=user),
        "activity_form": forms.get("activity_form") or ActivityForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "edit_error": forms.get("edit_error", ""),
        "note_error": forms.get("note_error", ""),
    }


def _render_detail(request, deal, status=200, **forms):
    return render(
        request, "deals/deal_detail.html", _detail_context(request, deal, **forms), status=status
    )


def _back(deal, anchor=""):
    return redirect(reverse("deals:detail", args=[deal.pk]) + (f"#{anchor}" if anchor else ""))


@require_GET
@login_required
def detail(request, pk):
    deal = selectors.get_visible_deal(request.user, pk)
    return _render_detail(request, deal)


@require_POST
@login_required
def edit(request, pk):
    deal = selectors.get_visible_deal(request.user, pk)
    try:
        data = request.POST
    except RequestDataTooBig:
        return _render_detail(
            request,
            deal,
            status=413,
            edit_error=_("The form is too large to save. Shorten the long texts."),
        )
    form = DealForm(data, deal=deal, user=request.user)
    if not form.is_valid():
        return _render_detail(request, deal, status=400, form=form)
    try:
        deal_update(
            deal, by=request.user, expected_version=form.cleaned_data["version"], **form.changes()
        )
    except DealError as err:
        form.add_error(None, err.message)
        return _render_detail(request, deal, status=409, form=form)
    messages.success(request, _("The deal is saved."))
    return _back(deal)


@require_POST
@login_required
def answer(request, pk):
    deal = selectors.get_visible_deal(request.user, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return HttpResponse(_("Choose an answer."), status=400)
        messages.error(request, _("Choose an answer."))
        return _back(deal, "questions")
    cd = form.cleaned_data
    criterion = selectors.question_of_deal(deal, cd["criterion"])
    deal_answer(deal, criterion, cd["answer"], request.user, note=cd["note"])
    if not request.htmx:
        messages.success(request, _("The answer is saved."))
        return _back(deal, "questions")
    deal = selectors.get_visible_deal(request.user, pk)
    return render(
        request,
        "deals/deal_questions_answered.html",
        {"deal": deal, "questions": selectors.stage_questions(deal), "missing": _missing(deal)},
    )


@require_POST
@login_required
def add_activity(request, pk):
    deal = selectors.get_visible_deal(request.user, pk)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, deal, status=400, activity_form=form)
    activity_create(
        by=request.user,
        deal=deal,
        owner=request.user,
        kind=form.cleaned_data["kind"],
        subject=form.cleaned_data["subject"],
        due_at=form.due_at(),
    )
    messages.success(request, _("The next step is scheduled."))
    return _back(deal, "next-step")


@require_POST
@login_required
def activity_done(request, pk, activity_pk):
    deal = selectors.get_visible_deal(request.user, pk)
    activity = selectors.deal_activity(request.user, deal, activity_pk)
    form = ActivityDoneForm(request.POST)
    result = form.cleaned_data["result"] if form.is_valid() else ""
    if not activity.done:
        activity_complete(activity, by=request.user, result=result)
    messages.success(request, _("The activity is marked done."))
    return _back(deal, "next-step")


@require_POST
@login_required
def add_note(request, pk):
    deal = selectors.get_visible_deal(request.user, pk)
    try:
        form = NoteForm(request.POST)
    except RequestDataTooBig:
        return _render_detail(request, deal, status=413, note_error=_("The note is too long."))
    if not form.is_valid():
        return _render_detail(request, deal, status=400, note_form=form)
    note_create(by=request.user, body=form.cleaned_data["body"], deal=deal)
    messages.success(request, _("The note is added."))
    return _back(deal, "timeline")


@require_POST
@login_required
def add_attachment(request, pk):
    deal = selectors.get_visible_deal(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, deal, status=400, attachment_form=form)
    attachment_create(by=request.user, upload=form.cleaned_data["file"], deal=deal)
    messages.success(request, _("The file is uploaded."))
    return _back(deal, "files")


@require_POST
@login_required
def delete(request, pk):
    deal = selectors.get_visible_deal(request.user, pk)
    deal_delete(deal, by=request.user)
    messages.success(request, _("“%(deal)s” is moved to the recycle bin.") % {"deal": deal.title})
    return redirect("deals:board", deal.pipeline_id)


RECORD_OPTIONS_LIMIT = 20


@require_GET
@login_required
def record_options(request):
    """``<option>``s of visible companies or contacts matching ``q`` (search-as-you-type
    for the deal form); the options already selected come first and stay selected."""
    from voronka.contacts.models import Company, Contact
    from voronka.contacts.selectors import Casefold

    kind = request.GET.get("kind")
    model, param = (Company, "company") if kind == "company" else (Contact, "contacts")
    qs = model.objects.visible_to(request.user)
    selected_ids = [v for v in request.GET.getlist(param) if v.isdigit()][:50]
    selected = list(qs.filter(pk__in=selected_ids)) if selected_ids else []
    q = (request.GET.get("q") or "").strip()[:100]
    found = []
    if q:
        found = list(
            qs.annotate(folded=Casefold("name"))
            .filter(folded__contains=q.casefold())
            .exclude(pk__in=[r.pk for r in selected])
            .order_by("name", "pk")[:RECORD_OPTIONS_LIMIT]
        )
    return render(
        request,
        "deals/deal_record_options.html",
        {"selected": selected, "found": found, "single": param == "company"},
    )


urlpatterns = [
    path("options/", record_options, name="record_options"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/answer/", answer, name="answer"),
    path("<int:pk>/activities/add/", add_activity, name="add_activity"),
    path("<int:pk>/activities/<int:activity_pk>/done/", activity_done, name="activity_done"),
    path("<int:pk>/notes/add/", add_note, name="add_note"),
    path("<int:pk>/files/add/", add_attachment, name="add_attachment"),
    path("<int:pk>/delete/", delete, name="delete"),
]
