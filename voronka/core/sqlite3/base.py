"""Django's SQLite backend, keeping the query planner's statistics up to date.

Without statistics SQLite guesses which index to use, and on a base of 100,000 deals it
guessed badly for the filtered deal list: it walked every deal of an owner (28 ms) instead
of the owner-and-stage index (4 ms). PostgreSQL's autovacuum keeps its statistics; SQLite
leaves it to the application, which should run ``PRAGMA optimize`` before a connection
closes: SQLite then analyses the tables this connection's queries would have planned
better with fresh statistics, and nothing else. ``analysis_limit`` bounds the work to a
sample of each index (about 50 ms on that base).
"""

from django.db.backends.sqlite3 import base

ANALYSIS_LIMIT = 1000


def optimize(dbapi_connection, *, everything: bool = False) -> None:
    """Refresh the planner statistics SQLite thinks are due (``everything``: of every
    table, as after a bulk load). Pragmas only: no values, nothing from users."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE" if everything else "PRAGMA optimize")
    finally:
        cursor.close()


def refresh_statistics(connection) -> None:
    """After a bulk load (the demo, an import): fresh statistics of every table now, rather
    than when the connections that query them close. PostgreSQL's autovacuum does this
    by itself."""
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        connection.ensure_connection()
        optimize(connection.connection, everything=True)


class DatabaseWrapper(base.DatabaseWrapper):
    def _close(self):
        if self.connection is not None and not self.is_in_memory_db():
            try:
                optimize(self.connection)
            except base.Database.Error:
                pass  # busy or read-only: the statistics wait for the next close
        super()._close()
