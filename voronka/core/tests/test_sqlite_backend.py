"""The SQLite backend leaves the query planner statistics behind when a connection closes."""

import sqlite3

from django.db.utils import ConnectionHandler

from voronka.core.sqlite3.base import refresh_statistics


def _connection(path):
    handler = ConnectionHandler({"default": {"ENGINE": "voronka.core.sqlite3", "NAME": str(path)}})
    return handler["default"]


def _fill(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, owner INTEGER, stage INTEGER)")
        cur.execute("CREATE INDEX t_owner ON t (owner)")
        cur.executemany(
            "INSERT INTO t (owner, stage) VALUES (%s, %s)", [(i % 7, i % 5) for i in range(3000)]
        )


def _stats(path):
    with sqlite3.connect(path) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        if "sqlite_stat1" not in names:
            return []
        return db.execute("SELECT tbl, idx FROM sqlite_stat1").fetchall()


def test_closing_a_connection_that_queried_a_table_analyses_it(tmp_path, django_db_blocker):
    path = tmp_path / "a.sqlite3"
    with django_db_blocker.unblock():  # a database of its own, outside the test database
        conn = _connection(path)
        _fill(conn)
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM t WHERE owner = %s", [3])
        assert _stats(path) == []
        conn.close()
    assert ("t", "t_owner") in _stats(path)


def test_refresh_after_a_bulk_load(tmp_path, django_db_blocker):
    path = tmp_path / "b.sqlite3"
    with django_db_blocker.unblock():
        conn = _connection(path)
        _fill(conn)
        refresh_statistics(conn)
        assert ("t", "t_owner") in _stats(path)
        conn.close()
