"""After-commit work asked for once per transaction, however many writes ask for it."""

from collections.abc import Callable

from django.db import transaction


def on_commit_once(func: Callable[[], None]) -> None:
    """Run ``func`` after the current transaction commits, unless it is already waiting to
    (outside a transaction Django runs it at once)."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(entry[1] is func for entry in conn.run_on_commit):
        return
    transaction.on_commit(func)
