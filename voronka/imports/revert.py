"""Revert a finished import: the records it created go to the recycle bin, the records it
updated get back the values they had before it, all in one transaction.

What the import did is read from its ``ImportedRecord`` rows; an updated record's former
values from its history (the row before the import's own), and what that history does not
hold (phones, e-mails, replaced stage changes, a deal's contacts) from the row's
``before``. A field someone changed after the import keeps today's value and is reported.
An import whose records a later import changed again cannot be reverted before that one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from voronka.contacts.models import EmailAddress, PhoneNumber
from voronka.deals.models import Deal, StageChange
from voronka.imports import fastinsert
from voronka.imports.models import ImportedRecord, ImportJob, JobStatus
from voronka.imports.parsing import gettext_noop

REASON = "import reverted"
BATCH = 1000
# never copied back from history: keys and bookkeeping
SKIP_FIELDS = {"id", "updated_at", "deleted_at", "deleted_by_id", "version"}


class RevertRefused(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass
class RevertResult:
    deleted: dict[str, int] = field(default_factory=dict)  # model label -> records binned
    restored: dict[str, int] = field(default_factory=dict)  # model label -> records restored
    kept: list[dict] = field(default_factory=list)  # fields changed after the import

    def as_json(self) -> dict:
        return {"deleted": self.deleted, "restored": self.restored, "kept": self.kept[:1000]}


def revert_check(job: ImportJob) -> None:
    """Raise RevertRefused when the job cannot be reverted (now)."""
    if job.status != JobStatus.DONE:
        raise RevertRefused(gettext_noop("Only a finished import can be reverted."))
    if not job.records.exists():
        raise RevertRefused(
            gettext_noop("This import kept no list of its records, so it cannot be reverted.")
        )
    mine = set(job.records.values_list("model", "record_id"))
    later = ImportedRecord.objects.filter(
        job__status=JobStatus.DONE, job__finished_at__gt=job.finished_at
    ).values_list("model", "record_id", "job_id")
    for model, record_id, other in later.iterator(chunk_size=5000):
        if (model, record_id) in mine:
            raise RevertRefused(
                gettext_noop("Import #%(other)s changed the same records later; revert it first."),
                other=other,
            )


@transaction.atomic
def import_revert(job: ImportJob, *, by) -> RevertResult:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    revert_check(job)
    now = timezone.now()
    created: dict[str, list[int]] = defaultdict(list)
    updated: dict[str, dict[int, dict | None]] = defaultdict(dict)
    for model, record_id, action, before in job.records.values_list(
        "model", "record_id", "action", "before"
    ).iterator(chunk_size=5000):
        if action == ImportedRecord.CREATED:
            created[model].append(record_id)
        else:
            updated[model][record_id] = before
    result = RevertResult()
    for label, ids in updated.items():
        _restore(apps.get_model(label), ids, job, by, result)
    for label, ids in created.items():
        _bin(apps.get_model(label), ids, by, now, result)
    job.status = JobStatus.REVERTED
    job.reverted_at = now
    job.reverted_by = by
    job.report = {**job.report, "reverted": result.as_json()}
    job.save(update_fields=["status", "reverted_at", "reverted_by", "report", "updated_at"])
    _after(created, updated)
    return result


def _bin(model, ids: list[int], by, now: datetime, result: RevertResult) -> None:
    """Created records to the recycle bin, as a delete by the user would."""
    n = 0
    for start in range(0, len(ids), BATCH):
        objs = list(model.objects.filter(pk__in=ids[start : start + BATCH]))
        for obj in objs:
            obj.deleted_at = now
            obj.deleted_by = by
        # the same two values for all: one UPDATE, then a history row each
        model.all_objects.filter(pk__in=[o.pk for o in objs]).update(deleted_at=now, deleted_by=by)
        fastinsert.create_history(
            objs, model, history_user=by, history_reason=REASON, now=now, history_type="~"
        )
        n += len(objs)
    result.deleted[model._meta.label_lower] = n


def _restore(model, befores: dict[int, dict | None], job: ImportJob, by, result) -> None:
    """Updated records get back the values of the history row before the import's."""
    history = model.history.model
    names = {f.attname: f.name for f in model._meta.concrete_fields}
    kept_in_history = {f.attname for f in history._meta.concrete_fields}
    fields = [a for a in names if a not in SKIP_FIELDS and a in kept_in_history]
    ids = sorted(befores)
    label = model._meta.label_lower
    n = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows: dict[int, list] = defaultdict(list)
        for row in history.objects.filter(id__in=chunk).order_by("history_date", "history_id"):
            rows[row.id].append(row)
        current = {o.pk: o for o in model.all_objects.filter(pk__in=chunk)}
        changed_objs, changed_fields = [], set()
        for pk in chunk:
            obj = current.get(pk)
            pair = _import_row(rows.get(pk, []), job)
            if obj is None or pair is None:
                continue
            before, imported = pair
            changes = False
            for name in fields:
                old, new = getattr(before, name), getattr(imported, name)
                if old == new:
                    continue
                if getattr(obj, name) != new:  # changed again after the import: kept
                    result.kept.append({"model": label, "id": pk, "field": name})
                    continue
                setattr(obj, name, old)
                changed_fields.add(name)
                changes = True
            if model is Deal and changes:
                obj.version += 1
                changed_fields.add("version")
            if changes:
                changed_objs.append(obj)
            n += 1
        if changed_objs:
            bulk_update_with_history(
                changed_objs,
                model,
                sorted(names[f] for f in changed_fields),
                default_user=by,
                default_change_reason=REASON,
            )
        _restore_children(model, {pk: befores[pk] for pk in chunk if befores[pk]})
    result.restored[label] = n


def _import_row(rows: list, job: ImportJob):
    """(the history row before the import's, the import's own) or None."""
    for i, row in enumerate(rows):
        if (
            i > 0
            and row.history_change_reason == "import"
            and job.started_at is not None
            and job.started_at <= row.history_date <= job.finished_at
        ):
            return rows[i - 1], row
    return None


def _restore_children(model, befores: dict[int, dict]) -> None:
    """Phones, e-mails, replaced stage changes and deal contacts, as they were."""
    if not befores:
        return
    ids = list(befores)
    if model is Deal:
        StageChange.objects.filter(deal_id__in=ids).exclude(external_id="").delete()
        StageChange.objects.bulk_create(
            StageChange(
                deal_id=pk, **{**row, "changed_at": datetime.fromisoformat(row["changed_at"])}
            )
            for pk, before in befores.items()
            for row in before.get("stage_changes", [])
        )
        through = Deal.contacts.through
        for pk, before in befores.items():
            through.objects.filter(deal_id=pk).exclude(
                contact_id__in=before.get("contacts", [])
            ).delete()
        _refresh_derived(ids)
        return
    # only those the import replaced (a record's ``before`` has the key then)
    link = "contact" if model._meta.model_name == "contact" else "company"
    with_phones = [pk for pk, before in befores.items() if "phones" in before]
    with_emails = [pk for pk, before in befores.items() if "emails" in before]
    PhoneNumber.objects.filter(**{f"{link}_id__in": with_phones}).delete()
    EmailAddress.objects.filter(**{f"{link}_id__in": with_emails}).delete()
    PhoneNumber.objects.bulk_create(
        PhoneNumber(**{f"{link}_id": pk}, raw=raw, e164=e164, extension=ext, position=i)
        for pk in with_phones
        for i, (raw, e164, ext) in enumerate(befores[pk]["phones"])
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(**{f"{link}_id": pk}, email=email, normalized=norm, position=i)
        for pk in with_emails
        for i, (email, norm) in enumerate(befores[pk]["emails"])
    )


def _refresh_derived(deal_ids: list[int]) -> None:
    """What a deal's history does not keep: when it entered its (restored) stage, and its
    search text."""
    from voronka.deals.services import refresh_search_text

    entered: dict[int, object] = {}
    for deal_id, stage_id, at in StageChange.objects.filter(deal_id__in=deal_ids).values_list(
        "deal_id", "to_stage_id", "changed_at"
    ):
        entered[(deal_id, stage_id)] = max(at, entered.get((deal_id, stage_id), at))
    deals = list(Deal.all_objects.filter(pk__in=deal_ids))
    for deal in deals:
        deal.stage_entered_at = entered.get((deal.pk, deal.stage_id), deal.created_at)
    Deal.all_objects.bulk_update(deals, ["stage_entered_at"], batch_size=BATCH)
    refresh_search_text(deal_ids)


def _after(created, updated) -> None:
    """What other parts keep about these records: deal activity dates, duplicate keys, the
    forecast."""
    from voronka.activities.services import refresh_deal_activity
    from voronka.dedupe.services import keys_mark_stale
    from voronka.dedupe.tasks import request_keys
    from voronka.forecasting.signals import deal_changed

    note_ids = created.get("activities.note", [])
    if note_ids:
        from voronka.activities.models import Note

        for deal_id in set(
            Note.all_objects.filter(pk__in=note_ids).values_list("deal_id", flat=True)
        ):
            refresh_deal_activity(deal_id)
    for kind, label in (("contact", "contacts.contact"), ("company", "contacts.company")):
        ids = list(updated.get(label, {}))
        if ids:
            keys_mark_stale(kind, ids)
            # their deals are found by their names
            if kind == "contact":
                deals = Deal.contacts.through.objects.filter(contact_id__in=ids)
                deal_ids = set(deals.values_list("deal_id", flat=True))
            else:
                deal_ids = set(
                    Deal.all_objects.filter(company_id__in=ids).values_list("pk", flat=True)
                )
            from voronka.deals.services import refresh_search_text

            refresh_search_text(sorted(deal_ids))
    request_keys()
    if "deals.deal" in created or "deals.deal" in updated:
        deal_changed(Deal)
