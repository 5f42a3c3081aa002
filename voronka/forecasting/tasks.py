"""Background jobs of the forecast (django-tasks; ``manage.py db_worker`` runs them).

Deal changes ask for a refresh with :func:`request_refresh`, after their transaction
commits. The request is debounced: while a refresh is waiting in the queue another is not
added, and a new one waits ``DEBOUNCE`` so that a burst of edits (a bulk edit, an import)
costs one recomputation.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

DEBOUNCE = timedelta(seconds=30)


@task()
def refresh_forecast() -> int:
    from voronka.forecasting.compute import compute_forecast

    return compute_forecast().pk


def refresh_pending() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=refresh_forecast.module_path, status="READY"
    ).exists()


def request_refresh(delay: timedelta = DEBOUNCE) -> bool:
    """Queue a refresh unless one is already waiting. True if one was queued."""
    if refresh_pending():
        return False
    run_after = timezone.now() + delay if delay else None
    refresh_forecast.using(run_after=run_after).enqueue()
    return True
