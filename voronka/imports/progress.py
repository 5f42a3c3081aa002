"""Progress of a running import, kept in a small file beside its upload.

The import writes in one transaction; on SQLite that transaction holds the only write
lock, and on any database its uncommitted rows are invisible to others, so progress
written to the database from inside it could not be read (or would block). A JSON file
replaced atomically works the same on both databases. It also names the worker's
process, so a job whose worker died can be told from one that is still running.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from django.conf import settings

STALE_SECONDS = 600  # a live worker writes more often than this


def job_dir(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(job_id)


def progress_path(job_id: int) -> Path:
    return job_dir(job_id) / "progress.json"


def write(job_id: int, done: int, total: int, phase: str) -> None:
    path = progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "done": min(done, total),
        "total": total,
        "phase": phase,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "at": time.time(),
    }
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def read(job_id: int) -> dict | None:
    try:
        return json.loads(progress_path(job_id).read_text())
    except (OSError, ValueError):
        return None


def clear(job_id: int) -> None:
    try:
        progress_path(job_id).unlink()
    except OSError:
        pass


def worker_alive(data: dict | None) -> bool:
    """Whether the process that wrote ``data`` still runs (on this host; elsewhere, whether
    it wrote recently)."""
    if not data:
        return False
    if time.time() - data.get("at", 0) > STALE_SECONDS:
        return False
    if data.get("host") != socket.gethostname():
        return True
    try:
        os.kill(int(data["pid"]), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, KeyError, ValueError, TypeError):
        return True
    return _not_zombie(int(data["pid"]))


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def percent(data: dict | None) -> int:
    if not data or not data.get("total"):
        return 0
    return int(100 * data["done"] / data["total"])
