"""The kanban board of a pipeline and the one endpoint that moves a deal between stages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from voronka.deals import selectors
from voronka.deals.choices import StageKind
from voronka.deals.errors import DealError
from voronka.deals.forms import MoveForm
from voronka.deals.services import deal_move, describe_missing


def _page_size() -> int:
    return max(1, int(settings.VORONKA_BOARD_PAGE_SIZE))


def _board_url(pipeline_id, flt, closed=False) -> str:
    params = flt.params()
    if closed:
        params["closed"] = 1
    url = reverse("deals:board", args=[pipeline_id])
    return f"{url}?{urlencode(params)}" if params else url


@require_GET
@login_required
def board_default(request):
    pipeline = selectors.first_pipeline()
    url = reverse("deals:board", args=[pipeline.pk])
    if request.GET:
        url = f"{url}?{request.GET.urlencode()}"
    return redirect(url)


@require_GET
@login_required
def board(request, pipeline_id):
    pipeline = selectors.get_pipeline(pipeline_id)
    show_closed = request.GET.get("closed") == "1"
    flt = selectors.parse_board_filter(request.user, request.GET)
    stages = selectors.pipeline_stages(pipeline.pk)
    shown = [s for s in stages if s.kind == StageKind.OPEN or show_closed]
    qs = selectors.board_deals(request.user, pipeline.pk, flt)
    ids = [s.pk for s in shown]
    totals = selectors.column_totals(qs, ids)
    size = _page_size()
    pages = selectors.first_pages(qs, ids, size)
    columns = []
    for s in shown:
        selectors.prepare_cards(pages[s.pk], stages)
        columns.append(
            {
                "stage": s,
                "total": totals[s.pk],
                "deals": pages[s.pk],
                "has_more": totals[s.pk].count > size,
                "next_page": 2,
            }
        )
    return render(
        request,
        "deals/board.html",
        {
            "pipeline": pipeline,
            "columns": columns,
            "stages": stages,
            "flt": flt,
            "show_closed": show_closed,
            "board_url": _board_url(pipeline.pk, flt, show_closed),
            "toggle_url": _board_url(pipeline.pk, flt, not show_closed),
        },
    )


@require_GET
@login_required
def board_column(request, pipeline_id, stage_id):
    """One more page of one column ("show more")."""
    pipeline = selectors.get_pipeline(pipeline_id)
    stages = selectors.pipeline_stages(pipeline.pk)
    stage = next((s for s in stages if s.pk == stage_id), None)
    if stage is None:
        return HttpResponse(status=404)
    flt = selectors.parse_board_filter(request.user, request.GET)
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 100000))
    except ValueError:
        page = 1
    size = _page_size()
    qs = selectors.board_deals(request.user, pipeline.pk, flt)
    deals = selectors.column_page(qs, stage.pk, page, size)
    selectors.prepare_cards(deals, stages)
    total = selectors.column_totals(qs, [stage.pk])[stage.pk]
    ctx = {
        "pipeline": pipeline,
        "stage": stage,
        "stages": stages,
        "deals": deals,
        "has_more": total.count > page * size,
        "next_page": page + 1,
        "flt": flt,
        "board_url": _board_url(pipeline.pk, flt),
    }
    template = "deals/board_cards.html" if request.htmx else "deals/board_column_page.html"
    return render(request, template, ctx)


# ---------------------------------------------------------------- move


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return fallback


def _refusal(request, deal, stage, *, message, missing=(), next_url, context, form=None):
    """The answer to a refused move: a panel listing exactly what is missing."""
    missing_text = [describe_missing(m) for m in missing]
    if not request.htmx:
        messages.error(request, " ".join([message, *missing_text]))
        return redirect(next_url)
    needs_date = bool(stage and stage.kind == StageKind.WON and not deal.contract_actual)
    needs_reason = bool(stage and stage.kind == StageKind.LOST)
    can_override = bool(missing) and request.user.can_manage_process
    response = render(
        request,
        "deals/board_move_panel.html",
        {
            "deal": deal,
            "stage": stage,
            "message": message,
            "missing": missing_text,
            "needs_date": needs_date,
            "needs_reason": needs_reason,
            "can_override": can_override,
            "lost_reasons": selectors.active_lost_reasons() if needs_reason else [],
            "next_url": next_url,
            "context": context,
            "form": form,
            "posted": request.POST,
        },
    )
    response["HX-Retarget"] = "#move-panel"
    response["HX-Reswap"] = "innerHTML"
    return response


@require_POST
@login_required
def move(request, pk):
    deal = selectors.get_visible_deal(request.user, pk)
    context = "deal" if request.POST.get("context") == "deal" else "board"
    fallback = (
        deal.get_absolute_url()
        if context == "deal"
        else reverse("deals:board", args=[deal.pipeline_id])
    )
    next_url = _safe_next(request, fallback)
    form = MoveForm(request.POST, deal=deal)
    if not form.is_valid():
        if "stage" in form.errors:
            message = DealError("stage_other_pipeline").message
        else:
            message = " ".join(str(e) for errs in form.errors.values() for e in errs)
        stage = None
        return _refusal(
            request, deal, stage, message=message, next_url=next_url, context=context, form=form
        )
    cd = form.cleaned_data
    target = cd["stage"]
    from_stage = deal.stage
    try:
        moved = deal_move(
            deal,
            target,
            request.user,
            cd["override_reason"],
            lost_reason=cd["lost_reason"],
            lost_note=cd["lost_note"],
            contract_actual=cd["contract_actual"],
            expected_version=cd["version"],
        )
    except DealError as err:
        deal = selectors.get_visible_deal(request.user, pk)
        return _refusal(
            request,
            deal,
            target,
            message=err.message,
            missing=err.missing,
            next_url=next_url,
            context=context,
            form=form,
        )
    done = _("“%(deal)s” moved to “%(stage)s”.") % {"deal": moved.title, "stage": target.name}
    if not request.htmx:
        messages.success(request, done)
        return redirect(next_url)
    if context == "deal":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = moved.get_absolute_url()
        messages.success(request, done)
        return response
    return _moved_on_board(request, moved, from_stage, target, done, next_url)


def _moved_on_board(request, moved, from_stage, target, done, next_url):
    """The card in its new column plus the counts and sums of both columns (out of band)."""
    moved = selectors.get_visible_deal(request.user, moved.pk)
    stages = selectors.pipeline_stages(moved.pipeline_id)
    selectors.prepare_cards([moved], stages)
    flt = selectors.parse_board_filter(request.user, request.POST)
    qs = selectors.board_deals(request.user, moved.pipeline_id, flt)
    totals = selectors.column_totals(qs, [from_stage.pk, target.pk])
    response = render(
        request,
        "deals/board_move_result.html",
        {
            "d": moved,
            "message": done,
            "stages": stages,
            "board_url": next_url,
            "columns": [
                {"stage": from_stage, "total": totals[from_stage.pk]},
                {"stage": target, "total": totals[target.pk]},
            ],
        },
    )
    response["HX-Retarget"] = "#move-panel"
    response["HX-Reswap"] = "innerHTML"
    return response


urlpatterns = [
    path("board/", board_default, name="board_default"),
    path("board/<int:pipeline_id>/", board, name="board"),
    path(
        "board/<int:pipeline_id>/column/<int:stage_id>/",
        board_column,
        name="board_column",
    ),
    path("<int:pk>/move/", move, name="move"),
]
