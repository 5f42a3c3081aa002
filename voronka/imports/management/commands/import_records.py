"""``manage.py import_records FILE --kind deals|contacts|companies --mapping mapping.json``.

mapping.json::

    {
      "fields": {"external_id": "ID", "title": "Название", "amount": "Сумма",
                 "stage": "Этап", "created_at": "Создана", "won_at": "Дата успеха",
                 "lost_at": "Дата отказа", "lost_reason": "Причина", "owner": "Менеджер"},
      "stages": {"Переговоры": "Qualification", "Счёт выставлен": "Closing"},
      "stage_changes": {"deal_key": "ID сделки", "from_stage": "Было",
                        "to_stage": "Стало", "changed_at": "Когда"}
    }

A flat object (field -> column, with "stages" and "stage_changes" beside them) is read
the same way. Fields not given (of the deals file and of the stage-changes file) are
suggested from the file's header, unless their column is given to another field; a field
mapped to null is left out. The mapping used is printed first. The file imports
completely or not at all; ``--skip-invalid`` imports the good rows and reports the rest.
"""

from __future__ import annotations

import json
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext

from voronka.accounts.models import User
from voronka.deals.models import Pipeline
from voronka.imports import parsing
from voronka.imports.importer import (
    STAGE_NOT_MAPPED,
    ImportRefused,
    Options,
    fields_help,
    run_import,
    target_pipeline,
)

RESERVED = {"fields", "stages", "stage_changes"}


def read_mapping(path: str | None) -> dict:
    if not path:
        return {"fields": {}, "stages": {}, "stage_changes": {}}
    try:
        with open(path, encoding="utf-8-sig") as fh:
            raw = json.load(fh)
    except (OSError, ValueError) as exc:
        raise CommandError(f"--mapping: {exc}") from None
    return normalise_mapping(raw)


def normalise_mapping(raw) -> dict:
    if not isinstance(raw, dict):
        raise CommandError("--mapping: a JSON object is expected")
    fields = raw.get("fields")
    if fields is None:
        fields = {k: v for k, v in raw.items() if k not in RESERVED}
    out = {
        "fields": fields,
        "stages": raw.get("stages") or {},
        "stage_changes": raw.get("stage_changes") or {},
    }
    for name, part in out.items():
        # a field may be null (left out) or list several columns (phones, e-mails)
        if not isinstance(part, dict) or not all(
            isinstance(k, str) and _columns(v, name != "stages") for k, v in part.items()
        ):
            raise CommandError(f"--mapping: “{name}” must map names to names (strings)")
    return out


def _columns(value, field: bool) -> bool:
    """A column name; for a field also null or a list of columns."""
    if value is None or isinstance(value, list):
        return field and (value is None or bool(value) and all(isinstance(v, str) for v in value))
    return isinstance(value, str)


def merged_fields(given: dict, suggested: dict) -> dict:
    """The fields to import: those given, and for the others the header's suggestion
    unless its column is given to another field; a field given as null stays out.

    A mapping that names only the columns the header does not make clear (a title, one
    date) then still imports the rest; before, it imported only those, and a deal file
    went in without stages, dates or amounts, with no error."""

    def cols(v) -> set[str]:
        return set(v) if isinstance(v, list) else {v}

    taken = set().union(*(cols(v) for v in given.values() if v is not None))
    out = {k: v for k, v in suggested.items() if k not in given and not (cols(v) & taken)}
    out.update({k: v for k, v in given.items() if v is not None})
    return out


class Command(BaseCommand):
    help = "Import deals, contacts or companies (with their history) from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--kind", choices=parsing.KINDS)
        parser.add_argument("--mapping", help="mapping.json: field -> column, stage names")
        parser.add_argument("--stage-changes", help="CSV/XLSX of stage changes of the deals")
        parser.add_argument("--pipeline", help="pipeline name (default: the first one)")
        parser.add_argument("--user", help="import as this user (default: the first admin)")
        parser.add_argument("--skip-invalid", action="store_true", help="import the good rows")
        parser.add_argument(
            "--list-fields", metavar="KIND", choices=[*parsing.KINDS, "stage_changes"]
        )

    def handle(self, *args, **opts):
        # Command-line output is in English, like the other commands.
        with translation.override("en"):
            return self._handle(opts)

    def _handle(self, opts):
        if opts["list_fields"]:
            for name, text in fields_help(opts["list_fields"]):
                self.stdout.write(f"{name:22} {text}")
            return
        if not opts["file"] or not opts["kind"]:
            raise CommandError("give FILE and --kind (or --list-fields KIND)")
        mapping = read_mapping(opts["mapping"])
        user = self._user(opts["user"])
        pipeline = None
        if opts["pipeline"]:
            pipeline = Pipeline.objects.filter(name__iexact=opts["pipeline"].strip()).first()
            if pipeline is None:
                raise CommandError(f"--pipeline: no pipeline named {opts['pipeline']!r}")
        try:
            table = parsing.read_path(opts["file"])
            changes = parsing.read_path(opts["stage_changes"]) if opts["stage_changes"] else None
        except OSError as exc:
            raise CommandError(str(exc)) from None
        except parsing.FileRejected as exc:
            raise CommandError(exc.render(gettext)) from None
        fields = merged_fields(
            mapping["fields"], parsing.suggest_mapping(table.headers, opts["kind"])
        )
        self._say_mapping(fields, table.headers)
        options = Options(
            kind=opts["kind"],
            by=user,
            fields=fields,
            stages=mapping["stages"],
            pipeline=pipeline,
            stage_change_fields=(
                merged_fields(
                    mapping["stage_changes"],
                    parsing.suggest_mapping(changes.headers, "stage_changes"),
                )
                if changes is not None
                else {}
            ),
            skip_invalid=opts["skip_invalid"],
        )
        try:
            report = run_import(table, options, stage_changes=changes)
        except parsing.FileRejected as exc:
            raise CommandError(exc.render(gettext)) from None
        except ImportRefused as exc:
            for e in exc.errors[:50]:
                self.stderr.write(f"row {e.row}, {e.column or '-'}: {e.render(gettext)}")
            if len(exc.errors) > 50:
                self.stderr.write(f"… {len(exc.errors) - 50} more")
            self._stage_hint(exc.errors, pipeline)
            raise CommandError(
                f"nothing imported: {len(exc.errors)} errors (--skip-invalid imports the rest)"
            ) from None
        self.stdout.write(
            f"rows {report.rows}: created {report.created}, updated {report.updated}, "
            f"skipped {report.skipped}"
        )
        for e in report.errors[:50]:
            self.stdout.write(f"  skipped row {e.row}, {e.column or '-'}: {e.render(gettext)}")
        self._stage_hint(report.errors, pipeline)
        for d in report.duplicates[:50]:
            if d.get("record"):
                where = f"record {d['record']}"
            elif d.get("first_row"):
                where = f"row {d['first_row']}"
            else:
                where = "a record outside your zone"
            what = d["action"] if d.get("action") else "possible duplicate"
            self.stdout.write(f"  {what}: row {d['row']} {d['field']} {d['value']} ({where})")
        for n in report.notes:
            self.stdout.write("  " + gettext(n["message"]) % n["params"])

    def _say_mapping(self, fields: dict, headers) -> None:
        used = set()
        pairs = []
        for name, cols in fields.items():
            cols = cols if isinstance(cols, list) else [cols]
            used.update(cols)
            pairs.append(f"{name} <- {', '.join(cols)}")
        self.stdout.write("columns: " + "; ".join(pairs))
        left = [h for h in headers if h not in used]
        if left:
            self.stdout.write("not imported: " + ", ".join(left))

    def _user(self, name):
        if name:
            user = User.objects.filter(username=name).first()
            if user is None:
                raise CommandError(f"--user: no user {name!r}")
            if not (user.is_admin or user.is_head):
                raise CommandError("--user: only an admin or a head of sales may import")
            return user
        user = User.objects.filter(is_active=True, role="admin").order_by("pk").first()
        user = user or User.objects.filter(is_active=True, is_superuser=True).first()
        if user is None:
            raise CommandError("no admin user to import as: create one or give --user")
        return user

    def _stage_hint(self, errors, pipeline) -> None:
        """One line for all the rows whose source stage is not mapped: which names, how many
        rows each, and the stages they can be mapped to."""
        unmapped = Counter(e.params["value"] for e in errors if e.message == STAGE_NOT_MAPPED)
        if not unmapped:
            return
        pipeline = target_pipeline(pipeline)
        stages = pipeline.stages.filter(kind="open").order_by("order", "pk") if pipeline else []
        names = [s.name for s in stages]
        listed = ", ".join(
            f"{name} ({n} {'row' if n == 1 else 'rows'})" for name, n in unmapped.most_common()
        )
        self.stderr.write(
            f'Source stages not mapped: {listed}. Map each under "stages" in mapping.json '
            f"to a stage of the pipeline ({', '.join(names)}) or to won / lost."
        )
