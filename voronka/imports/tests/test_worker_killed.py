"""A real ``manage.py db_worker`` is killed (SIGKILL) halfway through a large import:
nothing of the file is saved; after a restart the job is queued again and imports exactly
once. Runs against its own database (a SQLite file, or a PostgreSQL database named after
the test database) because the worker is another process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from bench.imports.generate import generate

ROOT = Path(settings.BASE_DIR)
N_DEALS = 6_000


def _database_url(tmp_path) -> tuple[str, callable]:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{tmp_path / 'kill.sqlite3'}", lambda: None
    import psycopg

    name = f"{db['NAME']}_killtest"
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }

    def drop():
        with psycopg.connect(**params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user = params["user"] + (f":{params['password']}" if params["password"] else "")
    return f"postgres://{user}@{params['host']}:{params['port']}/{name}", drop


SETUP = """
from django.core.files.uploadedfile import SimpleUploadedFile
from voronka.accounts.models import User
from voronka.deals.setup import ensure_default_pipeline
from voronka.imports import services
import json, sys
ensure_default_pipeline()
admin = User.objects.create_superuser("admin", "admin@example.ru", "x-Voronka-1")
d = json.loads(sys.argv[-1]) if False else json.loads(open(ARGS).read())
job = services.job_create(
    by=admin, kind="deals",
    upload=SimpleUploadedFile("deals.csv", open(d["deals"], "rb").read()),
    stage_changes=SimpleUploadedFile("changes.csv", open(d["changes"], "rb").read()),
)
mapping = json.load(open(d["mapping"], encoding="utf-8"))
services.job_set_mapping(job, fields=mapping["fields"], stages=mapping["stages"],
                         stage_changes=mapping["stage_changes"])
services.job_start(job, skip_invalid=False)
print(job.pk)
"""

COUNTS = """
import json
from voronka.contacts.models import Company, Contact
from voronka.deals.models import Deal, StageChange
from voronka.imports.models import ImportJob
job = ImportJob.objects.get()
print(json.dumps({
    "deals": Deal.all_objects.count(),
    "keys": Deal.all_objects.values("external_id").distinct().count(),
    "changes": StageChange.objects.count(),
    "companies": Company.all_objects.count(),
    "contacts": Contact.all_objects.count(),
    "history": Deal.history.count(),
    "status": job.status,
    "attempts": job.attempts,
}))
"""


def test_killed_worker_leaves_nothing_and_the_job_resumes(tmp_path):
    paths = generate(N_DEALS, tmp_path / "files", seed=3)
    url, drop = _database_url(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "VORONKA_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "voronka.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]

    def shell(code: str) -> str:
        args = tmp_path / "args.json"
        args.write_text(json.dumps({k: str(v) for k, v in paths.items()}))
        code = f"ARGS = {str(args)!r}\n" + code
        out = subprocess.run(
            [*manage, "shell", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip().splitlines()[-1]

    try:
        subprocess.run(
            [*manage, "migrate", "--skip-checks", "-v0"], env=env, check=True, timeout=120
        )
        job_id = int(shell(SETUP))
        progress_file = tmp_path / "media" / "imports" / str(job_id) / "progress.json"

        worker = subprocess.Popen(
            [*manage, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
            + ["--skip-checks"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        killed_at = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None:
            try:
                data = json.loads(progress_file.read_text())
            except (OSError, ValueError):
                data = None
            if data and data["phase"] == "write" and data["done"] >= data["total"] // 2:
                os.killpg(worker.pid, signal.SIGKILL)  # the worker and anything it started
                killed_at = data["done"]
                break
            time.sleep(0.01)
        if worker.poll() is None and killed_at is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        assert killed_at is not None, "the worker finished or stalled before halfway"
        assert 0 < killed_at < N_DEALS

        after_kill = json.loads(shell(COUNTS))
        assert after_kill == {
            "deals": 0,
            "keys": 0,
            "changes": 0,
            "companies": 0,
            "contacts": 0,
            "history": 0,
            "status": "running",
            "attempts": 1,
        }

        # Restart: the stale job is found (its worker is gone) and queued again.
        out = subprocess.run(
            [*manage, "import_recover", "--skip-checks"], env=env, capture_output=True, text=True
        )
        assert "1 import jobs recovered" in out.stdout, out.stderr
        subprocess.run(
            [*manage, "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--skip-checks"],
            env=env,
            check=True,
            timeout=180,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        final = json.loads(shell(COUNTS))
        assert final["status"] == "done" and final["attempts"] == 2
        assert final["deals"] == final["keys"] == final["history"] == N_DEALS
        assert final["changes"] > N_DEALS
    finally:
        drop()
