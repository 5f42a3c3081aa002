"""Duplicate screens: the warning while typing, the review queue, merge and undo."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voronka.dedupe import intake, keystore, selectors, services
from voronka.dedupe.forms import IntakePolicyForm, MergeForm
from voronka.dedupe.models import CONTACT

KINDS = ("contact", "company")


def _kind(value) -> str:
    value = value or CONTACT
    if value not in KINDS:
        raise Http404
    return value


def _check(request, kind):
    shown, hidden = selectors.check_typed(request.user, kind, request.GET)
    return render(request, "dedupe/_warning.html", {"shown": shown, "hidden": hidden, "kind": kind})


@require_GET
@login_required
def check_contact(request):
    return _check(request, "contact")


@require_GET
@login_required
def check_company(request):
    return _check(request, "company")


@require_GET
@login_required
def queue(request):
    kind = _kind(request.GET.get("kind"))
    groups = selectors.queue_groups(request.user, kind)
    page = Paginator(groups, settings.VORONKA_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dedupe/queue.html",
        {
            "kind": kind,
            "page": page,
            "n_pairs": sum(len(g["pairs"]) for g in groups),
            "groups": selectors.queue_page_rows(request.user, kind, page.object_list),
            "can_scan": not request.user.is_rep,
        },
    )


@require_POST
@login_required
def dismiss(request):
    pair = selectors.pair_get(request.user, request.POST.get("pair", ""))
    services.pair_dismiss(pair, by=request.user)
    messages.success(request, _("Dismissed: this pair will not be proposed again."))
    return redirect(f"{reverse('dedupe:queue')}?kind={pair.kind}")


@require_POST
@login_required
def scan(request):
    if request.user.is_rep:
        raise Http404
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        kind = ""
    from voronka.dedupe.tasks import dedupe_scan

    dedupe_scan.enqueue(kind)
    messages.success(
        request, _("The scan has started; the queue fills when it is done (reload the page).")
    )
    return redirect(f"{reverse('dedupe:queue')}?kind={kind or CONTACT}")


def _ids(request) -> list[int] | None:
    raw = request.GET.getlist("ids") or request.POST.getlist("ids")
    if len(raw) == 1 and "," in raw[0]:
        raw = raw[0].split(",")
    try:
        ids = [int(x) for x in raw if x.strip()]
    except ValueError:
        return None
    return ids if all(0 < i < 2**53 for i in ids) else None


@require_http_methods(["GET", "POST"])
@login_required
def merge(request):
    kind = _kind(request.GET.get("kind") or request.POST.get("kind"))
    ids = _ids(request)
    if ids == []:
        return redirect(f"{reverse('dedupe:queue')}?kind={kind}")
    if ids is None or len(set(ids)) < 2 or len(ids) > selectors.MERGE_MAX:
        error = _("Pick two to ten different records to merge.")
        if ids and len(set(ids)) == 1:
            error = _("A record cannot be merged with itself.")
        return render(request, "dedupe/merge.html", {"error": error, "kind": kind}, status=400)
    records = selectors.records_for_merge(request.user, kind, ids)
    form = MergeForm(request.POST or None, kind=kind, records=records)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.records_merge(
                kind, form.survivor(), form.others(), form.values(), by=request.user
            )
        except services.MergeError:
            raise Http404 from None
        messages.success(
            request,
            ngettext(
                "Merged %(n)s record into this one. You can undo it below.",
                "Merged %(n)s records into this one. You can undo it below.",
                len(m.merged_ids),
            )
            % {"n": len(m.merged_ids)},
        )
        return redirect(form.survivor().get_absolute_url())
    return render(
        request,
        "dedupe/merge.html",
        {"form": form, "kind": kind, "records": records, "ids": [r.pk for r in records]},
        status=400 if request.method == "POST" else 200,
    )


def _plan_lines(merge, plan) -> tuple[list[str], list[str]]:
    """What undo restores and what it cannot, as sentences."""
    model = keystore.model_of(merge.kind)
    can, cannot = [], []
    gone = set(plan["records_gone"])
    back = [i for i in merge.merged_ids if i not in gone]
    if back:
        can.append(
            ngettext(
                "%(n)s merged record comes back with its links.",
                "%(n)s merged records come back with their links.",
                len(back),
            )
            % {"n": len(back)}
        )
    if gone:
        cannot.append(
            ngettext(
                "%(n)s merged record was deleted for good and cannot come back.",
                "%(n)s merged records were deleted for good and cannot come back.",
                len(gone),
            )
            % {"n": len(gone)}
        )
    kept = [str(model._meta.get_field(n).verbose_name) for n in plan["fields_kept"]]
    if kept:
        cannot.append(
            _("Edited after the merge, so kept as they are now: %(fields)s.")
            % {"fields": ", ".join(kept)}
        )
    else:
        can.append(_("The fields of the record that stayed get their values from before."))
    for what, n in plan["missing"].items():
        cannot.append(
            _("%(what)s deleted since the merge: %(n)s (cannot be moved back).")
            % {"what": str(what).capitalize(), "n": n}
        )
    for what, n in plan["moved_on"].items():
        cannot.append(
            _("%(what)s moved elsewhere since the merge: %(n)s (left where they are).")
            % {"what": str(what).capitalize(), "n": n}
        )
    return can, cannot


@require_http_methods(["GET", "POST"])
@login_required
def undo(request):
    pk = request.GET.get("merge") or request.POST.get("merge")
    if not pk:
        return redirect("dedupe:queue")
    m = selectors.merge_get(request.user, pk)
    survivor = keystore.model_of(m.kind).all_objects.filter(pk=m.survivor_id).first()
    if m.undone_at is not None:
        messages.info(request, _("This merge has already been undone."))
        return redirect(survivor.get_absolute_url())
    plan = services.undo_plan(m)
    can, cannot = _plan_lines(m, plan)
    if request.method == "POST":
        try:
            services.merge_undo(m, by=request.user)
        except services.UndoError:
            messages.error(request, _("This merge cannot be undone any more."))
            return redirect(survivor.get_absolute_url())
        messages.success(request, _("The merge has been undone."))
        for line in cannot:
            messages.warning(request, line)
        return redirect(survivor.get_absolute_url())
    return render(
        request,
        "dedupe/undo.html",
        {"merge": m, "survivor": survivor, "can": can, "cannot": cannot},
    )


@require_http_methods(["GET", "POST"])
@login_required
def intake_policy(request):
    """What an incoming duplicate does, per source: heads of sales and admins choose, reps
    see what was chosen."""
    can_edit = not request.user.is_rep
    if request.method == "POST" and not can_edit:
        raise Http404
    form = IntakePolicyForm(request.POST or None, policies=intake.policies(), disabled=not can_edit)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = form.changes()
            for source, action in changes:
                intake.policy_set(source, action, by=request.user, note=form.cleaned_data["note"])
            if changes:
                messages.success(request, _("The intake policy has been saved."))
            else:
                messages.info(request, _("Nothing changed."))
            if not request.htmx:
                return redirect("dedupe:intake_policy")
            form = IntakePolicyForm(policies=intake.policies())
        else:
            status = 400
    context = {"form": form, "can_edit": can_edit, "changes": intake.recent_changes()}
    template = "dedupe/_intake_policy.html" if request.htmx else "dedupe/intake_policy.html"
    return render(request, template, context, status=status)
