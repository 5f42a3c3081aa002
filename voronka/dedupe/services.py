"""Writes of the duplicate control: stored keys, the review queue, merge and undo.

Keys are refreshed inside the transaction of the contacts services that change a record
(so a record and its keys are never out of step). A merge keeps in ``Merge.data`` every row
it moved or deleted, which is what lets undo put each link back exactly.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from voronka.dedupe import keystore
from voronka.dedupe.models import CandidatePair, Event, MatchKey, Merge, RecordKeys

# ---------------------------------------------------------------- keys


def keys_refresh(kind: str, record, *, by=None, log: bool = True) -> None:
    """Recompute and store the keys of one record (called by the contacts services).

    When the saved record has likely duplicates it was saved next to them: that is logged
    on its timeline once per new set of candidates.
    """
    keys = keystore.keys_of_record(kind, record)
    keystore.store(kind, record.pk, keys)
    if not log:
        return
    found = keystore.candidates(kind, keys, exclude=record.pk)
    ids = sorted(int(c.id) for c in found)
    if not ids:
        return
    last = (
        Event.objects.filter(kind=kind, record_id=record.pk, action=Event.SAVED_WITH_CANDIDATES)
        .order_by("-at", "-pk")
        .first()
    )
    if last is not None and set(ids) <= set(last.other_ids):
        return
    Event.objects.create(
        kind=kind, record_id=record.pk, action=Event.SAVED_WITH_CANDIDATES, other_ids=ids, by=by
    )


def keys_backfill(kind: str, *, only_missing: bool = True, batch: int = 2000) -> int:
    """Store keys of records that have none (rows written in bulk) or outdated ones."""
    model = keystore.model_of(kind)
    qs = model.objects.order_by("pk")
    if only_missing:  # no keys, or keys made by an older version of the matching core
        current = RecordKeys.objects.filter(kind=kind, version=keystore.KEYS_VERSION)
        qs = qs.exclude(pk__in=current.values("record_id"))
    done = 0
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        records = keystore.records_for(kind, chunk)
        with transaction.atomic():
            keystore.store_many(kind, [(pk, keystore.make(kind, rec)) for pk, rec in records])
        done += len(chunk)
    return done


def keys_mark_stale(kind: str, ids, batch: int = 2000) -> None:
    """Records changed in bulk (an import's updates): their stored keys stay usable until
    ``keys_backfill`` makes new ones, which it does for every key of an older version."""
    ids = list(ids)
    for start in range(0, len(ids), batch):
        RecordKeys.objects.filter(kind=kind, record_id__in=ids[start : start + batch]).update(
            version=0
        )


# ---------------------------------------------------------------- review queue


def queue_fill(kind: str, pairs, clusters=()) -> dict:
    """Store the pairs of a scan ``(a_id, b_id, points)`` and the scan's ``clusters`` (lists
    of record ids) they fall in. A dismissed or merged pair keeps its decision (it never
    comes back); open pairs no longer found are removed, except those flagged on intake (a
    person decides about them)."""
    member = {}
    for ids in clusters:
        ids = [int(i) for i in ids]
        if len(ids) > 1:
            key = min(ids)
            member.update(dict.fromkeys(ids, key))
    existing = {
        (a, b): (pk, status, origin)
        for pk, a, b, status, origin in CandidatePair.objects.filter(kind=kind).values_list(
            "pk", "a_id", "b_id", "status", "origin"
        )
    }
    seen = set()
    new, update = [], []
    for a, b, points in pairs:
        a, b = (int(a), int(b)) if int(a) < int(b) else (int(b), int(a))
        if (a, b) in seen:
            continue
        seen.add((a, b))
        row = existing.get((a, b))
        cluster = member.get(a) if member.get(a) == member.get(b) else None
        if row is None:
            new.append(
                CandidatePair(kind=kind, a_id=a, b_id=b, points=float(points), cluster=cluster)
            )
        elif row[1] == CandidatePair.OPEN:
            update.append(CandidatePair(pk=row[0], points=float(points), cluster=cluster))
    stale = [
        pk
        for key, (pk, status, origin) in existing.items()
        if status == CandidatePair.OPEN and origin == CandidatePair.SCAN and key not in seen
    ]
    with transaction.atomic():
        CandidatePair.objects.bulk_create(new, batch_size=2000)
        CandidatePair.objects.bulk_update(update, ["points", "cluster"], batch_size=2000)
        for start in range(0, len(stale), 2000):
            CandidatePair.objects.filter(pk__in=stale[start : start + 2000]).delete()
    return {"new": len(new), "updated": len(update), "removed": len(stale)}


def scan_run(kind: str, *, auto_merge: bool | None = None) -> dict:
    """Backfill missing keys, scan the whole base, fill the queue; optionally auto-merge."""
    keys_backfill(kind)
    result = keystore.scan(kind)
    pairs = [(a, b, p) for a, b, p in result.matches() + result.reviews()]
    stats = queue_fill(kind, pairs, result.clusters)
    stats.update(kind=kind, records=len(result.ids), pairs=len(pairs), merged=0)
    if auto_merge is None:
        auto_merge = auto_merge_enabled()
    if auto_merge:
        stats["merged"] = auto_merge_run(kind)
    return stats


def auto_merge_enabled() -> bool:
    """Off by default; ``VORONKA_DEDUPE_AUTO_MERGE=1`` (environment or settings) turns it on."""
    value = getattr(settings, "VORONKA_DEDUPE_AUTO_MERGE", None)
    if value is None:
        value = os.environ.get("VORONKA_DEDUPE_AUTO_MERGE", "0") == "1"
    return bool(value)


def auto_merge_threshold() -> float:
    value = getattr(settings, "VORONKA_DEDUPE_AUTO_MERGE_POINTS", None)
    if value is None:
        value = os.environ.get("VORONKA_DEDUPE_AUTO_MERGE_POINTS", "")
    try:
        return max(AUTO_MERGE_POINTS_MIN, float(value)) if value != "" else AUTO_MERGE_POINTS
    except ValueError:
        return AUTO_MERGE_POINTS


def auto_merge_run(kind: str) -> int:
    """Merge open pairs at or above the automatic threshold (off unless switched on)."""
    threshold = auto_merge_threshold()
    model = keystore.model_of(kind)
    merged = 0
    pairs = CandidatePair.objects.filter(
        kind=kind, status=CandidatePair.OPEN, points__gte=threshold
    )
    for pair in pairs.order_by("-points", "pk"):
        records = list(
            model.objects.filter(pk__in=[pair.a_id, pair.b_id]).order_by("created_at", "pk")
        )
        if len(records) != 2:
            continue
        values = default_values(kind, records)
        records_merge(kind, records[0], records[1:], values, by=None, automatic=True)
        merged += 1
    return merged


# bench/dedupe/threshold.py at 100,000 contacts: pairs at >= 6.5 points are right 99.96 %
# of the time, at >= 8.0 points every one of 20,451 pairs is. Lower values are refused.
AUTO_MERGE_POINTS = 8.0
AUTO_MERGE_POINTS_MIN = 6.5


@transaction.atomic
def pair_dismiss(pair: CandidatePair, *, by) -> None:
    pair.status = CandidatePair.DISMISSED
    pair.decided_at = timezone.now()
    pair.decided_by = by
    pair.save(update_fields=["status", "decided_at", "decided_by"])


# ---------------------------------------------------------------- merge


class MergeError(ValueError):
    pass


def merge_fields(kind: str) -> list[str]:
    """Fields the user picks one value of, in form order."""
    if kind == "contact":
        return ["name", "position", "company", "messengers", "lifecycle", "source", "owner"]
    return [
        "name", "legal_name", "inn", "kpp", "ogrn", "website", "address", "lifecycle",
        "source", "owner",
    ]  # fmt: skip


def _value(record, name):
    field = record._meta.get_field(name)
    return getattr(record, field.attname)


def default_values(kind: str, records) -> dict:
    """For each field: the most recently updated record's non-empty value."""
    newest_first = sorted(records, key=lambda r: (r.updated_at, r.pk), reverse=True)
    out = {}
    for name in merge_fields(kind):
        out[name] = _value(newest_first[0], name)
        for r in newest_first:
            v = _value(r, name)
            if v not in (None, ""):
                out[name] = v
                break
    return out


def _row_dict(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _links(model):
    """(related model, FK field name, is_m2m) of everything that points at ``model``."""
    out = []
    for rel in model._meta.related_objects:
        if rel.related_model._meta.app_label == "dedupe":
            continue
        if rel.many_to_many:
            through = rel.through
            src = next(
                f for f in through._meta.concrete_fields
                if f.is_relation and f.related_model is model
            )  # fmt: skip
            other = next(
                f for f in through._meta.concrete_fields
                if f.is_relation and f.related_model is not model
            )  # fmt: skip
            out.append((through, src.name, other.attname))
        elif rel.one_to_many or rel.one_to_one:
            out.append((rel.related_model, rel.field.name, None))
    return out


_SEPARATE = {"contacts.PhoneNumber": "e164", "contacts.EmailAddress": "normalized"}


@transaction.atomic
def records_merge(kind: str, survivor, others, values: dict, *, by, automatic=False) -> Merge:
    """Merge ``others`` into ``survivor``: ``values`` picked field by field, every link moved,
    the others moved to the recycle bin. Returns the :class:`Merge` (undo with
    :func:`merge_undo`)."""
    from voronka.contacts import services as contact_services

    model = keystore.model_of(kind)
    ids = [survivor.pk] + [o.pk for o in others]
    if len(set(ids)) != len(ids) or len(ids) < 2:
        raise MergeError("same record")
    locked = {r.pk: r for r in model.objects.select_for_update().filter(pk__in=ids)}
    if len(locked) != len(ids):
        raise MergeError("gone")
    survivor = locked[survivor.pk]
    others = [locked[o.pk] for o in others]
    history = model.history.model

    data = {"links": [], "deleted": [], "history": {}, "before": {}, "after": {}, "pairs": []}
    deal_ids: set[int] = set()
    for other in others:
        for rel_model, fname, other_attname in _links(model):
            label = rel_model._meta.label
            manager = rel_model._base_manager
            rows = list(manager.filter(**{fname: other}))
            if not rows:
                continue
            if other_attname is not None:  # a many-to-many link row
                taken = set(
                    manager.filter(**{fname: survivor}).values_list(other_attname, flat=True)
                )
                for row in rows:
                    if getattr(row, other_attname) in taken:
                        data["deleted"].append([label, _row_dict(row)])
                        row.delete()
                    else:
                        data["links"].append([label, fname, row.pk, other.pk])
                        manager.filter(pk=row.pk).update(**{fname: survivor})
                    if label.startswith("deals."):
                        deal_ids.add(getattr(row, other_attname))
                continue
            key = _SEPARATE.get(label)
            if key is not None:  # phones and e-mails: union, exact repeats dropped
                have = set(manager.filter(**{fname: survivor}).values_list(key, flat=True))
                start = len(have)
                for i, row in enumerate(rows):
                    if getattr(row, key) in have:
                        data["deleted"].append([label, _row_dict(row)])
                        row.delete()
                        continue
                    have.add(getattr(row, key))
                    data["links"].append([label, fname, row.pk, other.pk, row.position])
                    manager.filter(pk=row.pk).update(**{fname: survivor}, position=start + i)
                continue
            for row in rows:
                data["links"].append([label, fname, row.pk, other.pk])
            manager.filter(pk__in=[r.pk for r in rows]).update(**{fname: survivor})
            _move_link_history(data, rel_model, fname, other.pk, survivor.pk)
            if label == "deals.Deal":
                deal_ids.update(r.pk for r in rows)
        hids = list(history.objects.filter(id=other.pk).values_list("history_id", flat=True))
        history.objects.filter(history_id__in=hids).update(id=survivor.pk)
        data["history"][str(other.pk)] = hids
        contact_services._soft_delete(other, by)
        keystore.forget(kind, other.pk)

    changed = {}
    for name in merge_fields(kind):
        if name not in values:
            continue
        before = _value(survivor, name)
        data["before"][name] = before
        if values[name] != before:
            changed[survivor._meta.get_field(name).attname] = values[name]
    for attname, v in changed.items():
        setattr(survivor, attname, v)
    survivor._history_user = by
    survivor._change_reason = "merge"
    survivor.save()
    survivor.refresh_from_db()
    data["after"] = {name: _value(survivor, name) for name in data["before"]}
    keys_refresh(kind, survivor, log=False)

    pairs = CandidatePair.objects.filter(kind=kind, status=CandidatePair.OPEN).filter(
        Q(a_id__in=ids, b_id__in=ids)
    )
    data["pairs"] = list(pairs.values_list("pk", flat=True))
    pairs.update(status=CandidatePair.MERGED, decided_at=timezone.now(), decided_by=by)
    data["deal_ids"] = sorted(deal_ids)
    if deal_ids:
        from voronka.deals.services import refresh_search_text

        refresh_search_text(sorted(deal_ids))
    merge = Merge.objects.create(
        kind=kind, survivor_id=survivor.pk, merged_ids=[o.pk for o in others], data=data,
        automatic=automatic, by=by,
    )  # fmt: skip
    Event.objects.create(
        kind=kind, record_id=survivor.pk, action=Event.MERGED, merge=merge,
        other_ids=[o.pk for o in others], by=by,
    )  # fmt: skip
    for o in others:
        Event.objects.create(
            kind=kind, record_id=o.pk, action=Event.MERGED_INTO, merge=merge,
            other_ids=[survivor.pk], by=by,
        )  # fmt: skip
    return merge


def _move_link_history(data, rel_model, fname, old_id, new_id) -> None:
    """The field history of a moved deal, activity, note or file follows it too."""
    history = getattr(rel_model, "history", None)
    if history is None:
        return
    attname = rel_model._meta.get_field(fname).attname
    hist = history.model
    hids = list(hist.objects.filter(**{attname: old_id}).values_list("history_id", flat=True))
    if hids:
        hist.objects.filter(history_id__in=hids).update(**{attname: new_id})
        data.setdefault("link_history", []).append([rel_model._meta.label, attname, hids, old_id])


# ---------------------------------------------------------------- undo


def undo_plan(merge: Merge) -> dict:
    """What undo can and cannot restore now: ``{"fields_kept": [...], "missing": {...},
    "moved_on": {...}, "records_gone": [...]}`` (empty lists/dicts: everything)."""
    from django.apps import apps

    model = keystore.model_of(merge.kind)
    survivor = model.all_objects.filter(pk=merge.survivor_id).first()
    plan = {"fields_kept": [], "missing": {}, "moved_on": {}, "records_gone": [],
            "survivor_gone": survivor is None}  # fmt: skip
    if survivor is not None:
        for name, after in merge.data.get("after", {}).items():
            field = model._meta.get_field(name)
            if _json_eq(field, _value(survivor, name), after):
                continue
            if not _json_eq(field, after, merge.data["before"].get(name)):
                plan["fields_kept"].append(name)
    present = set(model.all_objects.filter(pk__in=merge.merged_ids).values_list("pk", flat=True))
    plan["records_gone"] = [pk for pk in merge.merged_ids if pk not in present]
    for link in merge.data.get("links", []):
        label, fname, pk = link[0], link[1], link[2]
        rel_model = apps.get_model(label)
        row = rel_model._base_manager.filter(pk=pk).values_list(
            rel_model._meta.get_field(fname).attname, flat=True
        )
        current = list(row)
        name = str(rel_model._meta.verbose_name_plural)
        if not current:
            plan["missing"][name] = plan["missing"].get(name, 0) + 1
        elif current[0] != merge.survivor_id:
            plan["moved_on"][name] = plan["moved_on"].get(name, 0) + 1
    return plan


def _json_eq(field, a, b) -> bool:
    if a is None or b is None:
        return a == b
    try:
        return field.to_python(a) == field.to_python(b)
    except Exception:  # noqa: BLE001 - unparsable stored value: not equal
        return False


class UndoError(ValueError):
    pass


@transaction.atomic
def merge_undo(merge: Merge, *, by) -> dict:
    """Put every moved link back, restore the merged records and the survivor's fields.
    Whatever changed since the merge is left as it is and reported (see :func:`undo_plan`)."""
    from django.apps import apps

    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise UndoError("already undone")
    plan = undo_plan(merge)
    if plan["survivor_gone"]:
        raise UndoError("survivor gone")
    model = keystore.model_of(merge.kind)
    history = model.history.model
    gone = set(plan["records_gone"])

    for link in merge.data.get("links", []):
        label, fname, pk, other_id = link[0], link[1], link[2], link[3]
        if other_id in gone:
            continue
        rel_model = apps.get_model(label)
        attname = rel_model._meta.get_field(fname).attname
        update = {attname: other_id}
        if len(link) > 4:
            update["position"] = link[4]
        rel_model._base_manager.filter(pk=pk, **{attname: merge.survivor_id}).update(**update)
    for label, row in merge.data.get("deleted", []):
        rel_model = apps.get_model(label)
        if any(row.get(f.attname) in gone for f in rel_model._meta.concrete_fields
               if f.is_relation and f.related_model is model):  # fmt: skip
            continue
        if rel_model._base_manager.filter(pk=row[rel_model._meta.pk.attname]).exists():
            continue
        rel_model._base_manager.create(**_restorable(rel_model, row))
    for label, attname, hids, other_id in merge.data.get("link_history", []):
        if other_id in gone:
            continue
        hist = apps.get_model(label).history.model
        hist.objects.filter(history_id__in=hids, **{attname: merge.survivor_id}).update(
            **{attname: other_id}
        )
    for other_id, hids in merge.data.get("history", {}).items():
        if int(other_id) in gone:
            continue
        history.objects.filter(history_id__in=hids).update(id=int(other_id))

    survivor = model.all_objects.get(pk=merge.survivor_id)
    kept = set(plan["fields_kept"])
    for name, before in merge.data.get("before", {}).items():
        field = model._meta.get_field(name)
        if name in kept:
            continue
        if not _json_eq(field, _value(survivor, name), merge.data["after"].get(name)):
            continue
        setattr(survivor, field.attname, None if before is None else field.to_python(before))
    survivor._history_user = by
    survivor._change_reason = "merge undone"
    survivor.save()
    keys_refresh(merge.kind, survivor, log=False)
    for other in model.all_objects.filter(pk__in=merge.merged_ids):
        if other.deleted_at is not None:
            other.deleted_at = None
            other.deleted_by = None
            other._history_user = by
            other._change_reason = "merge undone"
            other.save()
        keys_refresh(merge.kind, other, log=False)
    deal_ids = set(merge.data.get("deal_ids", []))
    CandidatePair.objects.filter(pk__in=merge.data.get("pairs", [])).update(
        status=CandidatePair.OPEN, decided_at=None, decided_by=None
    )
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])
    for rid in [merge.survivor_id, *merge.merged_ids]:
        if rid in gone:
            continue
        Event.objects.create(
            kind=merge.kind, record_id=rid, action=Event.UNDONE, merge=merge, by=by,
            other_ids=[x for x in [merge.survivor_id, *merge.merged_ids] if x != rid],
        )  # fmt: skip
    if deal_ids:
        from voronka.deals.services import refresh_search_text

        refresh_search_text(sorted(deal_ids))
    return plan


def _restorable(rel_model, row: dict) -> dict:
    out = {}
    for f in rel_model._meta.concrete_fields:
        if f.attname in row:
            v = row[f.attname]
            out[f.attname] = v if v is None or f.is_relation else f.to_python(v)
    return out


__all__ = [
    "MatchKey",
    "keys_refresh",
    "keys_backfill",
    "queue_fill",
    "scan_run",
    "pair_dismiss",
    "records_merge",
    "merge_undo",
    "undo_plan",
]
