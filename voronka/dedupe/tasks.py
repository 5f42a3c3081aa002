"""Background jobs of the duplicate control (django-tasks; ``manage.py db_worker`` runs them)."""

import logging

from django_tasks import task

from voronka.core.transactions import on_commit_once
from voronka.dedupe.services import keys_backfill, scan_run

log = logging.getLogger(__name__)


@task()
def dedupe_scan(kind: str = "") -> list[dict]:
    """Score the whole base of contacts and/or companies and fill the review queue."""
    kinds = [kind] if kind else ["contact", "company"]
    return [scan_run(k) for k in kinds]


@task()
def dedupe_keys() -> dict:
    """Key the contacts and companies written in bulk (imports) or changed since keyed, so
    the check on create finds them without waiting for a scan."""
    return {kind: keys_backfill(kind) for kind in ("contact", "company")}


def _enqueue_keys():
    try:
        dedupe_keys.enqueue()
    except Exception:  # a missing queue must never undo or break the write that asked
        log.exception("could not queue keying of new records")


def request_keys() -> None:
    """After the current transaction commits, queue keying (once per transaction)."""
    on_commit_once(_enqueue_keys)
