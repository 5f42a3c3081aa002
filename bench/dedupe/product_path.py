"""The duplicate scan the way a user runs it: the generator's contacts imported with
``manage.py import_records``, then ``manage.py dedupe_scan --json``; the pairs it writes are
scored against the generator's clusters by external id.

    .venv/bin/python bench/dedupe/product_path.py            # 100,000 contacts
    .venv/bin/python bench/dedupe/product_path.py --n 20000
    .venv/bin/python bench/dedupe/product_path.py --database-url postgres://postgres@127.0.0.1:5432/voronka_dedupe_bench

A fresh database each run (SQLite in a temporary directory, or the PostgreSQL database
named in the URL, dropped, created again and dropped at the end: use a scratch name). Prints the
time of each step and precision and recall over the generator's true pairs for: the
pairs marked ``match`` (the two records are in one cluster), the pairs scored at or above
MATCH, and all the pairs written (the review queue included).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.dedupe.run import data_file  # noqa: E402
from bench.imports.run import fresh_database  # noqa: E402


def manage(env: dict, *args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def true_pairs(path: Path) -> set[tuple[str, str]]:
    members = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            members[row["cluster"]].append(row["id"])
    return {(a, b) for m in members.values() for a, b in itertools.combinations(sorted(m), 2)}


def metrics(pred: set, truth: set) -> str:
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(truth) if truth else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.4f}  R {r:.4f}  F1 {f1:.4f}  ({len(pred):,} pairs)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    full = data_file(max(args.n, 100_000))
    with tempfile.TemporaryDirectory(prefix="voronka-dedupe-path-") as tmp:
        workdir = Path(tmp)
        source = full
        if args.n < 100_000:  # the first n rows of the 100k file
            source = workdir / f"contacts_{args.n}.csv"
            with full.open(encoding="utf-8") as fh, source.open("w", encoding="utf-8") as out:
                for i, line in enumerate(fh):
                    if i > args.n:
                        break
                    out.write(line)
        url, drop = fresh_database(args.database_url, workdir, 0)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SUPERUSER_PASSWORD": "bench-only"}
        try:
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "createsuperuser", "--noinput", "--username", "admin",
                   "--email", "admin@example.com")  # fmt: skip
            t_import = manage(env, "import_records", str(source), "--kind", "contacts")
            out = workdir / "pairs.json"
            t_scan = manage(env, "dedupe_scan", "--kind", "contact", "--json", str(out))
        finally:
            drop()
        pairs = json.loads(out.read_text(encoding="utf-8"))
        truth = true_pairs(source)
    match = {tuple(sorted((p["a_external_id"], p["b_external_id"]))) for p in pairs if p["match"]}
    scored = {
        tuple(sorted((p["a_external_id"], p["b_external_id"])))
        for p in pairs
        if p["score"] is not None and p["score"] >= 1.0
    }
    every = {tuple(sorted((p["a_external_id"], p["b_external_id"]))) for p in pairs}
    print(f"contacts {args.n:,} ({'PostgreSQL' if args.database_url else 'SQLite'})")
    print(f"import_records {t_import:.1f} s; dedupe_scan (keys + scan + queue) {t_scan:.1f} s")
    print(f"match (one cluster):  {metrics(match, truth)}")
    print(f"score >= MATCH:       {metrics(scored, truth)}")
    print(f"all pairs written:    {metrics(every, truth)}")


if __name__ == "__main__":
    main()
