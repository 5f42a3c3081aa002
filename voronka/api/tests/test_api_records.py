"""Contacts, companies, activities, notes, users and teams through the API."""

import pytest

from voronka.activities.models import Activity, Note
from voronka.contacts.models import Company, Contact
from voronka.core import testing

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_contact_create_with_phones_and_the_forms_errors(token_client, rep, other_rep):
    client = token_client(rep)
    theirs = testing.make_company(owner=other_rep, name="Their company")
    r = client.post(
        "/api/contacts/",
        {"name": "Ann", "phones": ["abc"], "emails": ["nope"], "company_id": theirs.pk},
        content_type=JSON,
    )
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"phones", "emails", "company_id"}
    assert "abc" in r.json()["fields"]["phones"][0]
    assert not Contact.objects.exists()
    r = client.post(
        "/api/contacts/",
        {"name": "Ann", "phones": ["+7 912 345-67-89"], "emails": ["ann@example.com"]},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["owner_id"] == rep.pk
    assert body["phones"][0]["e164"] == "+79123456789"
    r = client.patch(f"/api/contacts/{body['id']}", {"position": "CEO"}, content_type=JSON)
    assert r.status_code == 200
    assert r.json()["position"] == "CEO" and r.json()["emails"] == ["ann@example.com"]
    assert Contact.history.filter(id=body["id"]).count() == 2


def test_company_inn_is_checked_and_zone_kept(token_client, rep, other_rep):
    client = token_client(rep)
    r = client.post("/api/companies/", {"name": "ООО Тест", "inn": "123"}, content_type=JSON)
    assert r.status_code == 422 and "inn" in r.json()["fields"]
    r = client.post("/api/companies/", {"name": "ООО Тест", "inn": "7707083893"}, content_type=JSON)
    assert r.status_code == 201
    hidden = testing.make_company(owner=other_rep, name="Hidden")
    assert client.get(f"/api/companies/{hidden.pk}").status_code == 404
    r = client.patch(f"/api/companies/{hidden.pk}", {"name": "Mine now"}, content_type=JSON)
    assert r.status_code == 404
    assert Company.objects.get(pk=hidden.pk).name == "Hidden"
    names = [c["name"] for c in client.get("/api/companies/").json()["results"]]
    assert names == ["ООО Тест"]
    assert client.get("/api/companies/?lifecycle=bogus").status_code == 422
    assert client.get(f"/api/companies/?owner={other_rep.pk}").status_code == 422


def test_activities_and_notes_link_only_visible_records(token_client, rep, other_rep, stages):
    client = token_client(rep)
    mine = testing.make_deal(owner=rep, stage=stages["qualification"])
    theirs = testing.make_deal(owner=other_rep, stage=stages["qualification"])
    r = client.post(
        "/api/activities/",
        {"subject": "Call", "deal_id": theirs.pk, "due_at": "2030-01-01T10:00:00+03:00"},
        content_type=JSON,
    )
    assert r.status_code == 422 and r.json()["fields"] == {"deal_id": ["Not found."]}
    r = client.post(
        "/api/activities/",
        {"subject": "Call", "deal_id": mine.pk, "due_at": "2030-01-01T10:00:00"},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content
    activity = r.json()
    mine.refresh_from_db()
    assert mine.next_step_at is not None
    r = client.patch(f"/api/activities/{activity['id']}", {"done": True}, content_type=JSON)
    assert r.json()["done"] is True and r.json()["done_at"]
    r = client.post(
        "/api/activities/",
        {"subject": "x", "due_at": "0001-01-01T00:00:00+05:00"},
        content_type=JSON,
    )
    assert r.status_code == 422
    r = client.post("/api/notes/", {"body": "hi"}, content_type=JSON)
    assert r.status_code == 422
    r = client.post("/api/notes/", {"body": "hi", "deal_id": theirs.pk}, content_type=JSON)
    assert r.status_code == 422
    r = client.post("/api/notes/", {"body": "hi", "deal_id": mine.pk}, content_type=JSON)
    assert r.status_code == 201
    assert Note.objects.filter(deal=theirs).count() == 0
    assert [n["body"] for n in client.get(f"/api/notes/?deal={mine.pk}").json()["results"]] == [
        "hi"
    ]
    other_activity = testing.make_activity(deal=theirs, owner=other_rep)
    assert client.get(f"/api/activities/{other_activity.pk}").status_code == 404
    r = client.patch(f"/api/activities/{other_activity.pk}", {"done": True}, content_type=JSON)
    assert r.status_code == 404
    assert Activity.objects.get(pk=other_activity.pk).done is False


def test_users_and_teams_by_role(token_client, rep, other_rep, head, admin_user, rep_other_team):
    ids = {u["id"] for u in token_client(rep).get("/api/users/").json()}
    assert ids == {rep.pk}
    assert token_client(rep).get(f"/api/users/{other_rep.pk}").status_code == 404
    ids = {u["id"] for u in token_client(head).get("/api/users/").json()}
    assert ids == {rep.pk, other_rep.pk, head.pk}
    assert len(token_client(head).get("/api/teams/").json()) == 1
    assert len(token_client(admin_user).get("/api/teams/").json()) == 2


def test_process_is_readable(token_client, rep, pipeline):
    client = token_client(rep)
    pipelines = client.get("/api/pipelines/").json()
    assert pipelines[0]["stages"][0]["is_lead_stage"] is True
    stages = client.get(f"/api/stages/?pipeline={pipeline.pk}").json()
    assert len(stages) == 6
    assert client.get("/api/lost-reasons/").status_code == 200


def test_head_sees_the_team_and_unassigned_leads_are_shared(
    token_client, rep, other_rep, head, stages
):
    lead = testing.make_deal(owner=None, stage=stages["lead"], by=head, title="Inbox lead")
    testing.make_deal(owner=other_rep, stage=stages["qualification"], title="B deal")
    rep_titles = {d["title"] for d in token_client(rep).get("/api/deals/").json()["results"]}
    assert rep_titles == {"Inbox lead"}
    head_titles = {d["title"] for d in token_client(head).get("/api/deals/").json()["results"]}
    assert head_titles == {"Inbox lead", "B deal"}
    assert token_client(rep).get(f"/api/deals/{lead.pk}").status_code == 200
