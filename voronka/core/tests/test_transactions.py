import pytest
from django.db import transaction

from voronka.core.transactions import on_commit_once

pytestmark = pytest.mark.django_db


def test_asked_twice_in_a_transaction_runs_once(django_capture_on_commit_callbacks):
    calls = []

    def work():
        calls.append(1)

    def other():
        calls.append(2)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            on_commit_once(work)
            on_commit_once(work)
            on_commit_once(other)
    assert len(callbacks) == 2 and sorted(calls) == [1, 2]
