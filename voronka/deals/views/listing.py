"""The deal list: filters, sorting, paging, saved filters, bulk edit; and quick add."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voronka.deals.errors import DealError
from voronka.deals.filters import SORT_LABELS, clean_query, deal_flags, filter_deals, is_db_id
from voronka.deals.list_forms import (
    BulkEditForm,
    QuickAddForm,
    SavedFilterForm,
    bulk_apply,
)
from voronka.deals.models import Deal, SavedFilter

TABLE_TEMPLATE = "deals/list_table.html"
PAGE_TEMPLATE = "deals/list.html"


def _list_url(params: QueryDict) -> str:
    qs = params.urlencode()
    return reverse("deals:list") + (f"?{qs}" if qs else "")


def _columns(params: QueryDict, sort: str):
    """Table headers: label, sort link and aria-sort for the whitelisted columns."""
    out = {}
    for key, label in SORT_LABELS.items():
        p = params.copy()
        p.pop("page", None)
        current = sort.removeprefix("-") == key
        p["sort"] = f"-{key}" if current and not sort.startswith("-") else key
        if current:
            aria = "descending" if sort.startswith("-") else "ascending"
        else:
            aria = "none"
        out[key] = {"label": label, "url": _list_url(p), "aria": aria, "active": current}
    return out


def _list_context(request, params: QueryDict, bulk_form=None, bulk_outcome=None) -> dict:
    user = request.user
    result = filter_deals(user, params)
    qs = result.queryset.select_related("stage", "stage__pipeline", "owner", "company")
    qs = qs.prefetch_related("tags")
    paginator = Paginator(qs, settings.VORONKA_LIST_PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    now = timezone.now()
    rows = list(page.object_list)
    for deal in rows:
        deal.flags = deal_flags(deal, now)
    filters = clean_query(params)
    pages = {}
    for name, number in (
        ("first", 1),
        ("prev", page.previous_page_number() if page.has_previous() else None),
        ("next", page.next_page_number() if page.has_next() else None),
        ("last", paginator.num_pages),
    ):
        if number is None:
            continue
        p = filters.copy()
        if number > 1:
            p["page"] = str(number)
        pages[name] = _list_url(p)
    here = filters.copy()
    if page.number > 1:
        here["page"] = str(page.number)
    return {
        "filter_form": result.form,
        "filter_errors": result.form.error_list(),
        "sort": result.sort,
        "columns": _columns(filters, result.sort),
        "page_obj": page,
        "rows": rows,
        "pages": pages,
        "query": filters.urlencode(),
        "here_query": here.urlencode(),
        "saved_filters": SavedFilter.objects.filter(user=user),
        "bulk_form": bulk_form or BulkEditForm(user=user),
        "bulk_outcome": bulk_outcome,
        "list_url": reverse("deals:list"),
    }


def _render_list(request, params, status=200, **extra):
    context = _list_context(request, params, **extra)
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, TABLE_TEMPLATE if partial else PAGE_TEMPLATE, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@login_required
def deal_list(request):
    return _render_list(request, request.GET)


def _parse_ids(values) -> list[int] | None:
    if not all(is_db_id(v) for v in values):
        return None
    return sorted({int(v) for v in values})


@require_POST
@login_required
def deal_bulk(request):
    """Change owner, stage or tags of the selected deals: all of them or none."""
    params = QueryDict(request.POST.get("next", ""))
    ids = _parse_ids(request.POST.getlist("ids"))
    if ids is None:
        return HttpResponseBadRequest(_("Invalid selection."))
    if not ids:
        messages.error(request, _("Select at least one deal."))
        return redirect(_list_url(clean_query(params)))
    deals = list(
        Deal.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("stage")
        .order_by("pk")
    )
    if len(deals) != len(ids):
        # Some ids are outside the user's zone (or gone): refuse the whole request.
        raise Http404
    form = BulkEditForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_list(request, params, status=400, bulk_form=form)
    outcome = bulk_apply(form, deals, request.user)
    if not outcome.ok:
        return _render_list(request, params, status=400, bulk_form=form, bulk_outcome=outcome)
    messages.success(
        request,
        ngettext("%(n)d deal changed.", "%(n)d deals changed.", outcome.changed)
        % {"n": outcome.changed},
    )
    back = clean_query(params)
    if params.get("page", "").isdigit():
        back["page"] = params["page"]
    return redirect(_list_url(back))


@require_POST
@login_required
def saved_filter_save(request):
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the filter a name (up to 100 characters)."))
        return redirect(_list_url(clean_query(QueryDict(request.POST.get("query", "")))))
    query = clean_query(QueryDict(form.cleaned_data["query"])).urlencode()
    if len(query) > SavedFilter._meta.get_field("query").max_length:
        messages.error(request, _("This filter is too long to save."))
        return redirect(_list_url(QueryDict(query)))
    SavedFilter.objects.update_or_create(
        user=request.user, name=form.cleaned_data["name"].strip(), defaults={"query": query}
    )
    messages.success(request, _("Filter saved."))
    return redirect(_list_url(QueryDict(query)))


@require_GET
@login_required
def saved_filter_open(request, pk):
    saved = get_object_or_404(SavedFilter.objects.filter(user=request.user), pk=pk)
    return redirect(_list_url(clean_query(QueryDict(saved.query))))


@require_POST
@login_required
def saved_filter_delete(request, pk):
    saved = get_object_or_404(SavedFilter.objects.filter(user=request.user), pk=pk)
    saved.delete()
    messages.success(request, _("Filter deleted."))
    return redirect("deals:list")


@require_http_methods(["GET", "POST"])
@login_required
def quick_add(request):
    form = QuickAddForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            deal = form.save()
        except DealError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Deal created."))
            return redirect(deal.get_absolute_url())
    stages = form.fields["stage"].queryset
    return render(
        request,
        "deals/quick_add.html",
        {"form": form, "stages": stages, "companies": form.company_suggestions()},
    )


urlpatterns = [
    path("", deal_list, name="list"),
    path("quick-add/", quick_add, name="quick_add"),
    path("bulk/", deal_bulk, name="bulk"),
    path("saved-filters/", saved_filter_save, name="saved_filter_save"),
    path("saved-filters/<int:pk>/", saved_filter_open, name="saved_filter_open"),
    path("saved-filters/<int:pk>/delete/", saved_filter_delete, name="saved_filter_delete"),
]
