"""The forecast page: reads the latest stored run (never trains a model) and the plans."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from voronka.deals.selectors import format_money
from voronka.forecasting import selectors
from voronka.forecasting.tasks import refresh_pending, request_refresh
from voronka.plans.formatting import locale_name
from voronka.plans.values import Period

MIN_BIN_DEALS = 20


def pct(v) -> str:
    if v is None:
        return "—"
    return format_percent(float(v), format="#,##0%", locale=locale_name())


def _money(v, currency):
    return "—" if v is None else format_money(v, currency)


def _deal_rows(user, items, titles, currency, extra=()):
    rows = []
    for it in items:
        deal = titles.get(it["id"])
        if deal is None:
            continue
        row = {"deal": deal, "amount": _money(it.get("amount"), currency)}
        for k in extra:
            row[k] = pct(it.get(k))
        rows.append(row)
    return rows


def _period_label(p: Period) -> str:
    from django.utils.formats import date_format

    if p.kind == "month":
        return date_format(p.start, "F Y")
    return _("Quarter %(n)s %(year)s") % {"n": p.index, "year": p.year}


def _calibration(bt):
    if bt is None:
        return None
    s = bt.summary or {}
    rows = [
        {"said": pct(b["predicted"]), "happened": pct(b["observed"]), "n": b["n"]}
        for b in s.get("reliability", [])
        if b.get("n", 0) >= MIN_BIN_DEALS
        and b.get("predicted") is not None
        and b.get("observed") is not None
    ]
    return {
        "run": bt,
        "rows": rows,
        "coverage": pct(s.get("p10_p90_coverage")),
        "has_coverage": s.get("p10_p90_coverage") is not None,
        "periods": s.get("periods") or 0,
        "mape": pct(s.get("mape")),
        "baseline_mape": pct(s.get("baseline_mape")),
        "brier": s.get("model", {}).get("brier"),
        "brier_stage": s.get("stage_default", {}).get("brier"),
    }


@require_GET
@login_required
def page(request):
    user = request.user
    scopes = selectors.scopes_for(user)
    by_key = {s.key: s for s in scopes}
    scope_key = request.GET.get("scope") or scopes[0].key
    scope = by_key.get(scope_key)
    if scope is None:
        raise Http404
    run = selectors.latest_run()
    ctx = {
        "scopes": scopes,
        "scope": scope,
        "run": run,
        "pending": refresh_pending(),
        "period_error": "",
    }
    if run is None:
        return render(request, "forecasting/page.html", ctx)
    currency = run.currency
    periods = [p for p in (selectors.parse_period_param(k) for k in run.results.get("periods", {}))]
    periods = [p for p in periods if p is not None]
    ctx["periods"] = [{"key": p.key, "label": _period_label(p)} for p in periods]
    ctx["notes"] = run.results.get("notes", [])
    ctx["age"] = selectors.run_age(run)
    ctx["model"] = run.results.get("model", {})
    ctx["history_end"] = parse_date(ctx["model"].get("history_end") or "")
    ctx["calibration"] = _calibration(selectors.latest_backtest(currency))
    if not periods:
        return render(request, "forecasting/page.html", ctx)
    wanted = request.GET.get("period")
    period = periods[0]
    status = 200
    if wanted:
        parsed = selectors.parse_period_param(wanted)
        if parsed is None:
            ctx["period_error"] = _(
                "The period must look like 2026-03 (a month) or 2026-Q1 (a quarter)."
            )
            status = 400
        elif parsed.key not in {p.key for p in periods}:
            ctx["period_error"] = _(
                "There is no forecast for %(period)s: it covers the current and next month "
                "and quarter."
            ) % {"period": parsed.key}
            status = 400
        else:
            period = parsed
    stored = run.results["periods"][period.key].get(scope.key)
    ctx["period"] = period
    ctx["period_label"] = _period_label(period)
    if stored is None:  # a scope with no deals at the time of the run
        ctx["empty_scope"] = True
        return render(request, "forecasting/page.html", ctx, status=status)
    plan = selectors.scope_plan(scope, period, currency)
    r = selectors.with_plan(stored, plan)
    final = stored.get("final", {})
    # the final-stage deals against the month's and the quarter's plans
    checks = []
    for p in dict.fromkeys([period if period.kind == "month" else None, period.quarter]):
        if p is None or p.key not in run.results["periods"]:
            continue
        fin = run.results["periods"][p.key].get(scope.key, {}).get("final", {})
        pl = selectors.scope_plan(scope, p, currency)
        prob = selectors.prob_at_least(fin.get("quantiles"), pl) if pl is not None else None
        checks.append(
            {
                "label": _period_label(p),
                "plan": _money(pl, currency) if pl is not None else None,
                "prob": pct(prob),
                "suffices": None if prob is None else prob >= 0.5,
            }
        )
    ids = set()
    for key in ("movers", "stale", "no_next"):
        ids.update(i["id"] for i in stored.get(key, []))
    ids.update(i["id"] for i in final.get("at_risk", []))
    titles = selectors.visible_deal_titles(user, ids)
    ctx.update(
        {
            "r": r,
            "m": {
                k: _money(r.get(k), currency)
                for k in (
                    "expected",
                    "p10",
                    "p50",
                    "p90",
                    "won_so_far",
                    "open_expected",
                    "new_expected",
                    "open_weighted",
                    "plan",
                    "gap",
                    "remaining",
                )
            },
            "gap_short": (r.get("gap") or 0) > 0,
            "gap_abs": _money(abs(r["gap"]), currency) if r.get("gap") is not None else None,
            "prob_meet_plan": pct(r.get("prob_meet_plan")),
            "coverage": (
                format_decimal(r["coverage"], format="#,##0.0", locale=locale_name())
                if r.get("coverage") is not None
                else None
            ),
            "final": final,
            "final_share": pct(final.get("share_expected")),
            "final_prob": pct(final.get("prob_reach")),
            "final_threshold": pct(final.get("threshold", 0.9)),
            "final_checks": checks,
            "at_risk": _deal_rows(user, final.get("at_risk", []), titles, currency, ("p_by_date",)),
            "movers": _deal_rows(
                user, stored.get("movers", []), titles, currency, ("p_win", "p_in_period")
            ),
            "stale": _deal_rows(user, stored.get("stale", []), titles, currency),
            "no_next": _deal_rows(user, stored.get("no_next", []), titles, currency),
            "stale_days": 30,
            "currency": currency,
            "main_currency": settings.VORONKA_DEFAULT_CURRENCY,
        }
    )
    return render(request, "forecasting/page.html", ctx, status=status)


@require_POST
@login_required
def refresh(request):
    """Ask for a recomputation now (the worker does it; the page never waits)."""
    request_refresh(delay=None)
    target = request.POST.get("next") or ""
    if not target.startswith(reverse("forecasting:page")) or "//" in target:
        target = reverse("forecasting:page")
    return redirect(target)
