"""Deals through the API: the same rules as the UI, JSON errors with stable codes."""

import datetime as dt

import pytest

from voronka.core import testing
from voronka.deals.models import Deal, LostReason, StageChange

pytestmark = pytest.mark.django_db


def test_list_is_paged_filtered_and_sorted(token_client, rep, other_rep, stages):
    for i in range(5):
        testing.make_deal(owner=rep, stage=stages["qualification"], title=f"Mine {i}", amount=i)
    testing.make_deal(owner=other_rep, stage=stages["qualification"], title="Theirs")
    client = token_client(rep)
    body = client.get("/api/deals/?sort=-amount&page_size=2&amount_min=1").json()
    assert body["count"] == 4
    assert [d["title"] for d in body["results"]] == ["Mine 4", "Mine 3"]
    assert body["results"][0]["amount"] == "4.00"
    page3 = client.get("/api/deals/?sort=-amount&page_size=2&amount_min=1&page=3").json()
    assert page3["results"] == []


def test_bad_filter_is_422_with_the_field(token_client, rep):
    r = token_client(rep).get("/api/deals/?amount_min=abc&created_from=2025-02-31")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"amount_min", "created_from"}


def test_without_a_token_it_is_401_json(client, rep):
    r = client.get("/api/deals/")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized"
    r = client.get("/api/deals/", HTTP_AUTHORIZATION="Bearer vrk_wrong")
    assert r.status_code == 401


def test_revoked_token_stops_working(rep):
    from django.test import Client

    from voronka.accounts.services import api_token_create, api_token_revoke

    token, raw = api_token_create(user=rep, name="ci")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/users/me").json()["id"] == rep.pk
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.key_hash != raw and raw not in token.key_hash
    api_token_revoke(token, by=rep)
    assert client.get("/api/users/me").status_code == 401


def test_inactive_user_token_is_refused(token_client, rep):
    client = token_client(rep)
    rep.is_active = False
    rep.save()
    assert client.get("/api/deals/").status_code == 401


def test_create_update_and_conflict(token_client, rep, stages):
    client = token_client(rep)
    r = client.post(
        "/api/deals/",
        {"title": "API deal", "stage_id": stages["qualification"].pk, "amount": "1500.5"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    deal = r.json()
    assert deal["owner_id"] == rep.pk and deal["amount"] == "1500.50"
    assert StageChange.objects.filter(deal_id=deal["id"]).count() == 1
    url = f"/api/deals/{deal['id']}"
    r = client.patch(url, {"version": 1, "title": "Renamed"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2
    r = client.patch(url, {"version": 1, "title": "Stale"}, content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "conflict"
    assert Deal.objects.get(pk=deal["id"]).title == "Renamed"
    assert Deal.history.filter(id=deal["id"]).count() == 2


def test_a_rep_cannot_give_a_deal_to_someone_else(token_client, rep, other_rep, stages):
    r = token_client(rep).post(
        "/api/deals/",
        {"title": "X", "stage_id": stages["qualification"].pk, "owner_id": other_rep.pk},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["fields"] == {"owner_id": ["Not found."]}
    assert not Deal.objects.filter(title="X").exists()


def test_move_enforces_exit_criteria_with_the_same_code(token_client, rep, head, stages):
    deal = testing.make_deal(owner=rep, stage=stages["qualification"])
    body = {"stage_id": stages["closing"].pk}
    r = token_client(rep).post(f"/api/deals/{deal.pk}/move", body, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["code"] == "criteria_missing"
    assert r.json()["missing"]
    deal.refresh_from_db()
    assert deal.stage_id == stages["qualification"].pk
    r = token_client(rep).post(
        f"/api/deals/{deal.pk}/move",
        {**body, "override_reason": "trust me"},
        content_type="application/json",
    )
    assert r.json()["code"] == "override_not_allowed"
    r = token_client(head).post(
        f"/api/deals/{deal.pk}/move",
        {**body, "override_reason": "agreed with the client"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["stage_id"] == stages["closing"].pk


def test_lost_and_won(token_client, rep, head, stages):
    deal = testing.make_deal(owner=rep, stage=stages["closing"])
    client = token_client(head)
    r = client.post(f"/api/deals/{deal.pk}/won", {}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["code"] in {"won_needs_contract_date", "criteria_missing"}
    reason = LostReason.objects.filter(is_active=True).first()
    r = client.post(
        f"/api/deals/{deal.pk}/lost",
        {"lost_reason_id": reason.pk, "lost_note": "price", "override_reason": "r"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["lost_reason_id"] == reason.pk
    assert r.json()["closed_at"]
    other = testing.make_deal(owner=rep, stage=stages["closing"])
    r = client.post(
        f"/api/deals/{other.pk}/won",
        {"contract_actual": str(dt.date.today()), "override_reason": "signed"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content


def test_out_of_zone_is_404_and_unchanged(token_client, rep, other_rep, stages):
    deal = testing.make_deal(owner=other_rep, stage=stages["qualification"], title="Secret")
    client = token_client(rep)
    assert client.get(f"/api/deals/{deal.pk}").status_code == 404
    r = client.patch(
        f"/api/deals/{deal.pk}", {"version": 1, "title": "x"}, content_type="application/json"
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.post(
        f"/api/deals/{deal.pk}/move",
        {"stage_id": stages["lead"].pk},
        content_type="application/json",
    )
    assert r.status_code == 404
    deal.refresh_from_db()
    assert deal.title == "Secret" and deal.version == 1


@pytest.mark.parametrize(
    "payload",
    [
        '"just a string"',
        "{not json",
        '{"title": "a\\u0000b", "stage_id": 1}',
        '{"title": "\\ud800", "stage_id": 1}',
        '{"title": "x", "stage_id": 99999999999999999999999}',
        '{"title": "x", "stage_id": 1, "amount": "1e400"}',
        '{"title": "x", "stage_id": 1, "unknown": 1}',
        '{"title": "x", "stage_id": 1, "expected_close_date": "2025-02-31"}',
        '{"title": "   ", "stage_id": 1}',
    ],
)
def test_bad_bodies_are_4xx_and_save_nothing(token_client, rep, stages, payload):
    before = Deal.objects.count()
    r = token_client(rep).post("/api/deals/", payload, content_type="application/json")
    assert 400 <= r.status_code < 500, r.content
    assert r.json()["code"]
    assert Deal.objects.count() == before


def test_huge_path_id_is_4xx(token_client, rep):
    r = token_client(rep).get("/api/deals/99999999999999999999999")
    assert r.status_code in (404, 422)


def test_errors_follow_the_users_language(token_client, rep):
    rep.language = "ru"
    rep.save()
    r = token_client(rep).get("/api/deals/123456")
    assert r.json()["message"] != "Not found."
