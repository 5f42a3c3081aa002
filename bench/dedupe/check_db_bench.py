"""Check on create against the database: p50/p95 of the stored-key look-up + score.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voronka_checkbench \\
        .venv/bin/python bench/dedupe/check_db_bench.py 100000

Without DATABASE_URL a SQLite file in $VORONKA_BENCH_DIR is used. The database is
migrated, filled with N generated contacts (rows written in bulk, keys stored as the
contacts services store them), then 1,000 records of the base are checked the way the
warning while typing checks them (``keystore.candidates``: index look-ups, fetch of the
candidates' keys, vectorised score). The database is left in place for reruns.
"""

import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import data_file  # noqa: E402


def main(n: int, probes: int = 1000) -> None:
    bench_dir = Path(os.environ.get("VORONKA_BENCH_DIR", "/tmp/voronka-bench"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{bench_dir}/check_db_{n}.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voronka.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from voronka.contacts.models import Contact
    from voronka.dedupe import keystore
    from voronka.dedupe.matching import Record, make_keys
    from voronka.dedupe.models import RecordKeys

    call_command("migrate", verbosity=0)
    rows = []
    with open(data_file(n), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows.append(Record(name=row["name"], phones=row["phones"], emails=row["emails"],
                               company=row["company"]))  # fmt: skip
    t0 = time.perf_counter()
    have = RecordKeys.objects.filter(kind="contact").count()
    if have < n:
        Contact.all_objects.all().delete()
        RecordKeys.objects.all().delete()
        keystore.MatchKey.objects.all().delete()
        batch = 5000
        for start in range(0, n, batch):
            chunk = rows[start : start + batch]
            Contact.objects.bulk_create(
                [Contact(pk=start + i + 1, name=r.name[:300]) for i, r in enumerate(chunk)]
            )
            keystore.store_many(
                "contact", [(start + i + 1, make_keys(r)) for i, r in enumerate(chunk)]
            )
    load = time.perf_counter() - t0
    from django.db import connection

    with connection.cursor() as cur:  # fresh statistics, as autovacuum would leave them
        cur.execute("ANALYZE")
    step = max(1, n // probes)
    times, hits = [], 0
    for k in range(0, n, step)[:probes]:
        keys = make_keys(rows[k])
        t = time.perf_counter()
        found = keystore.candidates("contact", keys, exclude=k + 1)
        times.append((time.perf_counter() - t) * 1000)
        hits += bool(found)
    times.sort()
    p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    print(f"{connection.vendor}: {n} contacts stored ({load:.0f} s); {len(times)} checks: "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms; "
          f"with candidates: {hits}")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
