"""Bulk edit of the deal list: all or nothing, zones, exit criteria, history."""

import pytest

from voronka.core.testing import make_activity, make_deal
from voronka.deals.models import Deal, StageChange, Tag

pytestmark = pytest.mark.django_db


def state(*deals):
    """Everything bulk edit may touch, per deal."""
    out = []
    for deal in deals:
        d = Deal.all_objects.get(pk=deal.pk)
        out.append(
            (
                d.stage_id,
                d.owner_id,
                d.version,
                sorted(d.tags.values_list("name", flat=True)),
                StageChange.objects.filter(deal=d).count(),
                d.history.count(),
            )
        )
    return out


def bulk(client, deals, next_query="", **data):
    ids = [d if isinstance(d, int | str) else d.pk for d in deals]
    return client.post("/deals/bulk/", {"ids": ids, "next": next_query, **data})


def test_add_and_remove_a_tag(rep, client_for):
    a, b = make_deal(owner=rep), make_deal(owner=rep)
    c = client_for(rep)
    response = bulk(c, [a, b], next_query="sort=-amount", action="add_tag", tag="горячая")
    assert response.status_code == 302
    assert response["Location"] == "/deals/?sort=-amount"
    for d in (a, b):
        assert list(Deal.objects.get(pk=d.pk).tags.values_list("name", flat=True)) == ["горячая"]
    response = bulk(c, [a], action="remove_tag", tag="горячая")
    assert response.status_code == 302
    assert not Deal.objects.get(pk=a.pk).tags.exists()
    assert Deal.objects.get(pk=b.pk).tags.exists()


def test_removing_an_unknown_tag_is_a_form_error(rep, client_for):
    a = make_deal(owner=rep)
    before = state(a)
    response = bulk(client_for(rep), [a], action="remove_tag", tag="нет такого")
    assert response.status_code == 400
    assert "There is no such tag" in response.content.decode()
    assert state(a) == before
    assert not Tag.objects.exists()


def test_head_changes_owner_within_team_and_history_records_it(head, rep, other_rep, client_for):
    a, b = make_deal(owner=rep), make_deal(owner=rep)
    response = bulk(client_for(head), [a, b], action="owner", owner=other_rep.pk)
    assert response.status_code == 302
    for d in (a, b):
        fresh = Deal.objects.get(pk=d.pk)
        assert fresh.owner == other_rep
        last = fresh.history.first()
        assert last.owner_id == other_rep.pk and last.history_user_id == head.pk


def test_head_cannot_assign_to_another_team(head, rep, rep_other_team, client_for):
    a = make_deal(owner=rep)
    before = state(a)
    response = bulk(client_for(head), [a], action="owner", owner=rep_other_team.pk)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert state(a) == before


def test_rep_cannot_assign_deals_to_another_user(rep, other_rep, client_for):
    a = make_deal(owner=rep)
    before = state(a)
    response = bulk(client_for(rep), [a], action="owner", owner=other_rep.pk)
    assert response.status_code == 400
    assert state(a) == before


def test_mixed_own_and_foreign_ids_are_refused_whole(rep, other_rep, client_for):
    own = make_deal(owner=rep)
    foreign = make_deal(owner=other_rep)
    before = state(own, foreign)
    response = bulk(client_for(rep), [own, foreign], action="add_tag", tag="x")
    assert response.status_code == 404
    assert state(own, foreign) == before
    assert not Tag.objects.exists()


def test_deleted_deal_ids_are_refused(rep, client_for):
    own = make_deal(owner=rep)
    gone = make_deal(owner=rep)
    Deal.all_objects.filter(pk=gone.pk).update(deleted_at=gone.created_at)
    before = state(own, gone)
    assert bulk(client_for(rep), [own, gone], action="add_tag", tag="x").status_code == 404
    assert state(own, gone) == before


def test_garbage_ids_are_a_bad_request(rep, client_for):
    own = make_deal(owner=rep)
    before = state(own)
    c = client_for(rep)
    for junk in ("1; DROP", "99999999999999999999999", "-3"):
        response = bulk(c, [own.pk, junk], action="add_tag", tag="x")
        assert response.status_code == 400
    assert state(own) == before
    assert not Tag.objects.exists()


def test_stage_change_is_all_or_nothing_and_reports_what_is_missing(rep, stages, client_for):
    ready = make_deal(owner=rep, stage=stages["qualification"], title="Готова")
    make_activity(deal=ready, owner=rep, due_in_days=3)
    not_ready = make_deal(owner=rep, stage=stages["qualification"], title="Не готова")
    before = state(ready, not_ready)
    response = bulk(
        client_for(rep), [ready, not_ready], action="stage", stage=stages["probability"].pk
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was changed" in html
    report = html.split('class="error bulk-report"')[1].split("</div>")[0]
    assert "Не готова</a>" in report
    assert ">Готова</a>" not in report
    assert "Schedule a next step" in report
    assert response.context["bulk_outcome"].failures[0].deal.pk == not_ready.pk
    assert len(response.context["bulk_outcome"].failures) == 1
    # the deal that met the criteria did not move either
    assert state(ready, not_ready) == before


def test_stage_change_moves_every_deal_when_all_pass(rep, stages, client_for):
    deals = [make_deal(owner=rep, stage=stages["qualification"]) for _ in range(3)]
    for d in deals:
        make_activity(deal=d, owner=rep, due_in_days=3)
    response = bulk(client_for(rep), deals, action="stage", stage=stages["probability"].pk)
    assert response.status_code == 302
    for d in deals:
        assert Deal.objects.get(pk=d.pk).stage == stages["probability"]
        assert StageChange.objects.filter(deal=d, to_stage=stages["probability"]).count() == 1


def test_moving_to_lost_needs_a_reason(rep, stages, client_for):
    a = make_deal(owner=rep, stage=stages["qualification"])
    before = state(a)
    response = bulk(client_for(rep), [a], action="stage", stage=stages["lost"].pk)
    assert response.status_code == 400
    assert "Choose the reason the deal was lost" in response.content.decode()
    assert state(a) == before


def test_head_may_override_with_a_reason(head, rep, stages, client_for):
    a = make_deal(owner=rep, stage=stages["qualification"])
    response = bulk(
        client_for(head),
        [a],
        action="stage",
        stage=stages["probability"].pk,
        override_reason="Клиент подтвердил по телефону",
    )
    assert response.status_code == 302
    change = StageChange.objects.filter(deal=a).last()
    assert change.to_stage == stages["probability"]
    assert change.override_reason == "Клиент подтвердил по телефону"


def test_action_without_its_value_is_a_form_error(rep, client_for):
    a = make_deal(owner=rep)
    before = state(a)
    response = bulk(client_for(rep), [a], action="stage")
    assert response.status_code == 400
    assert "required for the chosen action" in response.content.decode()
    assert state(a) == before


def test_empty_selection_changes_nothing(rep, client_for):
    a = make_deal(owner=rep)
    before = state(a)
    response = bulk(client_for(rep), [], action="add_tag", tag="x")
    assert response.status_code == 302
    assert state(a) == before


def test_bulk_needs_post(rep, client_for):
    assert client_for(rep).get("/deals/bulk/").status_code == 405
