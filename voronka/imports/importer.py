"""The write phase of an import: typed rows in, records with their history out.

:func:`plan_import` checks everything that can be checked before writing (stages, owners
outside the importer's zone, keys of records the importer cannot change, repeated keys)
and :func:`run_import` writes the whole file in one transaction, in batches
(see ``fastinsert.py``), keeping the invariants the services keep one record at a time:

- a history row per created or updated deal, company and contact (django-simple-history,
  ``history_change_reason = "import"``, by the importing user);
- ``Deal.search_text`` built from the title, the company and the contact names;
- a ``StageChange`` per stage a deal went through, with the file's timestamps, so the
  timeline, the analytics and the forecast loader see the imported history as if it had
  happened here. A deal starts with ``None -> first stage`` at its created date; a won or
  lost deal ends with a change into the won or lost stage at its close date, and
  ``closed_at`` is that date. An open deal in a later stage with no recorded change moves
  there at the latest date the file gives (``DealImport._path`` says why).

Every row's key (the ``external_id`` column) is stored as the record's ``external_id``;
a re-import with the same key updates the record (and replaces the stage changes an
earlier import of it created) instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from simple_history.utils import bulk_update_with_history

from voronka.accounts.models import User
from voronka.contacts.choices import Lifecycle
from voronka.contacts.models import Company, Contact, EmailAddress, PhoneNumber
from voronka.deals.choices import StageKind
from voronka.deals.models import Deal, LostReason, Pipeline, Stage, StageChange
from voronka.deals.search import build_search_text
from voronka.dedupe.services import keys_mark_stale
from voronka.dedupe.tasks import request_keys
from voronka.forecasting.signals import deal_changed
from voronka.imports import fastinsert, parsing
from voronka.imports.parsing import RowError, gettext_noop

BATCH = 1000
REASON = "import"
STAGE_NOT_MAPPED = gettext_noop("The stage “%(value)s” is not mapped to a stage of the pipeline.")
WON_WORDS = {"won", "выиграна", "выигрыш", "успешно", "успешно реализовано", "closed won"}
LOST_WORDS = {
    "lost",
    "проиграна",
    "проигрыш",
    "провалено",
    "закрыто и не реализовано",
    "closed lost",
}

Progress = Callable[[int, int, str], None]


class ImportRefused(Exception):
    """The file cannot be imported as it is; ``errors`` say why, row by row."""

    def __init__(self, errors: list[RowError], message: str = ""):
        super().__init__(message or f"{len(errors)} errors")
        self.errors = errors
        self.message = message


@dataclass
class Options:
    kind: str
    by: User
    fields: dict[str, str]  # field name -> column of the file
    stages: dict[str, str] = field(default_factory=dict)  # source stage -> stage name
    pipeline: Pipeline | None = None
    stage_change_fields: dict[str, str] = field(default_factory=dict)
    skip_invalid: bool = False


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)  # rows skipped, and why
    duplicates: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)  # {"message": template, "params": {}}
    # (model label, record id, "created" | "updated", what to restore) for a revert
    touched: list[tuple] = field(default_factory=list, repr=False)

    def touch(self, model, ids, action: str, before: dict | None = None) -> None:
        label = model._meta.label_lower
        self.touched.extend((label, pk, action, (before or {}).get(pk)) for pk in ids)

    def as_json(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "rows": self.rows,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message, "params": e.params}
                for e in self.errors[:1000]
            ],
            "n_errors": len(self.errors),
            "duplicates": self.duplicates[:1000],
            "n_duplicates": len(self.duplicates),
            "notes": self.notes,
        }


def _details_before(link: str, ids: list[int], *, phones: set, emails: set) -> dict[int, dict]:
    """Phones (of the records in ``phones``) and e-mails (of those in ``emails``) of
    contacts or companies before an update replaces them."""
    out: dict[int, dict] = {pk: {} for pk in ids}
    for pk in phones:
        out[pk]["phones"] = []
    for pk in emails:
        out[pk]["emails"] = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for pk, raw, e164, ext in (
            PhoneNumber.objects.filter(**{f"{link}_id__in": [i for i in chunk if i in phones]})
            .order_by("position", "pk")
            .values_list(f"{link}_id", "raw", "e164", "extension")
        ):
            out[pk]["phones"].append([raw, e164, ext])
        for pk, email, normalized in (
            EmailAddress.objects.filter(**{f"{link}_id__in": [i for i in chunk if i in emails]})
            .order_by("position", "pk")
            .values_list(f"{link}_id", "email", "normalized")
        ):
            out[pk]["emails"].append([email, normalized])
    return out


def _deals_before(ids: list[int]) -> dict[int, dict]:
    """Stage changes a re-import replaces (those of an earlier import) and the contacts of
    deals before an update."""
    out = {pk: {"stage_changes": [], "contacts": []} for pk in ids}
    through = Deal.contacts.through
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for row in (
            StageChange.objects.filter(deal_id__in=chunk)
            .exclude(external_id="")
            .order_by("pk")
            .values(
                "deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id",
                "override_reason", "missed_criteria", "external_id",
            )
        ):  # fmt: skip
            row["changed_at"] = row["changed_at"].isoformat()
            out[row.pop("deal_id")]["stage_changes"].append(row)
        for deal_id, contact_id in through.objects.filter(deal_id__in=chunk).values_list(
            "deal_id", "contact_id"
        ):
            out[deal_id]["contacts"].append(contact_id)
    return out


def lifecycle_spellings() -> dict[str, str]:
    """Client statuses by code and by their labels in every language of the site (a file
    exported in Russian or English imports back)."""
    out = {value: value for value in Lifecycle.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out.update({str(label): value for value, label in Lifecycle.choices})
    return out


def mapping_signature(headers) -> str:
    return hashlib.sha256(parsing.header_signature(headers).encode()).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    """A file's naive date and time is in the site's time zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.get_default_timezone())


def _fold(text: str) -> str:
    return " ".join((text or "").split()).casefold().replace("ё", "е")


# ------------------------------------------------------------------------------ look-ups


class Owners:
    """Owners by user name, e-mail or full name; unknown names become inactive users."""

    def __init__(self, by: User):
        self.by = by
        self.index: dict[str, int] = {}
        for pk, username, email, first, last in User.objects.values_list(
            "pk", "username", "email", "first_name", "last_name"
        ):
            for key in (username, email, f"{first} {last}", f"{last} {first}"):
                if key and key.strip():
                    self.index.setdefault(_fold(key), pk)
        self.zone = None if by.is_admin else set(by.zone_user_ids())
        self.new: dict[str, str] = {}  # folded -> the name as written

    def check(self, text: str) -> tuple[str, dict] | None:
        """An error template and params, or None if ``text`` names a usable owner."""
        pk = self.index.get(_fold(text))
        if pk is None:
            self.new.setdefault(_fold(text), text)
            return None
        if self.zone is not None and pk not in self.zone:
            return (
                gettext_noop("“%(value)s” is a user outside your team; you cannot assign to them."),
                {"value": text[:100]},
            )
        return None

    def create_missing(self, report: Report) -> None:
        for folded, text in self.new.items():
            if folded in self.index:
                continue
            email = text if "@" in text and " " not in text.strip() else ""
            parts = text.split()
            first = parts[0] if parts and not email else ""
            last = " ".join(parts[1:]) if len(parts) > 1 and not email else ""
            base = "import-" + hashlib.sha1(folded.encode()).hexdigest()[:10]
            username = base
            for n in itertools.count(2):
                if not User.objects.filter(username=username).exists():
                    break
                username = f"{base}-{n}"
            user = User(
                username=username,
                email=email,
                first_name=first[:150],
                last_name=last[:150],
                is_active=False,
                team_id=self.by.team_id if not self.by.is_admin else None,
            )
            user.set_unusable_password()
            user.save()
            self.index[folded] = user.pk
            report.notes.append(
                {
                    "message": gettext_noop(
                        "Created the inactive user “%(name)s” for an unknown owner."
                    ),
                    "params": {"name": text[:100]},
                }
            )

    def id_of(self, text: str | None) -> int | None:
        if not text:
            return None
        return self.index.get(_fold(text))


class StageResolver:
    def __init__(self, pipeline: Pipeline, mapping: dict[str, str]):
        self.stages = list(pipeline.stages.order_by("order", "pk"))
        self.by_name = {_fold(s.name): s for s in self.stages}
        self.mapping = {_fold(k): v for k, v in (mapping or {}).items()}
        self.won = next((s for s in self.stages if s.kind == StageKind.WON), None)
        self.lost = next((s for s in self.stages if s.kind == StageKind.LOST), None)
        self.first_open = next((s for s in self.stages if s.kind == StageKind.OPEN), None)

    def resolve(self, source: str) -> Stage | None:
        target = self.mapping.get(_fold(source), source)
        folded = _fold(target)
        stage = self.by_name.get(folded)
        if stage is not None:
            return stage
        if folded in WON_WORDS:
            return self.won
        if folded in LOST_WORDS:
            return self.lost
        return None


# ------------------------------------------------------------------------------ entry point


def run_import(
    table: parsing.Table,
    options: Options,
    *,
    stage_changes: parsing.Table | None = None,
    progress: Progress | None = None,
    on_commit_job: Callable[[Report], None] | None = None,
) -> Report:
    """Validate, then write the whole file in one transaction; raise ImportRefused (nothing
    written) when a row is bad and ``skip_invalid`` is off. ``on_commit_job`` runs inside
    the same transaction at the end (a job marks itself done there)."""
    progress = progress or (lambda done, total, phase: None)
    importer = {"deals": DealImport, "contacts": ContactImport, "companies": CompanyImport}[
        options.kind
    ](table, options, stage_changes)
    importer.validate()
    if importer.errors and not options.skip_invalid:
        raise ImportRefused(importer.errors)
    with transaction.atomic():
        report = importer.write(progress)
        if on_commit_job is not None:
            on_commit_job(report)
        # Rows went in without model signals: once committed, key the new and changed
        # contacts and companies for the duplicate check, and refresh the forecast.
        request_keys()
        if options.kind == "deals":
            deal_changed(Deal)
    return report


class _Base:
    kind = ""

    def __init__(self, table, options: Options, stage_changes=None):
        self.table = table
        self.options = options
        self.by = options.by
        self.stage_changes = stage_changes
        self.errors: list[RowError] = []
        self.bad: set[int] = set()
        self.report = Report(rows=len(table.rows))
        self.now = timezone.now()
        self.owners = Owners(self.by)

    def error(self, row: int, column: str, message: str, **params):
        self.errors.append(RowError(row, column, message, params))
        self.bad.add(row)

    def convert(self):
        converted = parsing.convert_rows(
            self.table,
            self.options.fields,
            self.kind,
            currencies=settings.VORONKA_CURRENCIES,
            default_currency=settings.VORONKA_DEFAULT_CURRENCY,
            region=settings.VORONKA_PHONE_REGION,
            choices={"lifecycle": lifecycle_spellings()},
        )
        self.errors.extend(converted.errors)
        self.bad |= converted.bad_rows
        return converted.rows

    def col(self, name: str) -> str:
        return ", ".join(parsing.mapped_columns(self.options.fields.get(name)))

    def check_keys(self, rows, model) -> dict[str, object]:
        """Repeated keys in the file are errors; keys of existing records the importer
        cannot see or change are errors; returns key -> the visible record to update."""
        first: dict[str, int] = {}
        for r in rows:
            key = r.values.get("external_id")
            if not key:
                continue
            if key in first:
                self.error(
                    r.row,
                    self.col("external_id"),
                    gettext_noop("The key “%(key)s” already appears in row %(first)s."),
                    key=key[:100],
                    first=first[key],
                )
            else:
                first[key] = r.row
        keys = list(first)
        existing: dict[str, object] = {}
        visible = model.objects.visible_to(self.by)
        for start in range(0, len(keys), BATCH):
            chunk = keys[start : start + BATCH]
            for obj in visible.filter(external_id__in=chunk):
                existing.setdefault(obj.external_id, obj)
            hidden = (
                model.all_objects.filter(external_id__in=chunk)
                .exclude(external_id__in=list(existing))
                .values_list("external_id", flat=True)
            )
            for key in set(hidden):
                self.error(
                    first[key],
                    self.col("external_id"),
                    gettext_noop(
                        "The key “%(key)s” belongs to a record you cannot change (outside "
                        "your zone or in the recycle bin)."
                    ),
                    key=key[:100],
                )
        return existing

    def check_owners(self, rows):
        for r in rows:
            text = r.values.get("owner")
            if text:
                problem = self.owners.check(text)
                if problem:
                    self.error(r.row, self.col("owner"), problem[0], **problem[1])

    def good_rows(self, rows):
        return [r for r in rows if r.row not in self.bad]

    def skip_bad(self):
        self.report.errors = sorted(self.errors, key=lambda e: (e.row, e.column))
        self.report.skipped += len(self.bad)


# ------------------------------------------------------------------------------ companies
# and contacts share a small core: phones, e-mails, duplicate reporting.


def _phone_rows(objs_with_phones, link: str) -> list[dict]:
    other = "company_id" if link == "contact" else "contact_id"
    return [
        {
            f"{link}_id": obj.pk,
            other: None,
            "raw": ph.raw,
            "e164": ph.e164,
            "extension": ph.extension or "",
            "position": i,
        }
        for obj, phones in objs_with_phones
        for i, ph in enumerate(phones or ())
    ]


def _email_rows(objs_with_emails, link: str) -> list[dict]:
    other = "company_id" if link == "contact" else "contact_id"
    return [
        {
            f"{link}_id": obj.pk,
            other: None,
            "email": e,
            "normalized": e.strip().lower(),
            "position": i,
        }
        for obj, emails in objs_with_emails
        for i, e in enumerate(emails or ())
    ]


class _PartyImport(_Base):
    model = Company
    link = "company"
    text_fields: tuple[str, ...] = ()

    def validate(self):
        self.rows = self.convert()
        self.existing = self.check_keys(self.rows, self.model)
        self.check_owners(self.rows)
        self.extra_checks()

    def extra_checks(self):
        pass

    def find_duplicates(self, rows):
        """Exact e-mail, normalised phone and ИНН shared with an existing record (another
        key) or with an earlier row of the file. Reported; the row is still imported."""
        emails, phones, inns = defaultdict(list), defaultdict(list), defaultdict(list)
        for r in rows:
            for e in r.values.get("emails", ()):
                emails[e.strip().lower()].append(r)
            for ph in r.values.get("phones", ()):
                phones[ph.e164].append(r)
            if r.values.get("inn"):
                inns[r.values["inn"]].append(r)
        visible_ids = set()
        found: list[tuple[str, str, int]] = []
        link = f"{self.link}_id"
        for start in range(0, len(emails), BATCH):
            chunk = list(emails)[start : start + BATCH]
            found += [
                ("emails", v, pk)
                for v, pk in EmailAddress.objects.filter(
                    normalized__in=chunk, **{f"{self.link}__deleted_at__isnull": True}
                )
                .exclude(**{f"{link}__isnull": True})
                .values_list("normalized", link)
            ]
        for start in range(0, len(phones), BATCH):
            chunk = list(phones)[start : start + BATCH]
            found += [
                ("phones", v, pk)
                for v, pk in PhoneNumber.objects.filter(
                    e164__in=chunk, **{f"{self.link}__deleted_at__isnull": True}
                )
                .exclude(**{f"{link}__isnull": True})
                .values_list("e164", link)
            ]
        if self.model is Company:
            for start in range(0, len(inns), BATCH):
                chunk = list(inns)[start : start + BATCH]
                found += [
                    ("inn", v, pk)
                    for v, pk in Company.objects.filter(inn__in=chunk).values_list("inn", "pk")
                ]
        if found:
            visible_ids = set(
                self.model.objects.visible_to(self.by)
                .filter(pk__in={f[2] for f in found})
                .values_list("pk", flat=True)
            )
        keys_of = dict(
            self.model.all_objects.filter(pk__in={f[2] for f in found}).values_list(
                "pk", "external_id"
            )
        )
        index = {"emails": emails, "phones": phones, "inn": inns}
        seen = set()
        for what, value, pk in found:
            for r in index[what][value]:
                if keys_of.get(pk) and keys_of.get(pk) == r.values.get("external_id"):
                    continue  # the record this row updates
                if (r.row, what, value) in seen:
                    continue
                seen.add((r.row, what, value))
                self.report.duplicates.append(
                    {
                        "row": r.row,
                        "field": what,
                        "value": value,
                        "record": pk if pk in visible_ids else None,
                    }
                )
        for what, groups in index.items():
            for value, group in groups.items():
                for r in group[1:]:
                    if (r.row, what, value) not in seen:
                        self.report.duplicates.append(
                            {"row": r.row, "field": what, "value": value, "first_row": group[0].row}
                        )
        self.report.duplicates.sort(key=lambda d: d["row"])

    def intake_decisions(self, rows) -> dict:
        """The import's duplicate policy for the rows that would create a record: one
        batched look-up of the stored keys for all of them (no query per row)."""
        from voronka.dedupe import intake, keystore
        from voronka.dedupe.matching import make_keys
        from voronka.dedupe.models import IntakePolicy

        self.policy = intake.policy_of(IntakePolicy.IMPORT)
        fresh = [r for r in rows if not self.existing.get(r.values.get("external_id") or "")]
        if not fresh or not keystore.MatchKey.objects.filter(kind=self.link).exists():
            return {}
        keys = [make_keys(self.match_record(r.values)) for r in fresh]
        found = keystore.candidates_many(self.link, keys)
        ids = {c.id for cs in found for c in cs}
        visible = intake.visible_ids(self.by, self.link, ids) if ids else set()
        self.intake_visible = visible
        out = {}
        for r, candidates in zip(fresh, found, strict=True):
            decision = intake.decide(self.policy, candidates, visible)
            if decision.action != intake.CREATE:
                out[r.row] = decision
        return out

    def match_record(self, v):
        from voronka.dedupe.intake import record_of

        fields = {k: v.get(k) for k in ("name", "legal_name", "inn", "kpp", "website", "address")}
        fields["phones"] = v.get("phones") or ()
        fields["emails"] = v.get("emails") or ()
        if self.model is Contact and v.get("company"):
            fields["company"] = Company(name=v["company"])
        return record_of(self.link, fields)

    def attach_to(self, obj, r, fields, company, state):
        """The row's values onto the existing record ``obj``: empty fields filled, phones
        and e-mails it lacks added, nothing overwritten."""
        v = r.values
        entry = state.setdefault(obj.pk, {"obj": obj, "dirty": False, "phones": None,
                                          "emails": None})  # fmt: skip
        for k, val in fields.items():
            if k == "owner_id":
                continue
            if val not in (None, "") and getattr(obj, k) in (None, ""):
                setattr(obj, k, val)
                entry["dirty"] = True
        if obj.owner_id is None and fields.get("owner_id") is not None:
            obj.owner_id = fields["owner_id"]
            entry["dirty"] = True
        if self.model is Contact and obj.company_id is None and isinstance(company, Company):
            entry["company"] = company
            entry["dirty"] = True
        for name, attr in (("phones", "e164"), ("emails", None)):
            incoming = v.get(name) or ()
            if not incoming:
                continue
            if entry[name] is None:
                entry[name] = list(self.attach_children[name].get(obj.pk, []))
            have = entry[name]
            known = {getattr(x, attr) if attr else x.strip().lower() for x in have}
            for x in incoming:
                key = getattr(x, attr) if attr else x.strip().lower()
                if key not in known:
                    have.append(x)
                    known.add(key)
                    entry[f"{name}_new"] = True
                    entry["dirty"] = True

    def load_attach_targets(self, decisions) -> dict:
        from voronka.dedupe.models import IntakePolicy

        ids = {d.target for d in decisions.values() if d.action == IntakePolicy.ATTACH}
        self.attach_children = {"phones": defaultdict(list), "emails": defaultdict(list)}
        if not ids:
            return {}
        link = f"{self.link}_id"
        for ph in PhoneNumber.objects.filter(**{f"{link}__in": ids}).order_by("position", "pk"):
            self.attach_children["phones"][getattr(ph, link)].append(ph)
        for pk, email in (
            EmailAddress.objects.filter(**{f"{link}__in": ids})
            .order_by("position", "pk")
            .values_list(link, "email")
        ):
            self.attach_children["emails"][pk].append(email)
        return {o.pk: o for o in self.model.objects.filter(pk__in=ids)}

    def existing_details(self) -> dict[int, tuple[list, list]]:
        """Phones (as typed) and e-mails of the records the file updates, in their order:
        a re-imported row with the same ones changes nothing."""
        ids = [o.pk for o in self.existing.values()]
        before = _details_before(self.link, ids, phones=set(ids), emails=set(ids))
        return {
            pk: ([p[0] for p in d["phones"]], [e[0] for e in d["emails"]])
            for pk, d in before.items()
        }

    def record_fields(self, values) -> dict:
        out = {}
        for name in self.text_fields:
            if name in values:
                out[name] = values[name]
        return out

    def write(self, progress: Progress) -> Report:
        from voronka.dedupe import intake
        from voronka.dedupe.models import IntakePolicy

        self.skip_bad()
        rows = self.good_rows(self.rows)
        self.find_duplicates(rows)
        decisions = self.intake_decisions(rows)
        targets = self.load_attach_targets(decisions)
        details = self.existing_details()
        attached: dict[int, dict] = {}
        events, flagged = [], []
        self.owners.create_missing(self.report)
        companies = CompanyCache(self.by) if self.model is Contact else None
        new, changed, later = [], [], []
        new_phones, new_emails = [], []
        replace_phones, replace_emails = [], []
        total = len(rows)
        for i, r in enumerate(rows):
            decision = decisions.get(r.row)
            if decision is not None and decision.action == IntakePolicy.SKIP:
                self.intake_skip(r, decision, events)
                continue
            v = r.values
            fields = self.record_fields(v)
            owner_id = self.owners.id_of(v.get("owner"))
            if owner_id is not None:
                fields["owner_id"] = owner_id
            elif "owner" not in self.options.fields and not self.by.is_admin:
                fields["owner_id"] = self.by.pk
            company = None
            if companies is not None and v.get("company"):
                company = companies.get(v["company"], owner_id, self.now)
                if not isinstance(company, Company):
                    fields["company_id"] = company
            key = v.get("external_id", "")
            obj = self.existing.get(key) if key else None
            if decision is not None and decision.action == IntakePolicy.ATTACH:
                target = targets[decision.target]
                self.attach_to(target, r, fields, company, attached)
                self.intake_report(r, decision, "attached", events, target.pk)
                continue
            if obj is None:
                obj = self.model(external_id=key, **fields)
                if decision is not None:
                    flagged.append((obj, r, decision))
                obj.created_at = _aware(v.get("created_at")) or self.now
                new.append(obj)
                new_phones.append((obj, v.get("phones")))
                new_emails.append((obj, v.get("emails")))
                if isinstance(company, Company):
                    later.append((obj, company))
            else:
                if isinstance(company, Company):
                    later.append((obj, company))
                if _aware(v.get("created_at")):
                    fields["created_at"] = _aware(v["created_at"])
                had_phones, had_emails = details[obj.pk]
                new_p = "phones" in v and [x.raw for x in v["phones"]] != had_phones
                new_e = "emails" in v and list(v["emails"]) != had_emails
                new_company = isinstance(company, Company)  # created by this import
                if (
                    any(getattr(obj, k) != val for k, val in fields.items())
                    or new_p
                    or new_e
                    or new_company
                ):
                    for k, val in fields.items():
                        setattr(obj, k, val)
                    changed.append(obj)
                    if new_p:
                        replace_phones.append((obj, v["phones"]))
                    if new_e:
                        replace_emails.append((obj, v["emails"]))
                else:
                    self.report.skipped += 1
                    self.report.errors.append(
                        RowError(r.row, "", gettext_noop("Unchanged since the last import."))
                    )
            if i % BATCH == 0:
                progress(i, total, "prepare")
        if companies is not None:
            companies.flush(self.report)
        for entry in attached.values():
            if not entry["dirty"]:
                continue
            obj = entry["obj"]
            if "company" in entry:
                later.append((obj, entry["company"]))
            changed.append(obj)
            if entry.get("phones_new"):
                replace_phones.append((obj, entry["phones"]))
            if entry.get("emails_new"):
                replace_emails.append((obj, entry["emails"]))
        for obj, company in later:
            if obj.pk is not None and obj not in changed:
                changed.append(obj)
            obj.company_id = company.pk
        for start in range(0, len(new), BATCH):
            chunk = new[start : start + BATCH]
            fastinsert.create(
                chunk, self.model, history_user=self.by, history_reason=REASON, now=self.now
            )
            self.report.touch(self.model, [o.pk for o in chunk], "created")
            progress(start + len(chunk), total, "write")
        if changed:
            self.report.touch(
                self.model,
                [o.pk for o in changed],
                "updated",
                _details_before(
                    self.link,
                    [o.pk for o in changed],
                    phones={o.pk for o, _ in replace_phones},
                    emails={o.pk for o, _ in replace_emails},
                ),
            )
            update_fields = sorted(
                {*self.text_fields, "owner", "created_at"}
                | ({"company"} if self.model is Contact else set())
            )
            bulk_update_with_history(
                changed,
                self.model,
                [f for f in update_fields if f in {f.name for f in self.model._meta.fields}],
                batch_size=BATCH,
                default_user=self.by,
                default_change_reason=REASON,
            )
        link = self.link
        if replace_phones:
            PhoneNumber.objects.filter(**{f"{link}__in": [o for o, _ in replace_phones]}).delete()
        if replace_emails:
            EmailAddress.objects.filter(**{f"{link}__in": [o for o, _ in replace_emails]}).delete()
        fastinsert.create_rows(PhoneNumber, _phone_rows(new_phones + replace_phones, link))
        fastinsert.create_rows(EmailAddress, _email_rows(new_emails + replace_emails, link))
        if changed:
            from voronka.contacts.services import _refresh_deal_search

            for obj in changed:
                _refresh_deal_search(**{link: obj})
            keys_mark_stale(link, [obj.pk for obj in changed])
        for obj, r, decision in flagged:
            intake.flag(self.link, obj.pk, decision.candidates)
            self.intake_report(r, decision, "flagged", events, obj.pk)
        if events:
            from voronka.dedupe.models import Event

            Event.objects.bulk_create(events, batch_size=BATCH)
        self.intake_notes(attached, flagged)
        self.report.created += len(new)
        self.report.updated += len(changed)
        progress(total, total, "done")
        return self.report

    def intake_skip(self, r, decision, events) -> None:
        from voronka.dedupe.selectors import reason_text

        best = decision.best
        self.report.skipped += 1
        self.report.errors.append(
            RowError(
                r.row,
                "",
                gettext_noop(
                    "Skipped: a likely duplicate of record #%(id)s (%(reason)s); the intake "
                    "policy of imports is to skip duplicates."
                ),
                {"id": decision.target, "reason": reason_text(best.score)},
            )
        )
        self.intake_report(r, decision, "skipped", events, decision.target)

    def intake_report(self, r, decision, action, events, record_id) -> None:
        from voronka.dedupe import intake
        from voronka.dedupe.selectors import reason_text

        best = decision.best
        if decision.target is None:  # flagged: name the likeliest record the user may see
            best = next((c for c in decision.candidates if c.id in self.intake_visible), None)
        self.report.duplicates.append(
            {
                "row": r.row,
                "field": "intake",
                "value": reason_text(best.score) if best is not None else "",
                "record": best.id if best is not None else None,
                "action": action,
            }
        )
        events.append(intake.event(self.link, record_id, decision, source="import", by=self.by,
                                   row=r.row))  # fmt: skip

    def intake_notes(self, attached, flagged) -> None:
        self.report.duplicates.sort(key=lambda d: d["row"])
        if attached:
            self.report.notes.append(
                {
                    "message": gettext_noop(
                        "%(n)s existing records received the data of matching rows (intake "
                        "policy: attach)."
                    ),
                    "params": {"n": len(attached)},
                }
            )
        if flagged:
            self.report.notes.append(
                {
                    "message": gettext_noop(
                        "%(n)s new records were put in the duplicates review queue next to "
                        "their likely duplicates."
                    ),
                    "params": {"n": len(flagged)},
                }
            )


class CompanyImport(_PartyImport):
    kind = "companies"
    model = Company
    link = "company"
    text_fields = ("name", "legal_name", "inn", "kpp", "website", "address", "lifecycle", "source")


class ContactImport(_PartyImport):
    kind = "contacts"
    model = Contact
    link = "contact"
    text_fields = ("name", "position", "lifecycle", "source")


class CompanyCache:
    """Companies found by ИНН or name among the importer's visible ones; new ones collected
    and created in one batch."""

    def __init__(self, by: User):
        self.by = by
        self.by_name: dict[str, int | Company] = {}
        self.by_inn: dict[str, int | Company] = {}
        for pk, name, inn in (
            Company.objects.visible_to(by).order_by("pk").values_list("pk", "name", "inn")
        ):
            self.by_name.setdefault(_fold(name), pk)
            if inn:
                self.by_inn.setdefault(inn, pk)
        self.new: list[Company] = []

    def get(self, name: str, owner_id, created_at, inn: str = ""):
        if inn and inn in self.by_inn:
            return self.by_inn[inn]
        key = _fold(name)
        found = self.by_name.get(key)
        if found is not None:
            return found
        company = Company(name=name, inn=inn, owner_id=owner_id, created_at=created_at)
        self.new.append(company)
        self.by_name[key] = company
        if inn:
            self.by_inn[inn] = company
        return company

    def flush(self, report: Report) -> None:
        if self.new:
            fastinsert.create(
                self.new,
                Company,
                history_user=self.by,
                history_reason=REASON,
                now=timezone.now(),
            )
            report.touch(Company, [c.pk for c in self.new], "created")
            report.notes.append(
                {
                    "message": gettext_noop("Created %(n)s companies named in the file."),
                    "params": {"n": len(self.new)},
                }
            )
            self.new = []

    @staticmethod
    def pk(value) -> int | None:
        return value.pk if isinstance(value, Company) else value


# ------------------------------------------------------------------------------ deals


@dataclass
class _Change:
    row: int
    from_stage: Stage | None
    to_stage: Stage
    at: datetime


def target_pipeline(chosen: Pipeline | None) -> Pipeline | None:
    """The pipeline a deals import writes to: the one chosen, else the first one."""
    return chosen or Pipeline.objects.order_by("order", "pk").first()


class DealImport(_Base):
    kind = "deals"

    def validate(self):
        self.pipeline = target_pipeline(self.options.pipeline)
        self.stages = StageResolver(self.pipeline, self.options.stages)
        self.rows = self.convert()
        self.existing = self.check_keys(self.rows, Deal)
        self.check_owners(self.rows)
        self.changes: dict[str, list[_Change]] = defaultdict(list)
        self.change_errors: list[RowError] = []
        if self.stage_changes is not None:
            self._read_changes()
        self.plans = {}
        self.moved_back = 0
        self.latest: datetime | None = None  # the file's latest date (see _path)
        self.undated: set[int] = set()
        for r in self.rows:
            if r.row in self.bad:
                continue
            self._plan_row(r)
        for row, (stage, created, closed, changes, since) in self.plans.items():
            if row in self.undated and self.latest is not None:
                # A new deal with no date at all existed by the time the file was made,
                # which its latest date tells (an export of 2017 read today holds
                # prospects of 2017, not of today); without any date, the import's time.
                created = self.latest
            if since is not None:
                known = since
            else:
                known = max(self.latest, created) if self.latest else created
            path = self._path(stage, created, closed, changes, known)
            self.plans[row] = (stage, created, closed, path)
        self.errors.extend(self.change_errors)

    def _read_changes(self):
        fields = self.options.stage_change_fields or parsing.suggest_mapping(
            self.stage_changes.headers, "stage_changes"
        )
        converted = parsing.convert_rows(self.stage_changes, fields, "stage_changes")
        prefix = gettext("stage changes file")
        keys = {r.values.get("external_id") for r in self.rows}
        for e in converted.errors:
            self.change_errors.append(RowError(e.row, f"{prefix}: {e.column}", e.message, e.params))
        for r in converted.rows:
            if r.row in converted.bad_rows:
                continue
            v = r.values
            to_stage = self.stages.resolve(v["to_stage"])
            from_stage = self.stages.resolve(v["from_stage"]) if v.get("from_stage") else None
            problem = None
            if to_stage is None:
                problem = (fields.get("to_stage", ""), v["to_stage"])
            elif v.get("from_stage") and from_stage is None:
                problem = (fields.get("from_stage", ""), v["from_stage"])
            if problem:
                self.change_errors.append(
                    RowError(
                        r.row,
                        f"{prefix}: {problem[0]}",
                        STAGE_NOT_MAPPED,
                        {"value": problem[1][:100]},
                    )
                )
                continue
            if v["deal_key"] not in keys:
                self.change_errors.append(
                    RowError(
                        r.row,
                        f"{prefix}: {fields.get('deal_key', '')}",
                        gettext_noop("No deal with the key “%(key)s” in the deals file."),
                        {"key": v["deal_key"][:100]},
                    )
                )
                continue
            self.changes[v["deal_key"]].append(
                _Change(r.row, from_stage, to_stage, _aware(v["changed_at"]))
            )

    def _plan_row(self, r):
        v = r.values
        st = self.stages
        stage = None
        if v.get("stage"):
            stage = st.resolve(v["stage"])
            if stage is None:
                self.error(
                    r.row,
                    self.col("stage"),
                    STAGE_NOT_MAPPED,
                    value=v["stage"][:100],
                )
                return
        elif v.get("won_at"):
            stage = st.won
        elif v.get("lost_at"):
            stage = st.lost
        else:
            key = v.get("external_id")
            known = self.changes.get(key) if key else None
            stage = max(known, key=lambda c: c.at).to_stage if known else st.first_open
        closed = None
        if stage.kind == StageKind.WON:
            closed = v.get("won_at") or v.get("closed_at")
        elif stage.kind == StageKind.LOST:
            closed = v.get("lost_at") or v.get("closed_at")
        closed = _aware(closed)
        key = v.get("external_id")
        changes = sorted(self.changes.get(key, []) if key else [], key=lambda c: (c.at, c.row))
        if stage.kind != StageKind.OPEN and closed is None:
            last_in = [c for c in changes if c.to_stage.pk == stage.pk]
            if last_in:
                closed = last_in[-1].at
            else:
                column = self.col("won_at" if stage.kind == StageKind.WON else "lost_at")
                self.error(
                    r.row,
                    column or self.col("stage"),
                    gettext_noop("A won or lost deal needs the date it was closed."),
                )
                return
        created = _aware(v.get("created_at"))
        first_moments = [c.at for c in changes] + ([closed] if closed else [])
        if created is None:
            # A deal imported before keeps its creation time (a re-import of the same file
            # must change nothing); a new one was created by its first known moment.
            known_deal = self.existing.get(key) if key else None
            created = known_deal.created_at if known_deal is not None else self.now
            if first_moments:
                created = min(created, min(first_moments))
            elif known_deal is None:
                self.undated.add(r.row)  # dated once the file's latest date is known
        elif first_moments and min(first_moments) < created:
            # Exports often round or shift one of the dates: the deal existed by then.
            created = min(first_moments)
            self.moved_back += 1
        if created > self.now or (closed and closed > self.now):
            self.error(
                r.row,
                self.col("created_at") if created > self.now else self.col("won_at"),
                gettext_noop("The date lies in the future."),
            )
            return
        # the dates the file gives (a creation time made up above is not one of them)
        given = [c.at for c in changes]
        if closed:
            given.append(closed)
        if v.get("created_at"):
            given.append(created)
        if self.latest:
            given.append(self.latest)
        self.latest = max(given, default=None)
        # a deal imported before into the same stage keeps the time it has been there
        # since: a newer export of the same records must not move it
        known_deal = self.existing.get(key) if key else None
        since = None
        if known_deal is not None and known_deal.stage_id == stage.pk and not changes:
            since = known_deal.stage_entered_at
        self.plans[r.row] = (stage, created, closed, changes, since)

    def _path(
        self, stage, created, closed, changes, known_at: datetime
    ) -> list[tuple[Stage | None, Stage, datetime]]:
        """The deal's stage changes as (from, to, at), starting with its creation.

        Without a recorded change a deal starts in the first open stage, closed and open
        deals alike, and an open deal in a later stage moves there at ``known_at``: the
        latest date the file gives, when the export is known to show it there (its
        creation if later, or if the file gives no date; for a deal imported before into
        the same stage, the time it has been there since). Placing an open deal in its
        current stage from its creation instead tells a replay of the history which deals
        were never going to close by the end of the file: a one-row-per-deal export then
        puts every closed deal in the first stage and every still-open one in a later
        stage, and the forecast learned that deals in the later stages never close.
        """
        first_open = self.stages.first_open
        if changes:
            start = changes[0].from_stage or (
                changes[0].to_stage if changes[0].at == created else first_open
            )
        elif stage.kind == StageKind.OPEN and known_at <= created:
            start = stage
        else:
            start = first_open
            if stage.kind == StageKind.OPEN and stage.pk != first_open.pk:
                return [(None, first_open, created), (first_open, stage, known_at)]
        path = [(None, start, created)]
        current = start
        for c in changes:
            if c.to_stage.pk == current.pk:
                continue
            path.append((c.from_stage or current, c.to_stage, c.at))
            current = c.to_stage
        if current.pk != stage.pk:
            at = closed or path[-1][2]
            path.append((current, stage, at))
        return path

    # ---------------------------------------------------------------- write

    @staticmethod
    def _imported_paths(deal_ids) -> dict[int, list[tuple]]:
        out: dict[int, list[tuple]] = defaultdict(list)
        for start in range(0, len(deal_ids), BATCH):
            rows = (
                StageChange.objects.filter(deal_id__in=deal_ids[start : start + BATCH])
                .exclude(external_id="")
                .order_by("deal_id", "pk")
                .values_list("deal_id", "from_stage_id", "to_stage_id", "changed_at")
            )
            for deal_id, from_id, to_id, at in rows:
                out[deal_id].append((from_id, to_id, at))
        return out

    @staticmethod
    def _unchanged(deal, fields, company, reason, contact, path, old_paths) -> bool:
        """True if a re-imported row would change nothing of an existing deal."""
        if isinstance(company, Company) or isinstance(reason, LostReason):
            return False  # created by this import
        if isinstance(contact, Contact):
            return False
        if company is not None and deal.company_id != company:
            return False
        if deal.lost_reason_id != reason:
            return False
        if contact is not None and not deal.contacts.filter(pk=contact).exists():
            return False
        for name, value in fields.items():
            if getattr(deal, name) != value:
                return False
        wanted = [(f.pk if f else None, t.pk, at) for f, t, at in path]
        return old_paths.get(deal.pk, []) == wanted

    # ---------------------------------------------------------------- intake policy

    def _open_deals_by_contact(self) -> dict[int, int]:
        """Under the attach and skip policies of imports: the latest open deal the importer
        may see of each contact (one query); otherwise nothing is looked up."""
        from voronka.dedupe import intake
        from voronka.dedupe.models import IntakePolicy

        self.policy = intake.policy_of(IntakePolicy.IMPORT)
        self.intake_events = []
        if self.policy == IntakePolicy.FLAG:
            return {}
        visible = Deal.objects.visible_to(self.by).filter(stage__kind=StageKind.OPEN)
        out: dict[int, int] = {}
        through = Deal.contacts.through
        for contact_id, deal_id in (
            through.objects.filter(deal__in=visible.values("pk"))
            .order_by("deal__created_at", "deal_id")
            .values_list("contact_id", "deal_id")
        ):
            out[contact_id] = deal_id
        return out

    def _intake_event(self, action, contact_id, deal_id, row) -> None:
        from voronka.dedupe.models import Event

        with translation.override(settings.LANGUAGE_CODE):
            reason = gettext("the contact already has an open deal")
        self.intake_events.append(
            Event(
                kind="contact", record_id=contact_id, action=action, by=self.by,
                detail={"source": "import", "policy": self.policy, "row": row,
                        "deal": deal_id, "reason": reason},
            )
        )  # fmt: skip

    def _skip_request(self, r, contact_id, deal_id) -> None:
        from voronka.dedupe.models import Event

        self.report.skipped += 1
        self.report.errors.append(
            RowError(
                r.row,
                "",
                gettext_noop(
                    "Skipped: the contact already has the open deal #%(deal)s; the intake "
                    "policy of imports is to skip duplicates."
                ),
                {"deal": deal_id},
            )
        )
        self.report.duplicates.append(
            {"row": r.row, "field": "deal", "value": r.values["title"][:200], "record": deal_id,
             "action": "skipped"}
        )  # fmt: skip
        self._intake_event(Event.SKIPPED, contact_id, deal_id, r.row)

    def _attach_requests(self, requests) -> None:
        """amoCRM's way: a new open deal of a contact who already has one becomes a note on
        that deal (what came in, from which row) instead of a second deal."""
        from voronka.activities.models import Note
        from voronka.activities.services import refresh_deal_activity
        from voronka.dedupe.intake import deal_request_note
        from voronka.dedupe.models import Event

        if requests:
            notes = []
            with translation.override(settings.LANGUAGE_CODE):
                for deal_id, r, v, contact_id in requests:
                    heading = gettext("Incoming deal request (import, row %(row)s): %(title)s") % {
                        "row": r.row,
                        "title": v["title"],
                    }
                    body = deal_request_note(
                        heading, v.get("amount"), v.get("currency") or "", v.get("source") or ""
                    )
                    notes.append(Note(body=body, deal_id=deal_id, author=self.by))
                    self.report.duplicates.append(
                        {"row": r.row, "field": "deal", "value": v["title"][:200],
                         "record": deal_id, "action": "attached"}
                    )  # fmt: skip
                    self._intake_event(Event.ATTACHED, contact_id, deal_id, r.row)
            fastinsert.create(
                notes, Note, history_user=self.by, history_reason=REASON, now=self.now
            )
            self.report.touch(Note, [n.pk for n in notes], "created")
            for deal_id in sorted({n.deal_id for n in notes}):
                refresh_deal_activity(deal_id)
            self.report.notes.append(
                {
                    "message": gettext_noop(
                        "%(n)s rows became notes on the open deals of their contacts (intake "
                        "policy: attach)."
                    ),
                    "params": {"n": len(requests)},
                }
            )
        if self.intake_events:
            Event.objects.bulk_create(self.intake_events, batch_size=BATCH)
        self.report.duplicates.sort(key=lambda d: d["row"])

    def write(self, progress: Progress) -> Report:
        self.skip_bad()
        rows = [r for r in self.good_rows(self.rows) if r.row in self.plans]
        self.owners.create_missing(self.report)
        undated = len(self.undated & {r.row for r in rows})
        if undated and self.latest is not None:
            self.report.notes.append(
                {
                    "message": gettext_noop(
                        "%(n)s deals had no date at all; they were created at the file's "
                        "latest date, %(date)s."
                    ),
                    "params": {"n": undated, "date": self.latest.date().isoformat()},
                }
            )
        if self.moved_back:
            self.report.notes.append(
                {
                    "message": gettext_noop(
                        "%(n)s deals changed stage or closed before their created date; their "
                        "created date was moved back to that moment."
                    ),
                    "params": {"n": self.moved_back},
                }
            )
        total = len(rows)
        with translation.override(settings.LANGUAGE_CODE):
            not_given_name = gettext("Not specified")
        reasons = {_fold(n): pk for pk, n in LostReason.objects.values_list("pk", "name")}
        new_reasons: dict[str, LostReason] = {}
        companies = CompanyCache(self.by)
        contacts = ContactCache(self.by)
        open_deals = self._open_deals_by_contact()
        requests: list[tuple] = []  # (open deal id, row, values, contact id): become notes
        new, changed, paths, contact_of, pending = [], [], {}, {}, []
        old_paths = self._imported_paths([d.pk for d in self.existing.values()])
        for i, r in enumerate(rows):
            v = r.values
            stage, created, closed, path = self.plans[r.row]
            owner_id = self.owners.id_of(v.get("owner"))
            if owner_id is None and "owner" not in self.options.fields and not self.by.is_admin:
                owner_id = self.by.pk
            fields = {
                "title": v["title"],
                "stage_id": stage.pk,
                "pipeline_id": self.pipeline.pk,
                "created_at": created,
                "closed_at": closed if stage.kind != StageKind.OPEN else None,
                "stage_entered_at": path[-1][2],
                "owner_id": owner_id,
            }
            for name in ("amount", "currency", "source", "expected_close_date", "decision_date"):
                if name in v:
                    fields[name] = v[name]
            if "probability_manual" in v:
                fields["probability_manual"] = v["probability_manual"]
            if stage.kind == StageKind.WON:
                fields["contract_actual"] = closed.date() if closed else None
            if stage.kind == StageKind.LOST:
                name = v.get("lost_reason") or not_given_name
                folded = _fold(name)
                if folded not in reasons and folded not in new_reasons:
                    new_reasons[folded] = LostReason(name=name[:200])
                reason = reasons.get(folded) or new_reasons[folded]
            else:
                reason = None
            company_name, company = "", None
            if v.get("company") or v.get("company_inn"):
                company_name = v.get("company") or v["company_inn"]
                company = companies.get(company_name, owner_id, created, v.get("company_inn", ""))
            contact = None
            if v.get("contact") or v.get("contact_email") or v.get("contact_phone"):
                contact = contacts.get(
                    v.get("contact")
                    or (v.get("contact_email") or [""])[0]
                    or v["contact_phone"][0].raw,
                    v.get("contact_email") or [],
                    v.get("contact_phone") or [],
                    company,
                    owner_id,
                    created,
                )
            key = v.get("external_id", "")
            deal = self.existing.get(key) if key else None
            if deal is not None and "title" in r.made:
                fields["title"] = deal.title  # a file without titles keeps the deal's own
            if (
                deal is None
                and open_deals
                and stage.kind == StageKind.OPEN
                and isinstance(contact, int)
                and contact in open_deals
            ):
                if self.policy == "skip":
                    self._skip_request(r, contact, open_deals[contact])
                else:
                    requests.append((open_deals[contact], r, v, contact))
                continue
            if deal is None:
                deal = Deal(external_id=key)
                new.append(deal)
            elif self._unchanged(deal, fields, company, reason, contact, path, old_paths):
                self.report.skipped += 1
                self.report.errors.append(
                    RowError(r.row, "", gettext_noop("Unchanged since the last import."))
                )
                continue
            else:
                changed.append(deal)
                deal.version += 1
            fields["search_text"] = build_search_text(
                fields["title"], company_name, [contacts.name_of(contact)] if contact else []
            )
            for k, val in fields.items():
                setattr(deal, k, val)
            paths[id(deal)] = (deal, path)
            pending.append((deal, company, reason))
            if contact is not None:
                contact_of[id(deal)] = (deal, contact)
            if i % BATCH == 0:
                progress(i, total, "prepare")
        if new_reasons:
            LostReason.objects.bulk_create(new_reasons.values())
            for reason in new_reasons.values():
                self.report.notes.append(
                    {
                        "message": gettext_noop("Created the lost reason “%(name)s”."),
                        "params": {"name": reason.name},
                    }
                )
        companies.flush(self.report)
        contacts.flush(self.report)
        self._attach_requests(requests)
        for deal, company, reason in pending:
            deal.lost_reason_id = reason.pk if isinstance(reason, LostReason) else reason
            if company is not None or "company" in self.options.fields:
                deal.company_id = CompanyCache.pk(company)
        for start in range(0, len(new), BATCH):
            chunk = new[start : start + BATCH]
            fastinsert.create(
                chunk, Deal, history_user=self.by, history_reason=REASON, now=self.now
            )
            self.report.touch(Deal, [d.pk for d in chunk], "created")
            progress(start + len(chunk), total, "write")
        if changed:
            self.report.touch(
                Deal, [d.pk for d in changed], "updated", _deals_before([d.pk for d in changed])
            )
            bulk_update_with_history(
                changed,
                Deal,
                [
                    "title",
                    "stage",
                    "pipeline",
                    "created_at",
                    "closed_at",
                    "stage_entered_at",
                    "owner",
                    "amount",
                    "currency",
                    "source",
                    "expected_close_date",
                    "decision_date",
                    "probability_manual",
                    "contract_actual",
                    "lost_reason",
                    "company",
                    "search_text",
                    "version",
                ],
                batch_size=BATCH,
                default_user=self.by,
                default_change_reason=REASON,
            )
            # Replace the stage changes an earlier import of these deals created.
            ids = [d.pk for d in changed]
            for start in range(0, len(ids), BATCH):
                StageChange.objects.filter(deal_id__in=ids[start : start + BATCH]).exclude(
                    external_id=""
                ).delete()
        through = Deal.contacts.through
        fresh, links = {id(d) for d in new}, []
        for key, (deal, contact) in contact_of.items():
            pair = {"deal_id": deal.pk, "contact_id": ContactCache.pk(contact)}
            if key in fresh:
                links.append(pair)
            else:  # an updated deal may have the link already
                through.objects.bulk_create([through(**pair)], ignore_conflicts=True)
        fastinsert.create_rows(through, links)
        changes = []
        for deal, path in paths.values():
            for n, (from_stage, to_stage, at) in enumerate(path):
                changes.append(
                    {
                        "deal_id": deal.pk,
                        "from_stage_id": from_stage.pk if from_stage else None,
                        "to_stage_id": to_stage.pk,
                        "changed_at": at,
                        "changed_by_id": self.by.pk,
                        "external_id": f"{REASON}:{deal.external_id or deal.pk}:{n}"[:100],
                    }
                )
        fastinsert.create_rows(StageChange, changes)
        if changed:
            from voronka.deals.services import refresh_search_text

            refresh_search_text([d.pk for d in changed])
        self.report.created += len(new)
        self.report.updated += len(changed)
        progress(total, total, "done")
        return self.report


class ContactCache:
    """Contacts found by e-mail, phone or name (within the company) among the importer's
    visible ones; new ones created in one batch with their phones and e-mails."""

    def __init__(self, by: User):
        self.by = by
        visible = Contact.objects.visible_to(by)
        self.by_name: dict[tuple, int | Contact] = {}
        for pk, name, company_id in visible.order_by("pk").values_list("pk", "name", "company_id"):
            self.by_name.setdefault((_fold(name), company_id), pk)
        self.by_email = dict(
            EmailAddress.objects.filter(contact__in=visible).values_list("normalized", "contact_id")
        )
        self.by_phone = dict(
            PhoneNumber.objects.filter(contact__in=visible).values_list("e164", "contact_id")
        )
        self.names: dict[int, str] = {}
        self.new: list[tuple[Contact, list, list]] = []

    def get(self, name, emails, phones, company, owner_id, created_at):
        for e in emails:
            found = self.by_email.get(e.strip().lower())
            if found is not None:
                return found
        for ph in phones:
            found = self.by_phone.get(ph.e164)
            if found is not None:
                return found
        key = (_fold(name), id(company) if isinstance(company, Company) else company)
        found = self.by_name.get(key)
        if found is not None:
            return found
        contact = Contact(name=name[:300], owner_id=owner_id, created_at=created_at)
        contact._import_company = company
        self.new.append((contact, emails, phones))
        self.by_name[key] = contact
        for e in emails:
            self.by_email[e.strip().lower()] = contact
        for ph in phones:
            self.by_phone[ph.e164] = contact
        return contact

    def name_of(self, contact) -> str:
        if isinstance(contact, Contact):
            return contact.name
        if contact not in self.names:
            self.names.update(Contact.all_objects.filter(pk=contact).values_list("pk", "name"))
        return self.names.get(contact, "")

    def flush(self, report: Report) -> None:
        if not self.new:
            return
        objs = []
        for contact, _emails, _phones in self.new:
            company = contact._import_company
            contact.company_id = company.pk if isinstance(company, Company) else company
            objs.append(contact)
        fastinsert.create(
            objs, Contact, history_user=self.by, history_reason=REASON, now=timezone.now()
        )
        report.touch(Contact, [c.pk for c in objs], "created")
        fastinsert.create_rows(
            PhoneNumber, _phone_rows([(c, p) for c, _e, p in self.new], "contact")
        )
        fastinsert.create_rows(
            EmailAddress, _email_rows([(c, e) for c, e, _p in self.new], "contact")
        )
        report.notes.append(
            {
                "message": gettext_noop("Created %(n)s contacts named in the file."),
                "params": {"n": len(objs)},
            }
        )
        self.new = []

    @staticmethod
    def pk(value) -> int:
        return value.pk if isinstance(value, Contact) else value


def fields_help(kind: str) -> list[tuple[str, str]]:
    return [(f.name, gettext(f.help)) for f in parsing.FIELDS[kind]]
