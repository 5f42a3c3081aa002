"""Batched inserts for large imports (executemany on SQLite, COPY on PostgreSQL), without
the ORM's per-value work.

``bulk_create`` prepares every value of every row through the field machinery and, on
SQLite, splits a batch by the 999-parameter limit; for a 100,000-deal file that costs
minutes. Here a model's rows go in with one ``executemany`` per batch: values are read
from the (unsaved) instances by attribute name and only date, time, decimal and JSON
values are adapted, as the database backend would. Primary keys are reserved first (a
sequence on PostgreSQL; on SQLite the import's transaction holds the write lock, so the
next free numbers are ours), so related rows can point at them. History rows are written
the same way, as django-simple-history would write them for a created record.

Call inside a transaction.
"""

from __future__ import annotations

from datetime import UTC

from django.db import connection, models

BATCH = 2000


def _sqlite_datetime(value):
    # What the SQLite backend stores: naive UTC text.
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def _converters(fields):
    ops = connection.ops
    out = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            out.append(
                _sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
            )
        elif isinstance(f, models.DateField):
            out.append(ops.adapt_datefield_value)
        elif isinstance(f, models.DecimalField):
            digits, places = f.max_digits, f.decimal_places
            out.append(lambda v, d=digits, p=places: ops.adapt_decimalfield_value(v, d, p))
        elif isinstance(f, models.JSONField):
            out.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        else:
            out.append(None)
    return out


def _insert(table: str, fields, rows, convert: bool = True) -> None:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(table)} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
    pairs = []
    if convert:
        pairs = [(i, c) for i, c in enumerate(_converters(fields)) if c is not None]
    if connection.vendor == "postgresql":
        _copy(table, fields, rows, pairs)
        return
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            if pairs:
                row = list(row)
                for i, c in pairs:
                    if row[i] is not None:
                        row[i] = c(row[i])
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _copy(table: str, fields, rows, pairs) -> None:
    """PostgreSQL: one COPY per table, much faster than row-by-row statements."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                if pairs:
                    row = list(row)
                    for i, c in pairs:
                        if row[i] is not None:
                            row[i] = c(row[i])
                copy.write_row(row)


def reserve_ids(model, n: int) -> list[int]:
    if n == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, n],
            )
            return [r[0] for r in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")  # noqa: S608
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + n))


def create(objs, model, *, history_user=None, history_reason="", now=None) -> None:
    """Insert unsaved instances of ``model`` (their ``pk`` is set). With ``now`` given, the
    model's history gets a "+" row per record dated ``now`` by ``history_user``."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields]
    pk_name = model._meta.pk.attname
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        setattr(obj, pk_name, pk)
        obj._state.adding = False
        obj._state.db = connection.alias
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    names = [f.attname for f in fields]
    _insert(model._meta.db_table, fields, ([obj.__dict__[n] for n in names] for obj in objs))
    if getattr(model, "history", None) is not None and now is not None:
        create_history(objs, model, history_user=history_user, history_reason=history_reason,
                       now=now, history_type="+")  # fmt: skip


def create_history(objs, model, *, history_user, history_reason, now, history_type) -> None:
    """A history row per saved instance of ``model`` as it is now ("+" created, "~"
    changed), dated ``now`` by ``history_user``, without building historical instances."""
    if not objs:
        return
    own = {f.attname for f in model._meta.concrete_fields}
    hmodel = model.history.model
    hfields = [f for f in hmodel._meta.concrete_fields if f.attname != "history_id"]
    extra = {
        "history_date": now,
        "history_change_reason": history_reason,
        "history_type": history_type,
        "history_user_id": history_user.pk if history_user else None,
    }
    getters = []
    for f in hfields:
        if f.attname in extra:
            getters.append((False, extra[f.attname]))
        elif f.attname in own:
            getters.append((True, f.attname))
        else:
            getters.append((False, f.get_default()))
    _insert(
        hmodel._meta.db_table,
        hfields,
        ([obj.__dict__[v] if own_value else v for own_value, v in getters] for obj in objs),
    )


def create_rows(model, rows: list[dict]) -> None:
    """Insert plain rows (attribute name -> value; the rest take the field defaults)
    without building model instances. Keys are left to the database."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set().union(*(r.keys() for r in rows[:1]))
    defaults = {}
    for f in fields:
        if f.attname not in given:
            value = f.get_default()
            defaults[f.attname] = (
                f.get_db_prep_save(value, connection) if value is not None else None
            )
    keep = [f for f in fields if f.attname in given]
    names = [f.attname for f in keep]
    fixed = [f for f in fields if f.attname not in given]
    fixed_values = [defaults[f.attname] for f in fixed]
    convert = _converters(keep)
    pairs = [(i, c) for i, c in enumerate(convert) if c is not None]

    def tuples():
        for r in rows:
            row = [r[n] for n in names]
            for i, c in pairs:
                if row[i] is not None:
                    row[i] = c(row[i])
            yield row + fixed_values

    _insert(model._meta.db_table, keep + fixed, tuples(), convert=False)
