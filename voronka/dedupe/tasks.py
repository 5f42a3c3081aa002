"""Background jobs of the duplicate control (django-tasks; ``manage.py db_worker`` runs them)."""

from django_tasks import task

from voronka.dedupe.services import scan_run


@task()
def dedupe_scan(kind: str = "") -> list[dict]:
    """Score the whole base of contacts and/or companies and fill the review queue."""
    kinds = [kind] if kind else ["contact", "company"]
    return [scan_run(k) for k in kinds]
