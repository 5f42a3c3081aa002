"""Check on create: p50/p95 of one candidate lookup + score with N contacts indexed.

    .venv/bin/python bench/dedupe/check_bench.py 1000000

Builds an in-memory :class:`CheckIndex` from the generated contacts (the production index
is the DB's key columns), then times ``candidates()`` for 1,000 new records drawn from the
same generator (a mix of duplicates and new people).
"""

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import data_file  # noqa: E402

from voronka.dedupe.matching import CheckIndex, Record, make_keys  # noqa: E402


def main(n: int, probes: int = 1000):
    index = CheckIndex()
    rows = []
    t0 = time.perf_counter()
    with open(data_file(n), encoding="utf-8") as fh:
        for k, row in enumerate(csv.DictReader(fh)):
            rec = Record(name=row["name"], phones=row["phones"], emails=row["emails"],
                         company=row["company"])  # fmt: skip
            index.add(k, make_keys(rec))
            if k % (n // probes) == 0:
                rows.append(rec)
    build = time.perf_counter() - t0
    times = []
    hits = 0
    for rec in rows[:probes]:
        t = time.perf_counter()
        found = index.candidates(make_keys(rec))
        times.append((time.perf_counter() - t) * 1000)
        hits += bool(found)
    times.sort()
    p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    print(f"indexed {len(index)} in {build:.0f}s; {len(times)} checks: p50 {p50:.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms; with candidates: {hits}")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
