"""The quarter calendar's effect on the month forecasts: the same histories backtested
with the fitted calendar factors and with them forced to 1.

Synthetic histories (``synthetic.generate`` with a share ``--push`` of final-stage
decisions in a quarter's first two months moved to its last month), or a base kept by
``flat_export.py --keep`` (``--base``):

    .venv/bin/python bench/forecast/quarter_calendar.py --push 0.25 --seeds 3,4,5
    .venv/bin/python bench/forecast/quarter_calendar.py --push 0 --seeds 5,6,7
    .venv/bin/python bench/forecast/flat_export.py --shape b --quarter-end 0.3 --keep
    .venv/bin/python bench/forecast/quarter_calendar.py \\
        --base bench/results/flat_export/b-7-q0.3/base.sqlite3 --start 2016-11-01 --end 2018-01-01

Prints per history and mode the MAPE of the month forecasts, how often P10-P90 held the
actual, and each month. Not a test: it prints figures, it does not judge them.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def frames(args):
    if args.base:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.base).resolve()}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voronka.settings")
        import django

        django.setup()
        from voronka.forecasting.engine import build_frame
        from voronka.forecasting.snapshots import load_history

        yield args.base, build_frame(load_history().history), args.start, args.end
        return
    from voronka.forecasting.engine import build_frame, from_days
    from voronka.forecasting.engine import synthetic as S

    for seed in (int(s) for s in args.seeds.split(",")):
        s = S.generate(n_days=720, rate=8, seed=seed, quarter_end=args.push)
        frame = build_frame(s.history)
        end = from_days(frame.t).date().replace(day=1)
        start = date(end.year - 1, end.month, 1)
        yield f"synthetic seed {seed}, push {args.push:g}", frame, start, end


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--push", type=float, default=0.25)
    ap.add_argument("--seeds", default="3,4,5")
    ap.add_argument("--base", help="a SQLite base kept by flat_export.py --keep")
    ap.add_argument("--start", type=date.fromisoformat, default=date(2016, 11, 1))
    ap.add_argument("--end", type=date.fromisoformat, default=date(2018, 1, 1))
    args = ap.parse_args()

    from voronka.forecasting.engine import period, run_backtest

    fitted = period.calendar_factors
    for name, frame, start, end in frames(args):
        for mode in ("calendar", "factors 1"):
            period.calendar_factors = fitted if mode == "calendar" else lambda m: np.ones(3)
            r = run_backtest(frame, start, end, "month")
            held = sum(p.p10 <= p.actual <= p.p90 for p in r.periods)
            print(
                f"{name}, {mode}: MAPE {100 * r.mape:.1f}%, P10-P90 {held} of {len(r.periods)}",
                flush=True,
            )
            for p in r.periods:
                ok = "yes" if p.p10 <= p.actual <= p.p90 else "no"
                print(
                    f"  {p.start}  expected {p.expected:>14,.0f}  P10 {p.p10:>14,.0f}"
                    f"  P90 {p.p90:>14,.0f}  actual {p.actual:>14,.0f}  {ok}"
                )
    period.calendar_factors = fitted


if __name__ == "__main__":
    main()
