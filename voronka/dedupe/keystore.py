"""Between the database and the pure matching core: records to keys, stored keys to scores.

The check on create answers the core's questions (``lookup``, ``freq``, ``keys_of``) from the
indexed ``MatchKey`` table: two index look-ups and one fetch of the candidates' keys.
"""

from __future__ import annotations

from dataclasses import fields as dc_fields

from django.db.models import Count
from django.utils import timezone

from voronka.dedupe.matching import Keys, Record, make_keys
from voronka.dedupe.matching.check import check as core_check
from voronka.dedupe.matching.keys import COMPANY, PERSON
from voronka.dedupe.matching.scan import scan_keys
from voronka.dedupe.matching.score import DEFAULT_CAP, score_keys
from voronka.dedupe.models import KEY_LENGTH, MatchKey, RecordKeys

# Raise when the matching core computes keys differently: the scan (and
# ``manage.py dedupe_keys``) then recompute the keys stored by an older version.
KEYS_VERSION = 3  # 3: gender from the name as typed, -цкая/-цкий stems

_TUPLES = {f.name for f in dc_fields(Keys) if str(f.type).startswith("tuple")}


def model_of(kind: str):
    from voronka.contacts.models import Company, Contact

    if kind == "contact":
        return Contact
    if kind == "company":
        return Company
    raise ValueError(kind)


def record_from(kind: str, obj, phones=(), emails=(), company_name: str = "") -> Record:
    if kind == "company":
        return Record(
            id=obj.pk, kind=COMPANY, name=obj.name or "", company=obj.legal_name or "",
            phones=tuple(phones), emails=tuple(emails), inn=obj.inn or "", kpp=obj.kpp or "",
            website=obj.website or "", address=obj.address or "",
        )  # fmt: skip
    return Record(
        id=obj.pk, kind=PERSON, name=obj.name or "", company=company_name,
        phones=tuple(phones), emails=tuple(emails),
    )  # fmt: skip


def keys_of_record(kind: str, obj) -> Keys:
    phones = [p.raw for p in obj.phones.all()]
    emails = [e.email for e in obj.emails.all()]
    company = ""
    if kind == "contact" and obj.company_id:
        company = obj.company.name if obj.company else ""
    return make_keys(record_from(kind, obj, phones, emails, company))


def make(kind: str, record: Record) -> Keys:
    return make_keys(record)


def records_for(kind: str, ids) -> list[tuple[int, Record]]:
    """Records (raw values) of many ids in a few queries."""
    from voronka.contacts.models import EmailAddress, PhoneNumber

    model = model_of(kind)
    objs = list(model.all_objects.filter(pk__in=ids).order_by("pk"))
    phones: dict[int, list] = {}
    for rid, raw in PhoneNumber.objects.filter(**{f"{kind}_id__in": ids}).values_list(
        f"{kind}_id", "raw"
    ):
        phones.setdefault(rid, []).append(raw)
    emails: dict[int, list] = {}
    for rid, e in EmailAddress.objects.filter(**{f"{kind}_id__in": ids}).values_list(
        f"{kind}_id", "email"
    ):
        emails.setdefault(rid, []).append(e)
    companies = {}
    if kind == "contact":
        from voronka.contacts.models import Company

        cids = {o.company_id for o in objs if o.company_id}
        companies = dict(Company.all_objects.filter(pk__in=cids).values_list("pk", "name"))
    return [
        (o.pk, record_from(kind, o, phones.get(o.pk, ()), emails.get(o.pk, ()),
                           companies.get(getattr(o, "company_id", None), "")))
        for o in objs
    ]  # fmt: skip


_KEY_FIELDS = tuple(f.name for f in dc_fields(Keys))


def to_json(keys: Keys) -> dict:
    out = {}
    for name in _KEY_FIELDS:
        v = getattr(keys, name)
        out[name] = list(v) if isinstance(v, tuple) else v
    return out


def from_json(data: dict) -> Keys:
    return Keys(**{k: tuple(v) if k in _TUPLES else v for k, v in data.items()})


def _key(block: str) -> str:
    return block[:KEY_LENGTH]


def store(kind: str, record_id: int, keys: Keys) -> None:
    store_many(kind, [(record_id, keys)])


def store_many(kind: str, items) -> None:
    """Replace the stored keys of these records (plain rows, no model instances: the
    batch keying of an imported base writes about ten match keys per record)."""
    from voronka.imports.fastinsert import create_rows

    items = list(items)
    ids = [rid for rid, _ in items]
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        RecordKeys.objects.filter(kind=kind, record_id__in=chunk).delete()
        MatchKey.objects.filter(kind=kind, record_id__in=chunk).delete()
    now = timezone.now()
    create_rows(
        RecordKeys,
        [
            {"kind": kind, "record_id": rid, "keys": to_json(k), "version": KEYS_VERSION,
             "updated_at": now}
            for rid, k in items
        ],
    )  # fmt: skip
    create_rows(
        MatchKey,
        [
            {"kind": kind, "record_id": rid, "key": b}
            for rid, k in items
            for b in dict.fromkeys(_key(x) for x in k.blocks)
        ],
    )


def forget(kind: str, record_id: int) -> None:
    RecordKeys.objects.filter(kind=kind, record_id=record_id).delete()
    MatchKey.objects.filter(kind=kind, record_id=record_id).delete()


def freq_of(kind: str, blocks) -> dict[str, int]:
    keys = list(dict.fromkeys(_key(b) for b in blocks))
    if not keys:
        return {}
    rows = (
        MatchKey.objects.filter(kind=kind, key__in=keys)
        .values("key")
        .annotate(n=Count("record_id"))
        .values_list("key", "n")
    )
    return dict(rows)


def stored_keys(kind: str, ids) -> dict[int, Keys]:
    return {
        rid: from_json(k)
        for rid, k in RecordKeys.objects.filter(kind=kind, record_id__in=list(ids)).values_list(
            "record_id", "keys"
        )
    }


def candidates(kind: str, keys: Keys, *, exclude=None, limit: int = 10):
    """Likely duplicates of ``keys`` among stored records, best first (core ``Candidate``)."""
    counts = freq_of(kind, keys.blocks)
    if not counts:
        return []
    from voronka.dedupe.matching.check import _FUZZY, NAME_CAP

    wanted = [k for k, n in counts.items() if n <= (NAME_CAP if k[:1] in _FUZZY else DEFAULT_CAP)]
    postings: dict[str, list] = {}
    for key, rid in MatchKey.objects.filter(kind=kind, key__in=wanted).values_list(
        "key", "record_id"
    ):
        postings.setdefault(key, []).append(rid)
    ids = {rid for rs in postings.values() for rid in rs if rid != exclude}
    if not ids:
        return []
    # records in the recycle bin are no candidates (one query: keys of the live ones)
    live = model_of(kind).objects.filter(pk__in=ids).values("pk")
    known = {
        rid: from_json(k)
        for rid, k in RecordKeys.objects.filter(kind=kind, record_id__in=list(ids))
        .filter(record_id__in=live)
        .values_list("record_id", "keys")
    }

    def lookup(b):
        return [r for r in postings.get(_key(b), ()) if r in known]

    def freq(b):
        return counts.get(_key(b), 0)

    return core_check(keys, lookup, known.__getitem__, freq, limit=limit, exclude=exclude)


def candidates_many(kind: str, many: list[Keys], *, limit: int = 10, batch: int = 1000):
    """:func:`candidates` of many incoming records at once (an import): a few chunked
    look-ups for all of them instead of four queries a record. The incoming records are
    not compared with each other, only with the stored ones."""
    from voronka.dedupe.matching.check import _FUZZY, NAME_CAP

    blocks = list(dict.fromkeys(_key(b) for k in many for b in k.blocks))
    counts: dict[str, int] = {}
    for start in range(0, len(blocks), batch):
        counts.update(freq_of(kind, blocks[start : start + batch]))
    if not counts:
        return [[] for _ in many]
    wanted = [k for k, n in counts.items() if n <= (NAME_CAP if k[:1] in _FUZZY else DEFAULT_CAP)]
    postings: dict[str, list] = {}
    for start in range(0, len(wanted), batch):
        for key, rid in MatchKey.objects.filter(
            kind=kind, key__in=wanted[start : start + batch]
        ).values_list("key", "record_id"):
            postings.setdefault(key, []).append(rid)
    ids = sorted({rid for rs in postings.values() for rid in rs})
    known: dict[int, Keys] = {}
    model = model_of(kind)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        live = model.objects.filter(pk__in=chunk).values("pk")
        for rid, k in (
            RecordKeys.objects.filter(kind=kind, record_id__in=chunk)
            .filter(record_id__in=live)
            .values_list("record_id", "keys")
        ):
            known[rid] = from_json(k)

    def lookup(b):
        return [r for r in postings.get(_key(b), ()) if r in known]

    def freq(b):
        return counts.get(_key(b), 0)

    return [core_check(k, lookup, known.__getitem__, freq, limit=limit) for k in many]


def explain(kind: str, a: Keys, b: Keys):
    """Score of a stored pair with its reasons (block sizes from the stored keys)."""
    counts = freq_of(kind, set(a.blocks) | set(b.blocks))
    return score_keys(a, b, lambda k: counts.get(_key(k), 0))


def scan(kind: str):
    """Batch scan of every live record of ``kind`` from the stored keys."""
    model = model_of(kind)
    live = model.objects.values("pk")
    ids, keys = [], []
    for rid, k in (
        RecordKeys.objects.filter(kind=kind, record_id__in=live)
        .order_by("record_id")
        .values_list("record_id", "keys")
        .iterator(chunk_size=5000)
    ):
        ids.append(rid)
        keys.append(from_json(k))
    return scan_keys(keys, ids, keep_keys=False)
