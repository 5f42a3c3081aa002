"""Forecast engine benchmark: synthetic history with ~100,000 open deals.

    .venv/bin/python bench/forecast/run.py            # everything (about 4 minutes)
    .venv/bin/python bench/forecast/run.py --months 0 # without the 12-month backtest

Prints: generation and loading time, retrain (fit) time, the period forecast time for all
open deals, and a 12-month rolling backtest with its metrics against the stage baselines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from voronka.forecasting.engine import (  # noqa: E402
    as_of,
    build_frame,
    fit,
    forecast_period,
    format_report,
    from_days,
    run_backtest,
    state,
)
from voronka.forecasting.engine import synthetic as S  # noqa: E402


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=400.0, help="new deals per day")
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--months", type=int, default=12, help="backtest months (0 = skip)")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    syn = S.generate(
        n_days=args.days, rate=args.rate, seed=args.seed, zombie_share=0.45, cleanup_share=0.3
    )
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    frame = build_frame(syn.history)
    load = time.perf_counter() - t0
    st = state(frame)
    n_open = int(st.open.sum())
    n_closed = int((st.exists & (st.kind != 0)).sum())
    print(
        f"history: {frame.n_deals} deals, {n_open} open, {n_closed} closed, "
        f"{len(frame.ch_deal)} stage changes, {len(frame.act_deal)} activities"
    )
    print(f"generate {gen:.1f} s; records -> frame {load:.1f} s")

    fit_s, model = timed(lambda: fit(frame), args.repeats)
    print(
        f"retrain (probability + close-date + inflow models): median {fit_s:.2f} s "
        f"({model.probability.n_rows} training rows, {model.probability.n_deals} deals)"
    )

    t = frame.t
    fc_s, fc = timed(
        lambda: forecast_period(model, frame, t - 10, t + 20, plan=1e9, st=st), max(args.repeats, 5)
    )
    print(
        f"period forecast, {n_open} open deals (probabilities + Monte Carlo 4000 draws): "
        f"median {fc_s:.3f} s"
    )
    p = model.predict(frame, st, np.flatnonzero(st.open))
    mc_s, _ = timed(
        lambda: forecast_period(model, frame, t - 10, t + 20, st=st, p_win=p), max(args.repeats, 5)
    )
    print(f"  of which Monte Carlo with probabilities cached: median {mc_s:.3f} s")
    print(f"  expected {fc.expected:,.0f}  P10 {fc.p10:,.0f}  P50 {fc.p50:,.0f}  P90 {fc.p90:,.0f}")
    st_s, _ = timed(lambda: state(as_of(frame, t - 100)), max(args.repeats, 5))
    print(f"as_of + state of all deals: median {st_s:.3f} s")

    if args.months:
        end = from_days(frame.t).date()
        first = (from_days(frame.t) - timedelta(days=31 * (args.months + 1))).date()
        r = run_backtest(frame, first, end, n_sims=2000)
        print(
            f"\nbacktest: {len(r.periods)} monthly periods in {r.seconds:.0f} s "
            f"(median fit {statistics.median(p.fit_seconds for p in r.periods):.1f} s)"
        )
        print(format_report(r))


if __name__ == "__main__":
    main()
