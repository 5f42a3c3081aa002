"""The import wizard: upload -> column mapping -> preview -> run -> progress -> report.

Only a head of sales or an administrator imports; for anyone else these screens do not
exist (404), like the process settings. A head sees their own and their team's imports.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from voronka.core.phones import Phone
from voronka.imports import parsing, progress, selectors, services
from voronka.imports.forms import MappingForm, StartForm, UploadForm
from voronka.imports.importer import (
    CompanyImport,
    ContactImport,
    DealImport,
    Options,
    target_pipeline,
)
from voronka.imports.models import ImportedRecord, JobStatus
from voronka.imports.revert import RevertRefused, import_revert, revert_check
from voronka.imports.tasks import recover_stale_jobs

PREVIEW_ROWS = 20
SHOWN_ERRORS = 200


def importer_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(request.user, "can_manage_process", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _render_message(message: str, params: dict | None) -> str:
    text = gettext(message)
    return text % params if params else text


@require_http_methods(["GET", "POST"])
@importer_required
def start(request):
    jobs = selectors.jobs_for(request.user)
    recover_stale_jobs(jobs)
    form = UploadForm()
    status, upload_error = 200, ""
    if request.method == "POST":
        # Refuse an oversized upload by its declared length, before Django reads the body.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        limit = parsing.DEFAULT_LIMITS.max_bytes
        if length > 2 * limit + 2**20:
            upload_error = _render_message(
                parsing.gettext_noop(
                    "The file is too large: %(size)s MB; at most %(limit)s MB is accepted."
                ),
                {"size": round(length / 2**20, 1), "limit": round(limit / 2**20)},
            )
            status = 413
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    job = services.job_create(
                        by=request.user,
                        kind=form.cleaned_data["kind"],
                        upload=form.cleaned_data["file"],
                        stage_changes=form.cleaned_data.get("stage_changes"),
                        pipeline=form.cleaned_data.get("pipeline"),
                    )
                except parsing.FileRejected as exc:
                    form.add_error("file", exc.render(gettext))
                    status = 400
                else:
                    return redirect("imports:mapping", pk=job.pk)
            else:
                status = 400
    return render(
        request,
        "imports/start.html",
        {"form": form, "jobs": jobs[:20], "upload_error": upload_error},
        status=status,
    )


def _pipeline(job):
    return target_pipeline(job.pipeline)


def _table(job):
    return parsing.read_path(str(Path(settings.MEDIA_ROOT) / job.path), job.filename)


def _stage_values(job, table, fields) -> list[str]:
    if job.kind != "deals":
        return []
    values = []
    if fields.get("stage"):
        values += parsing.distinct_values(table, fields["stage"], 200)
    if job.stage_changes_path:
        try:
            sc = parsing.read_path(
                str(Path(settings.MEDIA_ROOT) / job.stage_changes_path),
                job.stage_changes_filename,
            )
        except parsing.FileRejected:
            sc = None
        sc_fields = job.mapping.get("stage_changes") or {}
        for name in ("from_stage", "to_stage"):
            if sc is not None and sc_fields.get(name):
                values += parsing.distinct_values(sc, sc_fields[name], 200)
    return list(dict.fromkeys(values))[:200]


@require_http_methods(["GET", "POST"])
@importer_required
def mapping(request, pk):
    job = selectors.job_get(request.user, pk)
    if job.status != JobStatus.UPLOADED:
        return redirect("imports:job", pk=job.pk)
    table = _table(job)
    pipeline = _pipeline(job)
    stage_names = list(pipeline.stages.order_by("order", "pk").values_list("name", flat=True))
    data = request.POST if request.method == "POST" else None
    fields = job.mapping.get("fields", {})
    if data is not None:
        fields = {s.name: data.get(f"f_{s.name}", "") for s in parsing.FIELDS[job.kind]}
    form = MappingForm(
        data,
        job=job,
        stage_values=_stage_values(job, table, fields),
        stage_names=stage_names,
    )
    if data is not None and form.is_valid():
        fields, stages = form.mapping()
        services.job_set_mapping(job, fields=fields, stages=stages)
        return redirect("imports:preview", pk=job.pk)
    return render(
        request,
        "imports/mapping.html",
        {"job": job, "form": form, "pipeline": pipeline},
        status=400 if data is not None else 200,
    )


def _display(value) -> str:
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(v.e164 if isinstance(v, Phone) else str(v) for v in value)
    return str(value)


@require_http_methods(["GET", "POST"])
@importer_required
def preview(request, pk):
    job = selectors.job_get(request.user, pk)
    if job.status != JobStatus.UPLOADED:
        return redirect("imports:job", pk=job.pk)
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.job_start(job, skip_invalid=form.cleaned_data["skip_invalid"])
        except services.JobError:
            pass
        return redirect("imports:job", pk=job.pk)
    file_error = None
    columns, rows, errors, n_errors, bad = [], [], [], 0, 0
    try:
        table = _table(job)
        sc = None
        if job.stage_changes_path:
            sc = parsing.read_path(
                str(Path(settings.MEDIA_ROOT) / job.stage_changes_path),
                job.stage_changes_filename,
            )
        importer_class = {
            "deals": DealImport,
            "contacts": ContactImport,
            "companies": CompanyImport,
        }[job.kind]
        options = Options(
            kind=job.kind,
            by=request.user,
            fields=job.mapping.get("fields", {}),
            stages=job.mapping.get("stages", {}),
            pipeline=_pipeline(job),
            stage_change_fields=job.mapping.get("stage_changes") or {},
        )
        importer = importer_class(table, options, sc)
        importer.validate()
    except parsing.FileRejected as exc:
        file_error = exc.render(gettext)
    else:
        names = parsing.typed_fields(job.kind, options.fields)
        columns = list(names) + (["→ stage"] if job.kind == "deals" else [])
        plans = getattr(importer, "plans", {})
        for r in importer.rows[:PREVIEW_ROWS]:
            cells = [_display(r.values[n]) if n in r.values else "" for n in names]
            if job.kind == "deals":
                plan = plans.get(r.row)
                cells.append(plan[0].name if plan else "")
            rows.append({"row": r.row, "cells": cells, "bad": r.row in importer.bad})
        ordered = sorted(importer.errors, key=lambda e: (e.row, e.column))
        errors = [
            {"row": e.row, "column": e.column, "message": e.render(gettext)}
            for e in ordered[:SHOWN_ERRORS]
        ]
        n_errors, bad = len(importer.errors), len(importer.bad)
    return render(
        request,
        "imports/preview.html",
        {
            "job": job,
            "form": form,
            "columns": columns,
            "rows": rows,
            "errors": errors,
            "n_errors": n_errors,
            "n_bad": bad,
            "file_error": file_error,
        },
    )


def _report_context(job):
    report = job.report or {}
    file_error = report.get("file_error")
    return {
        "job": job,
        "progress": progress.read(job.pk),
        "percent": 100 if job.is_finished else progress.percent(progress.read(job.pk)),
        "file_error": _render_message(file_error["message"], file_error.get("params"))
        if file_error
        else "",
        "errors": [
            {
                "row": e["row"],
                "column": e["column"],
                "message": _render_message(e["message"], e["params"]),
            }
            for e in report.get("errors", [])[:SHOWN_ERRORS]
        ],
        "n_errors": report.get("n_errors", 0),
        "duplicates": report.get("duplicates", [])[:SHOWN_ERRORS],
        "n_duplicates": report.get("n_duplicates", 0),
        "notes": [_render_message(n["message"], n.get("params")) for n in report.get("notes", [])],
        "refused": report.get("refused", False),
        "reverted": report.get("reverted"),
    }


@require_GET
@importer_required
def job_detail(request, pk):
    job = selectors.job_get(request.user, pk)
    if job.status == JobStatus.UPLOADED:
        return redirect("imports:preview", pk=job.pk)
    recover_stale_jobs(selectors.jobs_for(request.user).filter(pk=job.pk))
    job.refresh_from_db()
    return render(request, "imports/job.html", _report_context(job))


RECORD_LABELS = {
    "deals.deal": gettext_lazy("deals"),
    "contacts.contact": gettext_lazy("contacts"),
    "contacts.company": gettext_lazy("companies"),
    "activities.note": gettext_lazy("notes"),
}


@require_http_methods(["GET", "POST"])
@importer_required
def revert(request, pk):
    """Revert a finished import: a page saying what will happen, then the revert (POST)."""
    job = selectors.job_get(request.user, pk)
    try:
        revert_check(job)
        refusal = ""
    except RevertRefused as exc:
        refusal = _render_message(exc.message, exc.params)
    if request.method == "POST" and not refusal:
        try:
            result = import_revert(job, by=request.user)
        except RevertRefused as exc:  # another revert or import got there first
            refusal = _render_message(exc.message, exc.params)
        else:
            messages.success(
                request,
                gettext("The import was reverted: %(deleted)s records went to the recycle bin, "
                        "%(restored)s got their former values back.")
                % {"deleted": sum(result.deleted.values()),
                   "restored": sum(result.restored.values())},
            )  # fmt: skip
            return redirect("imports:job", pk=job.pk)
    counts = job.records.values("model", "action").annotate(n=Count("pk"))
    rows = [
        {"what": RECORD_LABELS.get(c["model"], c["model"]), "action": c["action"], "n": c["n"]}
        for c in counts.order_by("model", "action")
    ]
    return render(
        request,
        "imports/revert.html",
        {"job": job, "refusal": refusal, "rows": rows, "created": ImportedRecord.CREATED},
        status=409 if refusal and request.method == "POST" else 200,
    )


@require_GET
@importer_required
def job_progress(request, pk):
    job = selectors.job_get(request.user, pk)
    recover_stale_jobs(selectors.jobs_for(request.user).filter(pk=job.pk))
    job.refresh_from_db()
    return render(request, "imports/progress.html", _report_context(job))
