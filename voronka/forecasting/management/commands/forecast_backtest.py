"""``manage.py forecast_backtest``: replay the history period by period and score the forecast.

At the start of each period (month or quarter) starting in [--start, --end) and already
over, the history is cut as it was known then (stage changes, activities, answers, dated
fields; nothing later), the models are fitted on that cut, and the period is forecast. It
prints the Brier score, log loss and reliability table of the win probabilities of the
deals open at each start, the MAPE of the period's won-revenue forecast and how often the
actual fell inside P10-P90, each next to the fixed per-stage probability (the weighted
pipeline for the period figure).

``--json FILE`` writes::

    {"params": {...}, "currency": "RUB", "excluded_currencies": {"USD": 3},
     "periods": [{"start", "end", "expected", "p10", "p50", "p90", "actual", "baseline"}],
     "skipped_periods": [{"start", "end", "actual", "reason"}],
     "deals": [{"id", "external_id", "as_of", "p", "p_stage_default", "outcome", "settled"}],
     "metrics": {...}, "stage_default_reliability": [...]}

Each period also holds ``plan`` (the organisation's sales plan as it was known at the
period start, from the plans' history; null when none was set) and ``prob_meet_plan``.
A period that begins before any deal is known is not forecast: it is listed under
``skipped_periods`` (reason ``no_deal_known``) with what was won in it, and left out of
MAPE and the P10-P90 coverage. So is a period that begins before any of the deals forecast
had closed (reason ``no_deal_closed``; an export of the deals closed since a date starts
so) or before 20 of them had (``few_deals_closed``): a forecast then has nothing or little
learned and rests on the stages' default probabilities, and its deals are not scored
either. The history ends at its last record (a deal created, a stage change, an activity,
an answer): a period that begins after it is not forecast (reason ``after_history``), and
rows count in the metrics only when scored at least the label horizon before it, which
for an export read long after it was made lies well before the load time. ``--save``
keeps the summary for the forecast page.

``p`` is the predicted probability of the deal being won, ``outcome`` 1 if it was won by
the end of the history (else 0) and ``settled`` whether the history runs on long enough
after ``as_of`` for the row to count in the metrics. Dates are UTC.
"""

from __future__ import annotations

import json
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from voronka.deals.models import Deal, Pipeline
from voronka.forecasting.compute import plans_as_known, save_backtest
from voronka.forecasting.engine import DataError, build_frame, format_report, run_backtest, score
from voronka.forecasting.engine.backtest import period_starts
from voronka.forecasting.engine.data import to_days
from voronka.forecasting.snapshots import load_history

PERIODS = ("month", "quarter")


def _parse_date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CommandError(f"--{name}: {value!r} is not a date (use YYYY-MM-DD)") from None


def _pipeline_ids(names: list[str] | None) -> list[int] | None:
    if not names:
        return None
    ids: set[int] = set()
    for name in names:
        qs = Pipeline.objects.filter(name__iexact=name.strip())
        if not qs.exists() and name.strip().isdigit():
            qs = Pipeline.objects.filter(pk=int(name.strip()))
        found = list(qs.values_list("pk", flat=True))
        if not found:
            known = ", ".join(
                Pipeline.objects.order_by("order", "pk").values_list("name", flat=True)
            )
            raise CommandError(f"--pipeline: no pipeline named {name!r} (known: {known or '-'})")
        ids.update(found)
    return sorted(ids)


def _history_currency(pipeline_ids: list[int] | None) -> str:
    """The main currency, or, when no deal is in it, the currency most deals are in: a
    history imported from a file in dollars into an install kept in roubles is replayed
    without being told so."""
    main = settings.VORONKA_DEFAULT_CURRENCY.upper()
    deals = Deal.objects.all()
    if pipeline_ids:
        deals = deals.filter(pipeline_id__in=pipeline_ids)
    counts = dict(
        deals.values_list("currency").annotate(n=Count("id")).values_list("currency", "n")
    )
    if counts.get(main) or not counts:
        return main
    return max(sorted(counts), key=lambda c: counts[c])


def _pct(v) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


class Command(BaseCommand):
    help = (
        "Replay the history at the start of each period, forecast it and compare with what "
        "happened (Brier, log loss, reliability, MAPE, P10-P90 coverage)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="periods start before this day")
        parser.add_argument("--period", default="month", help="month or quarter (month)")
        parser.add_argument("--json", dest="json_path", help="write the detailed result here")
        parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
        parser.add_argument(
            "--pipeline",
            action="append",
            help="only this pipeline (name or id; may be repeated)",
        )
        parser.add_argument(
            "--currency",
            help="only deals in this currency (default: the main currency, or the one most "
            "deals are in when the main currency has none)",
        )
        parser.add_argument(
            "--sims", type=int, default=2000, help="Monte Carlo draws per period (2000)"
        )
        parser.add_argument(
            "--save",
            action="store_true",
            help="keep the summary for the forecast page (calibration, interval hits)",
        )

    def handle(self, *args, **opts):
        start = _parse_date(opts["start"], "start")
        end = _parse_date(opts["end"], "end")
        if end <= start:
            raise CommandError("--end must be after --start")
        period = str(opts["period"]).strip().lower()
        if period not in PERIODS:
            raise CommandError(f"--period must be one of: {', '.join(PERIODS)}")
        if opts["sims"] < 100:
            raise CommandError("--sims must be at least 100")
        pipeline_ids = _pipeline_ids(opts["pipeline"])

        t0 = time.perf_counter()
        currency = opts["currency"] or _history_currency(pipeline_ids)
        loaded = load_history(pipeline_ids=pipeline_ids, currency=currency)
        history = loaded.history
        t_load = time.perf_counter() - t0
        out = self.stdout.write
        out(
            f"Loaded {len(history.deals)} deals in {loaded.currency} "
            f"({len(history.stages)} stages) in {t_load:.1f} s."
        )
        if loaded.n_excluded:
            other = ", ".join(f"{c}: {n}" for c, n in loaded.excluded_currencies.items())
            out(f"Left out {loaded.n_excluded} deals in other currencies ({other}).")
        if not history.deals:
            raise CommandError("no deals to replay")
        try:
            frame = build_frame(history)
        except DataError as exc:
            raise CommandError(f"the history cannot be used: {exc}") from exc
        periods = [p for p in period_starts(start, end, period) if to_days(p[1]) <= frame.t]
        if not periods:
            raise CommandError(
                f"no {period} starts on or after {start} and before {end} and is over already"
            )
        result = run_backtest(
            frame,
            start,
            end,
            period=period,
            seed=opts["seed"],
            n_sims=opts["sims"],
            plans=plans_as_known(loaded.currency),
        )
        if not result.periods:
            raise CommandError(
                f"no deal was known at the start of any {period} from {start} to {end}: "
                "there is no history to replay"
            )
        d = result.deals
        ok = d.settled
        base = score(d.p_stage_default[ok], d.outcome[ok])

        out(
            f"Replayed {len(result.periods)} {period}s from {result.periods[0].start} "
            f"in {result.seconds:.1f} s; {len(d.deal_id)} deal scores, {int(ok.sum())} settled."
        )
        out("")
        out(format_report(result))
        out("")
        out("reliability (fixed stage probability): bin, n, predicted, observed")
        for b in base.reliability:
            out(f"  {b['bin']}  {b['n']:>8}  {b['predicted']:.3f}  {b['observed']:.3f}")
        out("")
        out(f"{'summary':<28}{'model':>12}{'stage prob.':>14}")
        out(f"{'Brier':<28}{result.model.brier:>12.4f}{base.brier:>14.4f}")
        out(f"{'log loss':<28}{result.model.log_loss:>12.4f}{base.log_loss:>14.4f}")
        out(
            f"{'MAPE of the period forecast':<28}{_pct(result.mape):>12}"
            f"{_pct(result.baseline_mape):>14}"
        )
        out(f"{'actual inside P10-P90':<28}{_pct(result.coverage):>12}{'n/a':>14}")

        if opts["json_path"]:
            data = result.to_json()
            data["params"] = {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "period": period,
                "seed": opts["seed"],
                "sims": opts["sims"],
                "pipeline_ids": list(pipeline_ids) if pipeline_ids else None,
            }
            data["currency"] = loaded.currency
            data["excluded_currencies"] = loaded.excluded_currencies
            data["stage_default_reliability"] = base.reliability
            try:
                with open(opts["json_path"], "w", encoding="utf-8") as fh:
                    json.dump(_clean(data), fh, ensure_ascii=False, allow_nan=False)
            except OSError as exc:
                raise CommandError(f"--json: cannot write {opts['json_path']}: {exc}") from exc
            out(f"Wrote {opts['json_path']}.")
        if opts["save"]:
            save_backtest(result, start, end, period, loaded.currency)
            out("Saved the summary for the forecast page.")


def _clean(obj):
    """NaN and infinities -> null (strict JSON)."""
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj
