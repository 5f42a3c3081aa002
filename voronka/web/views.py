from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

RECYCLE_LIMIT = 200


@require_GET
@login_required
def home(request):
    return redirect("deals:board_default")


def _kinds():
    from voronka.contacts import services as contact_services
    from voronka.contacts.models import Company, Contact
    from voronka.deals import services as deal_services
    from voronka.deals.models import Deal

    return {
        "deal": (Deal, lambda obj, by: deal_services.deal_restore(obj, by)),
        "contact": (Contact, lambda obj, by: contact_services.contact_restore(obj, by=by)),
        "company": (Company, lambda obj, by: contact_services.company_restore(obj, by=by)),
    }


def _deleted(model, user):
    return (
        model.all_objects.visible_to(user)
        .filter(deleted_at__isnull=False)
        .select_related("deleted_by", "owner")
        .order_by("-deleted_at", "-pk")
    )


@require_GET
@login_required
def recycle_bin(request):
    """Deleted deals, contacts and companies of the user's zone, newest first."""
    purge_before = timezone.now() - timedelta(days=settings.VORONKA_RECYCLE_DAYS)
    sections = []
    for kind, (model, _restore) in _kinds().items():
        qs = _deleted(model, request.user)
        rows = list(qs[: RECYCLE_LIMIT + 1])
        sections.append(
            {
                "kind": kind,
                "rows": [
                    {"obj": obj, "purge": obj.deleted_at < purge_before}
                    for obj in rows[:RECYCLE_LIMIT]
                ],
                "more": len(rows) > RECYCLE_LIMIT,
            }
        )
    return render(
        request,
        "web/recycle_bin.html",
        {"sections": sections, "recycle_days": settings.VORONKA_RECYCLE_DAYS},
    )


@require_POST
@login_required
def restore(request):
    kinds = _kinds()
    kind = request.POST.get("kind", "")
    pk = request.POST.get("pk", "")
    if kind not in kinds or not pk.isdigit():
        raise Http404
    model, do_restore = kinds[kind]
    obj = get_object_or_404(_deleted(model, request.user), pk=int(pk))
    do_restore(obj, request.user)
    messages.success(request, _("Restored: %(name)s") % {"name": obj})
    return redirect("web:recycle_bin")
