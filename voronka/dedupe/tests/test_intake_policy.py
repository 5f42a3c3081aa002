"""The per-source intake policy screen: heads and admins choose, reps only read, and
every change is logged with who and why."""

import pytest

from voronka.dedupe import intake
from voronka.dedupe.models import IntakePolicy

pytestmark = pytest.mark.django_db

URL = "/duplicates/intake/"


def test_every_wired_source_starts_as_create_and_flag(client_for, head):
    assert intake.policy_of(IntakePolicy.IMPORT) == IntakePolicy.FLAG
    assert intake.policy_of(IntakePolicy.API) == IntakePolicy.FLAG
    r = client_for(head).get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="source_import" value="flag"' in html and 'name="source_api"' in html
    assert "source_webform" not in html  # web forms do not exist yet
    assert not IntakePolicy.objects.exists()


def test_head_changes_a_source_and_the_change_is_logged(client_for, head):
    r = client_for(head).post(
        URL, {"source_import": "attach", "source_api": "flag", "note": "as in amoCRM"}
    )
    assert r.status_code == 302
    assert intake.policy_of(IntakePolicy.IMPORT) == IntakePolicy.ATTACH
    assert intake.policy_of(IntakePolicy.API) == IntakePolicy.FLAG
    assert list(IntakePolicy.objects.values_list("source", flat=True)) == ["import"]
    [change] = intake.recent_changes()
    assert change.history_user == head and change.history_change_reason == "as in amoCRM"
    assert change.action == "attach"
    page = client_for(head).get(URL).content.decode()
    assert "as in amoCRM" in page and 'id="intake-log"' in page


def test_htmx_post_answers_with_the_section_only(client_for, admin_user):
    r = client_for(admin_user).post(
        URL, {"source_import": "flag", "source_api": "skip"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert html.startswith('<section id="intake-policy">')
    assert "The intake policy has been saved." in html
    assert intake.policy_of(IntakePolicy.API) == IntakePolicy.SKIP


def test_a_rep_sees_the_policy_but_cannot_change_it(client_for, rep, head):
    intake.policy_set(IntakePolicy.API, IntakePolicy.SKIP, by=head)
    client = client_for(rep)
    page = client.get(URL).content.decode()
    assert "disabled" in page and 'id="intake-save"' not in page
    r = client.post(URL, {"source_import": "skip", "source_api": "attach"})
    assert r.status_code == 404
    assert intake.policy_of(IntakePolicy.API) == IntakePolicy.SKIP
    assert intake.policy_of(IntakePolicy.IMPORT) == IntakePolicy.FLAG
    with pytest.raises(PermissionError):
        intake.policy_set(IntakePolicy.IMPORT, IntakePolicy.SKIP, by=rep)


def test_an_unknown_action_is_refused_and_nothing_changes(client_for, head):
    r = client_for(head).post(URL, {"source_import": "merge", "source_api": "flag"})
    assert r.status_code == 400
    assert not IntakePolicy.objects.exists()


def test_the_queue_links_to_the_policy(client_for, rep):
    assert 'id="intake-policy-link"' in client_for(rep).get("/duplicates/").content.decode()
