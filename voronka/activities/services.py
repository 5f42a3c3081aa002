"""Writes to activities, notes and files; keeps the deal's next-step cache true."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from voronka.activities.models import Activity, Attachment, Note


def refresh_deal_activity(deal_id: int | None) -> None:
    """Recompute the deal's next step (nearest open activity) and last activity time."""
    if not deal_id:
        return
    from voronka.deals.models import Deal

    acts = Activity.objects.filter(deal_id=deal_id)
    next_step = acts.filter(done=False, due_at__isnull=False).aggregate(m=Min("due_at"))["m"]
    agg = acts.aggregate(done=Max("done_at"), created=Max("created_at"))
    note = Note.objects.filter(deal_id=deal_id).aggregate(m=Max("created_at"))["m"]
    candidates = [v for v in (agg["done"], agg["created"], note) if v is not None]
    Deal.all_objects.filter(pk=deal_id).update(
        next_step_at=next_step, last_activity_at=max(candidates) if candidates else None
    )


@transaction.atomic
def activity_create(*, by, **fields) -> Activity:
    activity = Activity(**fields)
    if activity.owner_id is None and by is not None:
        activity.owner = by
    if activity.done and activity.done_at is None:
        activity.done_at = timezone.now()
    activity._history_user = by
    activity.save()
    refresh_deal_activity(activity.deal_id)
    return activity


@transaction.atomic
def activity_update(activity: Activity, *, by, **fields) -> Activity:
    for name, value in fields.items():
        setattr(activity, name, value)
    if activity.done and activity.done_at is None:
        activity.done_at = timezone.now()
    if not activity.done:
        activity.done_at = None
    activity._history_user = by
    activity.save()
    refresh_deal_activity(activity.deal_id)
    return activity


@transaction.atomic
def activity_complete(activity: Activity, *, by, result: str = "") -> Activity:
    return activity_update(activity, by=by, done=True, result=result or activity.result)


@transaction.atomic
def activity_delete(activity: Activity, *, by) -> None:
    activity.deleted_at = timezone.now()
    activity.deleted_by = by
    activity._history_user = by
    activity.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    refresh_deal_activity(activity.deal_id)


@transaction.atomic
def note_create(*, by, body: str, **links) -> Note:
    note = Note(body=body, author=by, **links)
    note._history_user = by
    note.save()
    refresh_deal_activity(note.deal_id)
    return note


@transaction.atomic
def attachment_create(*, by, upload, **links) -> Attachment:
    att = Attachment(
        original_name=upload.name[:255],
        size=upload.size,
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        uploaded_by=by,
        **links,
    )
    att.file.save(upload.name, upload, save=False)
    att.save()
    return att
