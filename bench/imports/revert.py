"""Time an import through the wizard's job (which also records what it created, for a
revert) and then its revert, on a fresh database.

    .venv/bin/python bench/imports/revert.py                  # SQLite, 100,000 deals
    .venv/bin/python bench/imports/revert.py --n 20000
    .venv/bin/python bench/imports/revert.py --database-url postgres://postgres@127.0.0.1:5432/voronka_import_bench

Same generated files as ``run.py``. Prints one JSON line: the job's import time, the revert
time and what the revert did. Not a test: it measures, it does not judge.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.imports.generate import generate  # noqa: E402
from bench.imports.run import run_in_fresh_database  # noqa: E402

TIMED = r"""
import json, sys, time
import django
django.setup()
from django.core.files import File
from voronka.accounts.models import User
from voronka.deals.models import Deal
from voronka.deals.setup import ensure_default_pipeline
from voronka.imports import services
from voronka.imports.revert import import_revert
from voronka.imports.tasks import execute_job
ensure_default_pipeline()
admin = User.objects.create_superuser("bench-admin", "bench@example.ru", "x-Voronka-1")
paths = json.loads(sys.argv[1])
mapping = json.load(open(paths["mapping"], encoding="utf-8"))
with open(paths["deals"], "rb") as deals, open(paths["changes"], "rb") as changes:
    job = services.job_create(by=admin, kind="deals", upload=File(deals, name="deals.csv"),
                              stage_changes=File(changes, name="stage_changes.csv"))
services.job_set_mapping(job, fields=mapping["fields"], stages=mapping["stages"],
                         stage_changes=mapping["stage_changes"])
services.job_start(job, skip_invalid=False)
t0 = time.perf_counter()
status = execute_job(job.pk)
t1 = time.perf_counter()
job.refresh_from_db()
records = job.records.count()
live = Deal.objects.count()
result = import_revert(job, by=admin)
t2 = time.perf_counter()
print(json.dumps({"status": status, "import_s": round(t1 - t0, 1), "records": records,
                  "deals_before_revert": live, "revert_s": round(t2 - t1, 1),
                  "deleted": result.deleted, "deals_after_revert": Deal.objects.count()}))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voronka-revert-bench-") as tmp:
        workdir = Path(tmp)
        paths = generate(args.n, workdir / "files", seed=7)
        result = run_in_fresh_database(TIMED, paths, args.database_url, workdir)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
