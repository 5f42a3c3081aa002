"""Import benchmark: 100,000 deals with companies, contacts and stage history.

    .venv/bin/python bench/imports/run.py [--n 100000] [--repeat 3] [--database-url URL]

Without --database-url each run uses a fresh SQLite file; with a PostgreSQL URL the named
database is dropped and created again before each run (use a scratch name). Each run
migrates the empty database, creates an admin and the default pipeline, then times, in
one process, reading the files and the import itself (parse, validate, duplicate look-ups
of companies and contacts, one transaction of batched inserts with history rows,
search text and stage changes). Prints each run and the median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.imports.generate import generate  # noqa: E402

TIMED = r"""
import json, os, sys, time
import django
django.setup()
from voronka.accounts.models import User
from voronka.deals.setup import ensure_default_pipeline
ensure_default_pipeline()
admin = User.objects.create_superuser("bench-admin", "bench@example.ru", "x-Voronka-1")
from voronka.imports import parsing
from voronka.imports.importer import Options, run_import
from voronka.deals.models import Deal, StageChange
from voronka.contacts.models import Company, Contact
paths = json.loads(sys.argv[1])
mapping = json.load(open(paths["mapping"], encoding="utf-8"))
t0 = time.perf_counter()
c0 = time.process_time()
table = parsing.read_path(paths["deals"])
changes = parsing.read_path(paths["changes"])
t1 = time.perf_counter()
report = run_import(table, Options(kind="deals", by=admin, fields=mapping["fields"],
    stages=mapping["stages"], stage_change_fields=mapping["stage_changes"]),
    stage_changes=changes)
t2 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "import": t2 - t1, "total": t2 - t0,
    "cpu": time.process_time() - c0, "load": os.getloadavg()[0],
    "created": report.created, "deals": Deal.objects.count(),
    "stage_changes": StageChange.objects.count(), "companies": Company.objects.count(),
    "contacts": Contact.objects.count(), "errors": len(report.errors)}))
"""


def fresh_database(url: str | None, workdir: Path, run: int) -> tuple[str, callable]:
    if not url:
        return f"sqlite:///{workdir / f'bench{run}.sqlite3'}", lambda: None
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url, drop


def run_in_fresh_database(
    script: str, paths: dict, url: str | None, workdir: Path, run: int = 0
) -> dict:
    """Migrate a fresh database, run ``script`` in a new process on it (the generated
    files' paths as its argument) and return the JSON of its last line of output."""
    url, drop = fresh_database(url, workdir, run)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "voronka.settings",
        "VORONKA_MEDIA_ROOT": str(workdir / "media"),
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0", "--skip-checks"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        out = subprocess.run(
            [sys.executable, "-c", script, json.dumps({k: str(v) for k, v in paths.items()})],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        drop()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voronka-import-bench-") as tmp:
        workdir = Path(tmp)
        paths = generate(args.n, workdir / "files", seed=7)
        sizes = {k: round(p.stat().st_size / 2**20, 1) for k, p in paths.items()}
        print(f"{args.n} deals; files (MB): {sizes}")
        results = []
        for run in range(args.repeat):
            result = run_in_fresh_database(TIMED, paths, args.database_url, workdir, run)
            results.append(result)
            print(
                f"run {run + 1}: read {result['read']:.1f} s, import {result['import']:.1f} s, "
                f"total {result['total']:.1f} s (CPU of this process {result['cpu']:.1f} s, load "
                f"average {result['load']:.1f}); deals {result['deals']}, stage changes "
                f"{result['stage_changes']}, companies {result['companies']}, contacts "
                f"{result['contacts']}, row errors {result['errors']}"
            )
        for key in ("read", "import", "total", "cpu"):
            print(f"median {key}: {statistics.median(r[key] for r in results):.1f} s")


if __name__ == "__main__":
    main()
