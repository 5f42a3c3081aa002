"""Writes of the import wizard: a job is created from an upload, mapped, then started."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from voronka.imports import parsing
from voronka.imports.importer import mapping_signature
from voronka.imports.models import ImportJob, JobStatus, SavedMapping


class JobError(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


def _store(upload, folder: Path, stem: str) -> tuple[str, parsing.Table]:
    """Save an upload under MEDIA_ROOT and read it (refused by size before reading)."""
    parsing.check_size(upload.size)
    suffix = ".xlsx" if upload.name.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}{suffix}"
    with open(path, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    table = parsing.read_path(str(path), upload.name)
    return str(path.relative_to(settings.MEDIA_ROOT)), table


@transaction.atomic
def job_create(*, by, kind: str, upload, stage_changes=None, pipeline=None) -> ImportJob:
    """Raises parsing.FileRejected when a file cannot be read; nothing is kept then."""
    folder = Path(settings.MEDIA_ROOT) / "imports" / f"u{uuid.uuid4().hex}"
    try:
        path, table = _store(upload, folder, "source")
        sc_path, sc_name = "", ""
        if stage_changes is not None and kind == "deals":
            sc_path, _sc = _store(stage_changes, folder, "stage_changes")
            sc_name = stage_changes.name[:255]
    except parsing.FileRejected:
        _remove(folder)
        raise
    saved = SavedMapping.objects.filter(
        kind=kind, signature=mapping_signature(table.headers)
    ).first()
    if saved is not None:
        mapping = saved.mapping
    else:
        mapping = {"fields": parsing.suggest_mapping(table.headers, kind), "stages": {}}
    if sc_path:
        mapping.setdefault("stage_changes", parsing.suggest_mapping(_sc.headers, "stage_changes"))
    return ImportJob.objects.create(
        created_by=by,
        kind=kind,
        filename=upload.name[:255],
        path=path,
        stage_changes_filename=sc_name,
        stage_changes_path=sc_path,
        pipeline=pipeline,
        headers=table.headers,
        rows_total=len(table.rows),
        mapping=mapping,
    )


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@transaction.atomic
def job_set_mapping(job: ImportJob, *, fields: dict, stages: dict, stage_changes=None):
    if job.status != JobStatus.UPLOADED:
        raise JobError(parsing.gettext_noop("This import has already been started."))
    job.mapping = {
        "fields": {k: v for k, v in fields.items() if v},
        "stages": {k: v for k, v in stages.items() if v},
        "stage_changes": stage_changes or job.mapping.get("stage_changes") or {},
    }
    job.save(update_fields=["mapping", "updated_at"])
    return job


@transaction.atomic
def job_start(job: ImportJob, *, skip_invalid: bool) -> ImportJob:
    from voronka.imports.tasks import enqueue

    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != JobStatus.UPLOADED:
        raise JobError(parsing.gettext_noop("This import has already been started."))
    locked.status = JobStatus.QUEUED
    locked.skip_invalid = skip_invalid
    locked.save(update_fields=["status", "skip_invalid", "updated_at"])
    SavedMapping.objects.update_or_create(
        kind=locked.kind,
        signature=mapping_signature(locked.headers),
        defaults={"mapping": locked.mapping},
    )
    enqueue(locked)
    return locked
