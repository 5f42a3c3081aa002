"""Recompute and store the forecast (a background job; never on a page request).

One run loads the history once, fits the models once, scores every open deal (stored in
``DealForecast`` for the deal page) and forecasts the current and next month and quarter
for every scope: the organisation (``all``), each team (``team:ID``, deals owned by its
members) and each user who owns deals or belongs to a team (``user:ID``).

Per period and scope the run keeps the numbers the page shows, and 200 quantiles of the
simulated won revenue (and of the final-stage deals' revenue), so the page can give the
probability of meeting *today's* plan without simulating again: plans change more often
than deals, and the page must not wait.

Fallbacks (never a NaN on the page): no deals at all -> a run with no periods and a note;
no closed deals yet -> the stage's default probabilities (the engine's prior) with a note;
no record for over a month (an old export) -> a note with the history's last date;
deals without an amount -> amounts drawn from recent won deals (counted in
``no_amount``); every non-finite number is stored as null.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from voronka.accounts.models import User
from voronka.forecasting.engine import (
    DataError,
    build_frame,
    final_stage_check,
    fit,
    forecast_period,
    run_backtest,
    state,
)
from voronka.forecasting.engine.backtest import history_end
from voronka.forecasting.engine.data import OPEN, WON, from_days
from voronka.forecasting.engine.period import add_months
from voronka.forecasting.models import BacktestRun, DealForecast, ForecastRun, RunStatus
from voronka.forecasting.snapshots import load_history
from voronka.plans.selectors import plan_total
from voronka.plans.values import Period, period_of

log = logging.getLogger(__name__)

N_QUANTILES = 200
LEVELS = (np.arange(N_QUANTILES) + 0.5) / N_QUANTILES
STALE_DAYS = 30
LIST_SIZE = 10
BACKTEST_EVERY = timedelta(days=7)
BACKTEST_MONTHS = 6
# days without any record before the forecast's moment after which the page says so (an
# old export: the forecast of this month has nothing recent to go by)
STALE_HISTORY_DAYS = 30


def num(v, digits: int | None = 2):
    """A JSON-safe number: NaN and infinities -> None."""
    if v is None:
        return None
    v = float(v)
    if not math.isfinite(v):
        return None
    return round(v, digits) if digits is not None else v


def periods_for(today: date) -> list[Period]:
    """The current and next month, the current and next quarter."""
    m = period_of(today, "month")
    q = period_of(today, "quarter")
    nm = period_of(m.end, "month")
    nq = period_of(q.end, "quarter")
    return [m, nm, q, nq]


def prob_at_least(quantiles, target) -> float | None:
    """P(X >= target) read from the stored quantile grid."""
    if not quantiles or target is None:
        return None
    q = np.asarray([v for v in quantiles if v is not None], dtype=float)
    if not len(q):
        return None
    return float((q >= float(target) - 1e-9).mean())


def _quantiles(samples: np.ndarray) -> list:
    if not len(samples):
        return []
    return [num(v) for v in np.quantile(samples, LEVELS)]


def plans_as_known(currency: str):
    """For the backtest: the organisation's plan of a period as known at its start."""

    def plan_of(start: date, end: date):
        months = (end.year - start.year) * 12 + end.month - start.month
        kind = "quarter" if months == 3 else "month"
        p = period_of(start, kind)
        at = datetime(start.year, start.month, start.day, tzinfo=timezone.get_default_timezone())
        v = plan_total(period=p, currency=currency, as_of=at)
        return float(v) if v is not None else None

    return plan_of


def save_backtest(result, start: date, end: date, period: str, currency: str) -> BacktestRun:
    summary = result.summary()
    summary["periods_detail"] = [
        {
            "start": r.start.isoformat(),
            "expected": num(r.expected),
            "p10": num(r.p10),
            "p90": num(r.p90),
            "actual": num(r.actual),
            "plan": num(r.plan),
        }
        for r in result.periods
    ]
    return BacktestRun.objects.create(
        start=start, end=end, period=period, currency=currency, summary=_clean(summary)
    )


def _clean(obj):
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def _scopes(frame) -> dict[str, np.ndarray]:
    owner = np.where(frame.owner >= 0, frame.owner_ids[np.maximum(frame.owner, 0)], -1)
    owner = owner.astype(np.int64)
    users = list(User.objects.values_list("pk", "team_id"))
    scopes = {"all": np.ones(frame.n_deals, dtype=bool)}
    teams: dict[int, list[int]] = {}
    for uid, tid in users:
        if tid is not None:
            teams.setdefault(tid, []).append(uid)
    for tid, members in sorted(teams.items()):
        scopes[f"team:{tid}"] = np.isin(owner, members)
    owners = set(int(x) for x in np.unique(owner) if x >= 0)
    for uid, tid in users:
        if tid is not None or uid in owners:
            scopes[f"user:{uid}"] = owner == uid
    return scopes


def _deal_list(frame, rows, extra=None) -> list[dict]:
    out = []
    for j, r in enumerate(rows):
        item = {"id": int(frame.deal_ids[r]), "amount": num(frame.amount[r])}
        if extra:
            for k, arr in extra.items():
                item[k] = num(arr[j], 4)
        out.append(item)
    return out


def _scope_result(model, frame, st, p_all, pos, period: Period, mask, seed, sims):
    t = st.t
    fc = forecast_period(
        model,
        frame,
        period.start,
        period.end,
        mask=mask,
        seed=seed,
        n_sims=sims,
        st=st,
        p_win=p_all,
    )
    fs = final_stage_check(
        model, frame, period.start, period.end, mask=mask, seed=seed, n_sims=sims, st=st
    )
    # final-stage revenue by the period end, as quantiles (for today's plan on the page)
    idx = fs.deal_index
    if len(idx):
        q_end = p_all[pos[idx]] * model.window_share(frame, st, idx, t, float(fc.end))
        amount = np.nan_to_num(frame.amount[idx])
        rng = np.random.default_rng(seed)
        totals = fc.won_so_far + amount @ (rng.random((len(idx), sims)) < q_end[:, None])
    else:
        totals = np.full(1, fc.won_so_far)

    sel = fc.deal_index
    amounts = frame.amount[sel]
    order_amt = np.argsort(-np.nan_to_num(amounts), kind="stable")
    stale = (t - st.last_touch[sel]) > STALE_DAYS
    no_next = np.isnan(st.next_due[sel])
    mv_pos = {int(r): j for j, r in enumerate(sel)}
    movers = [mv_pos[int(r)] for r in fc.movers]
    return {
        "expected": num(fc.expected),
        "p10": num(fc.p10),
        "p50": num(fc.p50),
        "p90": num(fc.p90),
        "won_so_far": num(fc.won_so_far),
        "open_expected": num(fc.open_expected),
        "new_expected": num(fc.new_expected),
        "open_weighted": num(float((fc.amount_used * fc.p_win).sum())),
        "n_open": int(len(sel)),
        "no_amount": int(np.isnan(amounts).sum()),
        "quantiles": _quantiles(fc.samples),
        "movers": _deal_list(
            frame,
            sel[movers],
            {"p_win": fc.p_win[movers], "p_in_period": fc.p_in_period[movers]},
        ),
        "stale_count": int(stale.sum()),
        "stale": _deal_list(
            frame, [r for r in sel[order_amt] if stale[mv_pos[int(r)]]][:LIST_SIZE]
        ),
        "no_next_count": int(no_next.sum()),
        "no_next": _deal_list(
            frame, [r for r in sel[order_amt] if no_next[mv_pos[int(r)]]][:LIST_SIZE]
        ),
        "final": {
            "n_deals": fs.n_deals,
            "n_without_date": fs.n_without_date,
            "share_expected": num(fs.share_expected, 4),
            "threshold": fs.threshold,
            "prob_reach": num(fs.prob_reach_threshold, 4),
            "reaches": bool(fs.reaches_threshold),
            "expected_amount": num(fs.expected_amount),
            "quantiles": _quantiles(totals),
            "at_risk": _deal_list(
                frame,
                fs.at_risk,
                {"p_by_date": fs.p_by_date[np.searchsorted(idx, fs.at_risk)] if len(idx) else []},
            ),
        },
    }


@transaction.atomic
def _store_deal_scores(run, frame, st, model, open_idx, p_all) -> None:
    """Replace every stored deal probability at once (the deal page never sees half)."""
    prior = model.probability.stage_prior(frame, st, open_idx)
    factors = model.probability.top_factors(frame, st, open_idx, k=3)
    DealForecast.objects.all().delete()
    batch = []
    for j, r in enumerate(open_idx):
        batch.append(
            DealForecast(
                deal_id=int(frame.deal_ids[r]),
                run=run,
                probability=float(np.clip(np.nan_to_num(p_all[j]), 0, 1)),
                stage_probability=float(np.clip(np.nan_to_num(prior[j]), 0, 1)),
                factors=[[n, num(c, 4)] for n, c in factors[j]],
            )
        )
        if len(batch) >= 2000:
            DealForecast.objects.bulk_create(batch)
            batch = []
    if batch:
        DealForecast.objects.bulk_create(batch)


def _maybe_backtest(frame, currency: str, today: date, seed: int, force: bool) -> None:
    recent = BacktestRun.objects.filter(
        currency=currency, created_at__gte=timezone.now() - BACKTEST_EVERY
    ).exists()
    if recent and not force:
        return
    # the last months up to the history's last record: an import of an old export is
    # replayed where it has data, not over the empty months since
    last = history_end(frame)
    last_day = from_days(last).date()
    end = min(date(today.year, today.month, 1), add_months(last_day.replace(day=1), 1))
    start = add_months(end, -BACKTEST_MONTHS)
    first = float(frame.created[frame.exists].min()) if frame.exists.any() else frame.t
    if last - first < 120:  # not enough history for a replay yet
        return
    result = run_backtest(
        frame, start, end, period="month", seed=seed, n_sims=1000, plans=plans_as_known(currency)
    )
    if result.periods:
        save_backtest(result, start, end, "month", currency)


def compute_forecast(
    now: datetime | None = None, seed: int = 0, sims: int = 4000, backtest: bool | None = None
) -> ForecastRun:
    """Fit, forecast every scope and store the result. ``backtest``: None = replay the last
    months when the stored backtest is older than a week; True = always; False = never."""
    now = now or timezone.now()
    currency = settings.VORONKA_DEFAULT_CURRENCY
    run = ForecastRun.objects.create(as_of=now, currency=currency)
    t0 = time.perf_counter()
    try:
        loaded = load_history(currency=currency, now=now)
        history = loaded.history
        notes: list[str] = []
        results: dict = {"periods": {}, "model": {}, "notes": notes}
        if loaded.n_excluded:
            results["excluded_currencies"] = loaded.excluded_currencies
        if not history.deals:
            notes.append("no_deals")
            DealForecast.objects.all().delete()
        else:
            frame = build_frame(history)
            model = fit(frame, seed=seed)
            st = state(frame)
            open_idx = np.flatnonzero(st.exists & (st.kind == OPEN))
            p_all = model.predict(frame, st, open_idx)
            pos = np.full(frame.n_deals, -1, dtype=np.int64)
            pos[open_idx] = np.arange(len(open_idx))
            n_closed = int((st.exists & (st.kind != OPEN)).sum())
            if model.probability.coef is None:
                notes.append("no_model")
            if not (st.exists & (st.kind == WON)).any():
                notes.append("no_wins")
            last = history_end(frame)
            if frame.t - last > STALE_HISTORY_DAYS:
                notes.append("stale_history")
            pm = model.probability
            results["model"] = {
                "n_closed": n_closed,
                "n_training_deals": pm.n_deals,
                "weight": num(pm.weight, 3),
                "horizon_days": num(pm.horizon, 1),
                "fit_seconds": num(model.fit_seconds, 3),
                # the history's last record (a creation, a move, an activity, an answer)
                "history_end": from_days(last).date().isoformat(),
                # wins by place in the quarter against the pace of the stages (none: even)
                "calendar": None
                if np.allclose(model.calendar, 1.0)
                else [num(float(f), 2) for f in model.calendar],
            }
            _store_deal_scores(run, frame, st, model, open_idx, p_all)
            today = timezone.localdate(now, timezone.get_default_timezone())
            scopes = _scopes(frame)
            for period in periods_for(today):
                results["periods"][period.key] = {
                    key: _scope_result(model, frame, st, p_all, pos, period, mask, seed, sims)
                    for key, mask in scopes.items()
                }
            run.n_deals = len(history.deals)
            run.n_open = len(open_idx)
            if backtest is not False:
                try:
                    _maybe_backtest(frame, currency, today, seed, force=bool(backtest))
                except Exception:  # the forecast itself stands without a replay
                    log.exception("backtest during the forecast refresh failed")
        run.results = _clean(results)
        run.status = RunStatus.DONE
    except DataError as exc:
        run.status = RunStatus.FAILED
        run.error = str(exc)
    except Exception as exc:
        run.status = RunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
        log.exception("forecast refresh failed")
    run.seconds = time.perf_counter() - t0
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
    return run
