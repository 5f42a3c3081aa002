"""Win-probability calibration on several demo bases, pooled.

One demo base (``demo_seed``, 1,500 deals) gives about 750 scored deal-months in a
12-month replay, so a reliability decile holds about 100 deals and its observed rate moves
by 3-5 points from sampling alone. This script builds several demo bases (different seeds,
the same fixed "now", so the figures do not move with the date), replays each with the same
engine backtest as ``manage.py forecast_backtest`` and prints per base and pooled: Brier
score and log loss (model and fixed stage probability), MAPE, P10-P90 coverage, the
reliability table and the mean predicted and observed win rate by replayed month.

    .venv/bin/python bench/forecast/calibration.py                  # seeds 1-6
    .venv/bin/python bench/forecast/calibration.py --seeds 1,2 --now 2026-12-01

Bases are kept in bench/results/calibration/ (reused when present). Not a test: it prints
figures, it does not judge them.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from voronka.forecasting.engine import run_backtest, score  # noqa: E402

OUT = ROOT / "bench" / "results" / "calibration"


def build_frame_file(seed: int, now: str, deals: int, open_share: float, path: Path) -> None:
    """In a child process: a fresh SQLite base, the demo, its history as a pickled frame."""
    db = path.with_suffix(".sqlite3")
    db.unlink(missing_ok=True)
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{db}", DJANGO_SETTINGS_MODULE="voronka.settings"
    )
    code = f"""
import pickle, django
django.setup()
from datetime import datetime, UTC
from django.core.management import call_command
from voronka.web.management.demo import DemoOptions, seed_demo
from voronka.forecasting.snapshots import load_history
from voronka.forecasting.engine import build_frame
call_command("migrate", verbosity=0)
now = datetime.fromisoformat({now!r}).replace(tzinfo=UTC)
seed_demo(
    DemoOptions(deals={deals}, seed={seed}, now=now, open_share={open_share!r}),
    log=lambda s: None,
)
with open({str(path)!r}, "wb") as fh:
    pickle.dump(build_frame(load_history().history), fh)
"""
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    db.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="1,2,3,4,5,6")
    ap.add_argument("--now", default="2026-12-01", help="the demo's end (fixed: reproducible)")
    ap.add_argument("--deals", type=int, default=1500)
    ap.add_argument("--open-share", type=float, default=0.06, help="demo_seed --open-share")
    ap.add_argument("--start", default="2025-12-01")
    ap.add_argument("--end", default="2026-11-01")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    datetime.fromisoformat(args.now).replace(tzinfo=UTC)  # fail early on a bad date

    p_all, y_all, d_all, m_all = [], [], [], []
    for seed in (int(s) for s in args.seeds.split(",")):
        path = OUT / f"demo_{args.deals}_{seed}_{args.now[:10]}_open{args.open_share:g}.pkl"
        if not path.exists():
            build_frame_file(seed, args.now, args.deals, args.open_share, path)
        with open(path, "rb") as fh:
            frame = pickle.load(fh)
        r = run_backtest(frame, start, end, "month")
        ok = r.deals.settled
        p_all.append(r.deals.p[ok])
        y_all.append(r.deals.outcome[ok])
        d_all.append(r.deals.p_stage_default[ok])
        m_all.append(np.unique(r.deals.as_of[ok], return_inverse=True)[1] + 1)  # 1 = first
        big = " ".join(
            f"{b['bin']}:{b['n']}:{100 * (b['observed'] - b['predicted']):+.1f}"
            for b in r.model.reliability
            if b["n"] >= 100
        )
        print(
            f"seed {seed}: n {r.model.n}  Brier {r.model.brier:.4f}"
            f" (stage {r.stage_default.brier:.4f})"
            f"  log loss {r.model.log_loss:.4f} (stage {r.stage_default.log_loss:.4f})"
            f"  MAPE {100 * r.mape:.1f}%  P10-P90 {100 * r.coverage:.1f}%"
            f"  deciles n>=100 (bin:n:observed-predicted, points) {big}",
            flush=True,
        )
    p, y, d, month = (np.concatenate(v) for v in (p_all, y_all, d_all, m_all))
    m, md = score(p, y), score(d, y)
    print(
        f"\npooled: n {m.n}  Brier {m.brier:.4f} (stage {md.brier:.4f})"
        f"  log loss {m.log_loss:.4f} (stage {md.log_loss:.4f})"
    )
    print("reliability (pooled): bin, n, predicted, observed, observed - predicted (points)")
    for b in m.reliability:
        gap = 100 * (b["observed"] - b["predicted"])
        print(f"  {b['bin']}  {b['n']:>6}  {b['predicted']:.3f}  {b['observed']:.3f}  {gap:+.1f}")
    print("by replayed month (pooled): month, n, mean predicted, observed, gap (points)")
    for k in np.unique(month):
        sel = month == k
        gap = 100 * (y[sel].mean() - p[sel].mean())
        print(f"  {k:>2}  {sel.sum():>6}  {p[sel].mean():.3f}  {y[sel].mean():.3f}  {gap:+.1f}")


if __name__ == "__main__":
    main()
