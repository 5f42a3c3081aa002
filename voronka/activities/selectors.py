"""Reads of activities for the "my day" page, always from ``visible_to(user)``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from voronka.activities.models import Activity

UPCOMING_DAYS = 7


@dataclass
class DayGroups:
    overdue: list = field(default_factory=list)
    today: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    undated: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming) + len(self.undated)


def day_bounds(now: datetime | None = None) -> tuple[datetime, datetime, datetime]:
    """(now, start of tomorrow, end of the 7 days after today) in the current time zone."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    tomorrow = timezone.make_aware(
        datetime.combine(local.date() + timedelta(days=1), time.min), local.tzinfo
    )
    return now, tomorrow, tomorrow + timedelta(days=UPCOMING_DAYS)


def day_activities(viewer, member, now: datetime | None = None) -> DayGroups:
    """Open activities of ``member`` as ``viewer`` may see them: overdue, today, next 7 days."""
    now, tomorrow, horizon = day_bounds(now)
    rows = (
        Activity.objects.visible_to(viewer)
        .filter(owner=member, done=False)
        .exclude(due_at__gte=horizon)
        .select_related("deal", "contact", "company")
        .order_by("due_at", "pk")[:500]
    )
    groups = DayGroups()
    for a in rows:
        if a.due_at is None:
            groups.undated.append(a)
        elif a.due_at < now:
            groups.overdue.append(a)
        elif a.due_at < tomorrow:
            groups.today.append(a)
        else:
            groups.upcoming.append(a)
    return groups
