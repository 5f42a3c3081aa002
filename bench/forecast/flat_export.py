"""Forecast backtest on a history imported from a flat opportunity export.

Public B2B pipeline exports often hold one row per opportunity and nothing else: agent,
product, account, stage (Prospecting / Engaging / Won / Lost), engage date, close date and
close value, with no stage history. This script writes such a file (deterministic for a
seed; generated here, no real data), imports it into a fresh SQLite base with
``manage.py import_records`` and replays it with ``manage.py forecast_backtest``, so the
figures in bench/forecast/README.md can be reproduced.

Two shapes:

- ``a``: 20-24 deals engaged a day from 20 Oct 2016, each closed after a gamma(2, 24 days)
  cycle and left "Engaging" when its close would fall after the export (31 Dec 2017);
- ``b``: 6,711 closes spread over March-December 2017, each engaged its close date minus a
  cycle of 1-138 days (so nothing closes before March while deals date back to October
  2016), 1,589 "Engaging" deals engaged at any time; 8,800 rows in all.

Both add 500 "Prospecting" rows without dates. A deal is won with a probability set by its
agent, product and account (a logistic model with random effects); a lost deal's close value
is 0, an open deal's empty. ``--quarter-end Q`` moves a share Q of the closes that fall in a
quarter's first or second month to a day of its last month (the quarter-end push; a B close
pushed past the export stays "Engaging").

    .venv/bin/python bench/forecast/flat_export.py --shape b            # seed 7
    .venv/bin/python bench/forecast/flat_export.py --shape a --seed 3 --keep
    .venv/bin/python bench/forecast/flat_export.py --shape b --quarter-end 0.3

Writes bench/results/flat_export/<shape>-<seed>[-q<Q>]/ (the CSV, mapping.json, the backtest JSON
and, with --keep, the SQLite base) and prints the backtest report and each month.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "results" / "flat_export"

FIRST_ENGAGE = date(2016, 10, 20)
EXPORT_END = date(2017, 12, 31)
PRODUCTS = [  # name, list price
    ("Basic", 550),
    ("Plus Basic", 1100),
    ("Advanced", 3400),
    ("Pro", 4800),
    ("Plus Pro", 5500),
    ("Special", 55),
    ("Enterprise", 26800),
]
MAPPING = {
    "fields": {
        "external_id": "opportunity_id",
        "title": "opportunity_id",
        "owner": "sales_agent",
        "company": "account",
        "stage": "deal_stage",
        "created_at": "engage_date",
        "closed_at": "close_date",
        "amount": "close_value",
    },
    "stages": {
        "Prospecting": "Новый лид",
        "Engaging": "Квалификация",
        "Won": "won",
        "Lost": "lost",
    },
}


def _effects(rng: random.Random, names: list[str], sd: float) -> dict[str, float]:
    return {n: rng.gauss(0.0, sd) for n in names}


def quarter_end(day: date, u: float) -> date:
    """``day`` if its month is the last of its quarter, else a day of that month (u in
    [0, 1) picks it)."""
    if day.month % 3 == 0:
        return day
    last = day.month + 3 - day.month % 3
    start = date(day.year, last, 1)
    days = (date(day.year + last // 12, last % 12 + 1, 1) - start).days
    return start + timedelta(days=int(u * days))


def generate(shape: str, seed: int, push: float = 0.0) -> list[dict]:
    rng = random.Random(seed)
    # the quarter-end push draws from its own stream: push 0 gives the same file as before
    prng = random.Random(seed + 1_000_003)

    def pushed(close: date) -> date:
        u, v = prng.random(), prng.random()
        return quarter_end(close, v) if u < push else close

    agents = [f"Agent {i:02d}" for i in range(1, 31)]
    accounts = [f"Account {i:02d}" for i in range(1, 86)]
    products = [p for p, _ in PRODUCTS]
    price = dict(PRODUCTS)
    weights = [0.2, 0.16, 0.14, 0.12, 0.1, 0.18, 0.1]
    fx = {
        "agent": _effects(rng, agents, 0.35),
        "account": _effects(rng, accounts, 0.3),
        "product": _effects(rng, products, 0.2),
    }
    base = 0.55  # logit of about 0.63 won

    def deal() -> tuple[str, str, str, float]:
        a, acc = rng.choice(agents), rng.choice(accounts)
        prod = rng.choices(products, weights)[0]
        z = base + fx["agent"][a] + fx["account"][acc] + fx["product"][prod]
        return a, acc, prod, 1 / (1 + math.exp(-z))

    def closed_row(a, acc, prod, p, engage, close) -> dict:
        won = rng.random() < p
        value = round(price[prod] * rng.uniform(0.85, 1.1)) if won else 0
        return {
            "sales_agent": a,
            "product": prod,
            "account": acc,
            "deal_stage": "Won" if won else "Lost",
            "engage_date": engage.isoformat(),
            "close_date": close.isoformat(),
            "close_value": str(value),
        }

    def open_row(a, acc, prod, engage) -> dict:
        return {
            "sales_agent": a,
            "product": prod,
            "account": acc,
            "deal_stage": "Engaging",
            "engage_date": engage.isoformat(),
            "close_date": "",
            "close_value": "",
        }

    rows: list[dict] = []
    if shape == "a":
        day = FIRST_ENGAGE
        while day <= EXPORT_END:
            for _ in range(rng.randint(20, 24)):
                a, acc, prod, p = deal()
                close = day + timedelta(days=max(1, round(rng.gammavariate(2.0, 24.0))))
                close = pushed(close)
                if close > EXPORT_END:
                    rows.append(open_row(a, acc, prod, day))
                else:
                    rows.append(closed_row(a, acc, prod, p, day, close))
            day += timedelta(days=1)
    else:
        first_close, span = date(2017, 3, 1), (EXPORT_END - date(2017, 3, 1)).days
        for _ in range(6711):
            a, acc, prod, p = deal()
            close = first_close + timedelta(days=rng.randint(0, span))
            engage = max(FIRST_ENGAGE, close - timedelta(days=rng.randint(1, 138)))
            close = pushed(close)
            if close > EXPORT_END:
                rows.append(open_row(a, acc, prod, engage))
            else:
                rows.append(closed_row(a, acc, prod, p, engage, close))
        open_span = (date(2017, 12, 27) - FIRST_ENGAGE).days
        for _ in range(1589):
            a, acc, prod, _p = deal()
            rows.append(open_row(a, acc, prod, FIRST_ENGAGE + timedelta(rng.randint(0, open_span))))
    for _ in range(500):
        a, acc, prod, _p = deal()
        rows.append(
            {
                "sales_agent": a,
                "product": prod,
                "account": acc if rng.random() < 0.5 else "",
                "deal_stage": "Prospecting",
                "engage_date": "",
                "close_date": "",
                "close_value": "",
            }
        )
    rng.shuffle(rows)
    for i, row in enumerate(rows, 1):
        row["opportunity_id"] = f"OPP{i:05d}"
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shape", choices=("a", "b"), default="b")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", default="2016-11-01")
    ap.add_argument("--end", default="2018-01-01")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite base")
    ap.add_argument(
        "--quarter-end",
        type=float,
        default=0.0,
        help="share of closes in a quarter's first two months moved to its last month",
    )
    args = ap.parse_args()

    tag = f"-q{args.quarter_end:g}" if args.quarter_end else ""
    out = OUT / f"{args.shape}-{args.seed}{tag}"
    out.mkdir(parents=True, exist_ok=True)
    rows = generate(args.shape, args.seed, args.quarter_end)
    csv_path = out / "sales_pipeline.csv"
    columns = ["opportunity_id", "sales_agent", "product", "account", "deal_stage"]
    columns += ["engage_date", "close_date", "close_value"]
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    (out / "mapping.json").write_text(json.dumps(MAPPING, indent=2), encoding="utf-8")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["deal_stage"]] = counts.get(r["deal_stage"], 0) + 1
    print(f"{csv_path}: {len(rows)} rows, {counts}")

    db = out / "base.sqlite3"
    db.unlink(missing_ok=True)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db}")
    manage = [sys.executable, str(ROOT / "manage.py")]

    def run(*cmd: str) -> None:
        subprocess.run([*manage, *cmd], env=env, cwd=ROOT, check=True)

    run("migrate", "--verbosity", "0")
    env["DJANGO_SUPERUSER_PASSWORD"] = "bench-only-password"
    run("createsuperuser", "--noinput", "--username", "bench", "--email", "bench@example.org")
    run("import_records", str(csv_path), "--kind", "deals", "--mapping", str(out / "mapping.json"))
    run(
        "forecast_backtest",
        "--start",
        args.start,
        "--end",
        args.end,
        "--period",
        "month",
        "--json",
        str(out / "backtest.json"),
    )
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    print("\nmonth        expected         P10         P90      actual  held")
    for p in data["periods"]:
        held = p["p10"] <= p["actual"] <= p["p90"]
        print(
            f"{p['start']}  {p['expected']:>10.0f}  {p['p10']:>10.0f}  {p['p90']:>10.0f}"
            f"  {p['actual']:>10.0f}  {'yes' if held else 'no'}"
        )
    if not args.keep:
        db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
