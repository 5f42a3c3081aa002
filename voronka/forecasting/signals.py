"""Deal changes ask for a forecast refresh once their transaction commits (one request per
transaction, however many deals it touched; the queue debounces further)."""

from __future__ import annotations

import logging
import threading

from django.db import transaction

log = logging.getLogger(__name__)
_local = threading.local()


def _run():
    _local.scheduled = False
    from voronka.forecasting.tasks import request_refresh

    try:
        request_refresh()
    except Exception:  # a full queue or a missing table must never break a deal save
        log.exception("could not queue a forecast refresh")


def deal_changed(sender, **kwargs):
    if kwargs.get("raw"):
        return
    if getattr(_local, "scheduled", False) and transaction.get_connection().in_atomic_block:
        return
    _local.scheduled = True
    transaction.on_commit(_run)
