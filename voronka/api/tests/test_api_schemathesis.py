"""schemathesis against /api/openapi.json: no 5xx, no answer outside the schema, and each of
two reps, fuzzing every operation, never sees or reaches the other's records."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from voronka.accounts.services import api_token_create
from voronka.activities.services import note_create
from voronka.core import testing

pytestmark = pytest.mark.django_db

# Per operation and per rep; about 20 operations x 2 reps, well under a minute in total.
EXAMPLES = 8
# Every answer's status, type, headers and body against the document; bad input is refused;
# a request without credentials is refused. (Checks that need ids the fuzzer cannot know,
# such as positive_data_acceptance, are left out.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


@pytest.fixture
def wsgi_app():
    """Django's WSGI app; its request signals must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _records(owner, marker, stages):
    company = testing.make_company(owner=owner, name=f"{marker} company")
    contact = testing.make_contact(owner=owner, name=f"{marker} contact", company=company)
    deal = testing.make_deal(
        owner=owner, stage=stages["qualification"], title=f"{marker} deal", company=company
    )
    deal.contacts.add(contact)
    activity = testing.make_activity(deal=deal, owner=owner, subject=f"{marker} call")
    note = note_create(by=owner, body=f"{marker} note", deal=deal)
    return {
        "deal_id": deal.pk,
        "contact_id": contact.pk,
        "company_id": company.pk,
        "activity_id": activity.pk,
        "note_id": note.pk,
    }


def _fuzz(operation, headers, foreign_marker, foreign_ids, checks, stats):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        stats["calls"] += 1
        assert response.status_code < 500, (case.path, response.text[:300])
        case.validate_response(response, checks=checks, headers=headers)
        assert foreign_marker not in response.text, (case.path, case.query)
        # The same request aimed at the other rep's records: refused, nothing told.
        if case.path_parameters and set(case.path_parameters) <= set(foreign_ids):
            case.path_parameters = {k: foreign_ids[k] for k in case.path_parameters}
            response = case.call(headers=headers)
            stats["calls"] += 1
            assert response.status_code in (404, 422), (case.path, response.status_code)
            assert foreign_marker not in response.text
            stats["foreign"].add(case.path)

    run()


def test_fuzzing_finds_no_5xx_and_no_leak_between_two_reps(wsgi_app, rep, rep_other_team, stages):
    a_ids = _records(rep, "AlphaSecret", stages)
    b_ids = _records(rep_other_team, "BravoSecret", stages)
    checks = CHECKS
    stats = {"calls": 0, "foreign": set()}
    for user, foreign_marker, foreign_ids in (
        (rep, "BravoSecret", b_ids),
        (rep_other_team, "AlphaSecret", a_ids),
    ):
        _t, raw = api_token_create(user=user, name="fuzz")
        headers = {"Authorization": f"Bearer {raw}"}
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app, headers=headers)
        before = _snapshot()
        for result in schema.get_all_operations():
            _fuzz(result.ok(), headers, foreign_marker, foreign_ids, checks, stats)
        # The other rep's records were not changed by this rep's requests.
        assert _snapshot()[foreign_marker] == before[foreign_marker]
    assert stats["calls"] > 200
    assert len(stats["foreign"]) >= 8


def _snapshot():
    from voronka.activities.models import Activity, Note
    from voronka.contacts.models import Company, Contact
    from voronka.deals.models import Deal

    out = {}
    for marker in ("AlphaSecret", "BravoSecret"):
        out[marker] = (
            list(
                Deal.all_objects.filter(title__startswith=marker).values_list(
                    "version", "stage_id", "title"
                )
            ),
            list(Contact.all_objects.filter(name__startswith=marker).values_list("updated_at")),
            list(Company.all_objects.filter(name__startswith=marker).values_list("updated_at")),
            list(Activity.all_objects.filter(subject__startswith=marker).values_list("updated_at")),
            Note.all_objects.filter(body__startswith=marker).count(),
        )
    return out


def case_for(app, path, headers):
    from werkzeug.test import Client

    return Client(app).get(path, headers=headers)
