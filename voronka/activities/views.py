"""My day: today's and overdue activities; marking done, rescheduling, new tasks; files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voronka.activities.forms import (
    ActivityForm,
    CompleteForm,
    DayMemberForm,
    RescheduleForm,
    TaskForm,
)
from voronka.activities.models import Activity, Attachment
from voronka.activities.selectors import day_activities
from voronka.activities.services import activity_complete, activity_create, activity_update


def _member_form(request, data):
    return DayMemberForm(data, viewer=request.user)


def _day_context(request, data, **extra):
    member_form = _member_form(request, data)
    member = member_form.member()
    return {
        "member_form": member_form,
        "member": member,
        "groups": day_activities(request.user, member),
        "task_form": extra.pop("task_form", None) or TaskForm(initial={"kind": "task"}),
        "now_path": _day_path(member, request.user),
        **extra,
    }


def _day_path(member, viewer) -> str:
    """The address of the day being shown (only known parameters, nothing reflected)."""
    url = reverse("activities:my_day")
    return url if member == viewer else f"{url}?user={member.pk}"


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return fallback


def _after_change(request, *, error: str = "", task_form=None):
    """htmx: the refreshed day list; otherwise back to where the user came from."""
    day_data = {"user": request.POST.get("day_user", "")}
    if request.htmx:
        context = _day_context(request, day_data, error=error, task_form=task_form)
        return render(request, "activities/_day.html", context)
    if error or task_form is not None:
        context = _day_context(request, day_data, error=error, task_form=task_form)
        return render(request, "activities/my_day.html", context, status=400)
    return redirect(_safe_next(request, reverse("activities:my_day")))


def _visible_activity(request, pk):
    return get_object_or_404(
        Activity.objects.visible_to(request.user).select_related("deal"), pk=pk
    )


@require_GET
@login_required
def my_day(request):
    context = _day_context(request, request.GET or None)
    if request.htmx and request.htmx.target == "day":
        return render(request, "activities/_day.html", context)
    return render(request, "activities/my_day.html", context)


@require_POST
@login_required
def complete(request, pk):
    activity = _visible_activity(request, pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        return _after_change(request, error=_("The result is too long."))
    activity_complete(activity, by=request.user, result=form.cleaned_data["result"].strip())
    if not request.htmx:
        messages.success(request, _("Done: %(subject)s") % {"subject": activity.subject})
    return _after_change(request)


@require_POST
@login_required
def reschedule(request, pk):
    activity = _visible_activity(request, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _after_change(request, error=_("Enter a valid date and time."))
    activity_update(activity, by=request.user, due_at=form.cleaned_data["due_at"])
    return _after_change(request)


@require_POST
@login_required
def create(request):
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _after_change(request, task_form=form)
    activity_create(by=request.user, owner=request.user, **form.cleaned_data)
    return _after_change(request)


@require_http_methods(["GET", "POST"])
@login_required
def edit(request, pk):
    activity = _visible_activity(request, pk)
    subject = activity.subject
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        activity_update(activity, by=request.user, **fields)
        messages.success(request, _("Saved."))
        return redirect(_safe_next(request, reverse("activities:my_day")))
    return render(
        request,
        "activities/edit.html",
        {
            "form": form,
            "activity": activity,
            "subject": subject,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@login_required
def attachment_download(request, pk):
    """Files are served only here, after the zone check; always as a download."""
    att = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=att.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
