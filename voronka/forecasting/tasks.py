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


# Until this moment this process knows a queued refresh is still waiting (it cannot run
# before its ``run_after``), so a burst of saves asks the database nothing.
_waiting_until = None


def forget_waiting() -> None:
    global _waiting_until
    _waiting_until = None


def request_refresh(delay: timedelta | None = DEBOUNCE) -> bool:
    """Queue a refresh unless one is already waiting. True if one was queued.
    ``delay=None``: run as soon as a worker is free ("compute now")."""
    global _waiting_until
    now = timezone.now()
    if delay and _waiting_until is not None and now < _waiting_until:
        return False
    if refresh_pending():
        if delay:
            _waiting_until = now + delay  # look again after a while, not on every save
        return False
    run_after = now + delay if delay else None
    refresh_forecast.using(run_after=run_after).enqueue()
    _waiting_until = run_after
    return True
