"""The import as a background job (django-tasks; the database backend by default).

A job commits ``running`` first, then writes the whole file and ``done`` with its report in
one transaction. If the worker dies halfway the database rolls that transaction back, so
nothing of the file is saved; :func:`recover_stale_jobs` (run by the job page, the job
list and ``manage.py import_recover``) finds the running job whose worker is gone and
queues it again, up to ``MAX_ATTEMPTS`` runs, after which it is marked rolled back.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from voronka.deals.models import Pipeline
from voronka.imports import parsing, progress
from voronka.imports.importer import ImportRefused, Options, Report, run_import
from voronka.imports.models import ImportedRecord, ImportJob, JobStatus
from voronka.imports.parsing import gettext_noop

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
STARTING_GRACE_SECONDS = 60


@task()
def run_import_job(job_id: int) -> str:
    return execute_job(job_id)


def enqueue(job: ImportJob) -> None:
    job_id = job.pk
    transaction.on_commit(lambda: run_import_job.enqueue(job_id))


def _fail(job_id: int, status: str, report: dict, error: str = "") -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status, report=report, error=error, finished_at=timezone.now()
    )


def execute_job(job_id: int) -> str:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return "skipped"
        if job.attempts >= MAX_ATTEMPTS:
            _fail(job_id, JobStatus.ROLLED_BACK, job.report, "attempts")
            return JobStatus.ROLLED_BACK
        # Name this worker in the progress file before the job shows as running.
        progress.write(job_id, 0, job.rows_total, "start")
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    media = Path(settings.MEDIA_ROOT)
    try:
        table = parsing.read_path(str(media / job.path), job.filename)
        changes = None
        if job.stage_changes_path:
            changes = parsing.read_path(
                str(media / job.stage_changes_path), job.stage_changes_filename
            )
        mapping = job.mapping or {}
        options = Options(
            kind=job.kind,
            by=job.created_by,
            fields=mapping.get("fields") or {},
            stages=mapping.get("stages") or {},
            pipeline=Pipeline.objects.filter(pk=job.pipeline_id).first(),
            stage_change_fields=mapping.get("stage_changes") or {},
            skip_invalid=job.skip_invalid,
        )
        total = len(table.rows)

        def report_progress(done, _total, phase):
            progress.write(job_id, done, total, phase)

        def finish(report: Report):
            # Inside the import's transaction: done and the data commit together.
            ImportJob.objects.filter(pk=job_id).update(
                status=JobStatus.DONE,
                report=report.as_json(),
                created=report.created,
                updated=report.updated,
                skipped=report.skipped,
                rows_total=total,
                finished_at=timezone.now(),
                error="",
            )
            ImportedRecord.objects.bulk_create(
                (
                    ImportedRecord(job_id=job_id, model=m, record_id=pk, action=a, before=b)
                    for m, pk, a, b in report.touched
                ),
                batch_size=2000,
            )

        run_import(
            table, options, stage_changes=changes, progress=report_progress, on_commit_job=finish
        )
    except parsing.FileRejected as exc:
        _fail(
            job_id, JobStatus.FAILED, {"file_error": {"message": exc.message, "params": exc.params}}
        )
    except ImportRefused as exc:
        _fail(
            job_id,
            JobStatus.FAILED,
            Report(rows=0, errors=exc.errors).as_json() | {"refused": True},
        )
    except Exception:
        log.exception("import job %s failed", job_id)
        _fail(
            job_id,
            JobStatus.ROLLED_BACK,
            {
                "file_error": {
                    "message": gettext_noop(
                        "The import stopped on an unexpected error; nothing was saved."
                    ),
                    "params": {},
                }
            },
            "error",
        )
    finally:
        progress.clear(job_id)
    return ImportJob.objects.get(pk=job_id).status


def recover_stale_jobs(queryset=None) -> int:
    """Queue again (or give up on) running jobs whose worker is gone. Returns how many."""
    qs = queryset if queryset is not None else ImportJob.objects.all()
    n = 0
    grace = timezone.now() - timedelta(seconds=STARTING_GRACE_SECONDS)
    for job in qs.filter(status=JobStatus.RUNNING):
        data = progress.read(job.pk)
        if progress.worker_alive(data):
            continue
        if data is None and job.started_at and job.started_at > grace:
            continue
        with transaction.atomic():
            if job.attempts >= MAX_ATTEMPTS:
                _fail(job.pk, JobStatus.ROLLED_BACK, job.report, "attempts")
            else:
                updated = ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                    status=JobStatus.QUEUED
                )
                if updated:
                    enqueue(job)
        progress.clear(job.pk)
        n += 1
    return n
