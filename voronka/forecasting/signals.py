"""Deal changes ask for a forecast refresh once their transaction commits (one request per
transaction, however many deals it touched; the queue debounces further)."""

from __future__ import annotations

import logging

from voronka.core.transactions import on_commit_once

log = logging.getLogger(__name__)


def _run():
    from voronka.forecasting.tasks import request_refresh

    try:
        request_refresh()
    except Exception:  # a full queue or a missing table must never break a deal save
        log.exception("could not queue a forecast refresh")


def deal_changed(sender, **kwargs):
    if kwargs.get("raw"):
        return
    on_commit_once(_run)
