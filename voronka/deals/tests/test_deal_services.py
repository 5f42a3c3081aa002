"""Deal services against the database: exit criteria, won/lost rules, overrides, locking."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from voronka.core.testing import make_activity, make_deal, make_user
from voronka.deals.errors import DealError
from voronka.deals.models import Deal, LostReason, Pipeline, Stage, StageChange
from voronka.deals.services import (
    deal_answer,
    deal_move,
    deal_update,
    describe_missing,
    missing_for_stage,
)

pytestmark = pytest.mark.django_db


def snapshot(deal):
    d = Deal.all_objects.get(pk=deal.pk)
    return (
        d.stage_id,
        d.version,
        d.updated_at,
        StageChange.objects.filter(deal=deal).count(),
        d.history.count(),
    )


def test_create_records_the_first_stage_change(rep, stages):
    deal = make_deal(owner=rep, stage=stages["lead"])
    changes = list(StageChange.objects.filter(deal=deal))
    assert [(c.from_stage_id, c.to_stage_id) for c in changes] == [(None, stages["lead"].pk)]
    assert deal.history.count() == 1


def test_leaving_qualification_needs_a_future_next_step(rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    before = snapshot(deal)
    with pytest.raises(DealError) as err:
        deal_move(deal, stages["probability"], rep)
    assert err.value.code == "criteria_missing"
    assert [m.code for m in err.value.missing] == ["next_step_missing"]
    with translation.override("en"):
        assert "next step" in describe_missing(err.value.missing[0])
    with translation.override("ru"):
        assert "следующий шаг" in describe_missing(err.value.missing[0])
    assert snapshot(deal) == before

    make_activity(deal=deal, owner=rep, due_in_days=-1)  # overdue does not count
    with pytest.raises(DealError):
        deal_move(deal, stages["probability"], rep)

    make_activity(deal=deal, owner=rep, due_in_days=2)
    moved = deal_move(deal, stages["probability"], rep)
    assert moved.stage_id == stages["probability"].pk
    last = StageChange.objects.filter(deal=deal).last()
    assert (last.from_stage_id, last.to_stage_id, last.changed_by) == (
        stages["qualification"].pk,
        stages["probability"].pk,
        rep,
    )


def test_skipping_stages_checks_every_skipped_stage(rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    make_activity(deal=deal, owner=rep, due_in_days=2)
    with pytest.raises(DealError) as err:
        deal_move(deal, stages["closing"], rep)
    codes = [m.code for m in err.value.missing]
    assert codes == ["question_not_yes", "question_not_yes", "field_empty"]


def test_control_questions_answered_yes_open_the_stage(rep, stages):
    deal = make_deal(owner=rep, stage=stages["probability"])
    questions = list(stages["probability"].criteria.filter(kind="question"))
    deal_answer(deal, questions[0], "yes", rep)
    deal_answer(deal, questions[1], "no", rep)
    deal.refresh_from_db()
    missing = missing_for_stage(deal)
    assert [m.criterion_id for m in missing if m.kind == "question"] == [questions[1].pk]
    deal_answer(deal, questions[1], "yes", rep)
    deal = deal_update(deal, by=rep, expected_version=None, decision_date=date(2026, 12, 1))
    assert missing_for_stage(deal) == []
    assert deal_move(deal, stages["closing"], rep).stage_id == stages["closing"].pk


def test_moving_back_checks_nothing(rep, stages):
    deal = make_deal(owner=rep, stage=stages["probability"])
    assert deal_move(deal, stages["qualification"], rep).stage_id == stages["qualification"].pk


def test_won_needs_contract_date_and_lost_needs_reason(rep, head, stages):
    deal = make_deal(owner=rep, stage=stages["closing"])
    deal = deal_update(
        deal,
        by=rep,
        expected_version=None,
        contract_planned=date(2026, 1, 1),
        invoice_planned=date(2026, 1, 2),
        payment_planned=date(2026, 1, 3),
    )
    before = snapshot(deal)
    with pytest.raises(DealError) as err:
        deal_move(deal, stages["won"], rep)
    assert err.value.code == "won_needs_contract_date"
    assert snapshot(deal) == before
    won = deal_move(deal, stages["won"], rep, contract_actual=date(2026, 1, 5))
    assert won.closed_at is not None and won.contract_actual == date(2026, 1, 5)

    other = make_deal(owner=rep, stage=stages["qualification"])
    with pytest.raises(DealError) as err:
        deal_move(other, stages["lost"], rep)
    assert err.value.code == "lost_needs_reason"
    reason = LostReason.objects.first()
    lost = deal_move(other, stages["lost"], rep, lost_reason=reason)
    assert lost.lost_reason == reason and lost.closed_at is not None


def test_inactive_lost_reason_is_refused(rep, stages):
    reason = LostReason.objects.create(name="Old reason", is_active=False)
    deal = make_deal(owner=rep, stage=stages["qualification"])
    with pytest.raises(DealError) as err:
        deal_move(deal, stages["lost"], rep, lost_reason=reason)
    assert err.value.code == "lost_reason_inactive"


def test_stage_of_another_pipeline_is_refused(rep, stages):
    other = Pipeline.objects.create(name="Other")
    foreign = Stage.objects.create(pipeline=other, name="X", order=0)
    deal = make_deal(owner=rep, stage=stages["lead"])
    before = snapshot(deal)
    with pytest.raises(DealError) as err:
        deal_move(deal, foreign, rep)
    assert err.value.code == "stage_other_pipeline"
    assert snapshot(deal) == before


def test_head_overrides_with_a_logged_reason_rep_cannot(rep, head, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    before = snapshot(deal)
    with pytest.raises(DealError) as err:
        deal_move(deal, stages["probability"], rep, override_reason="please")
    assert err.value.code == "override_not_allowed"
    assert snapshot(deal) == before
    moved = deal_move(
        deal, stages["probability"], head, override_reason="Client confirmed by phone"
    )
    assert moved.stage_id == stages["probability"].pk
    change = StageChange.objects.filter(deal=deal).last()
    assert change.override_reason == "Client confirmed by phone"
    assert change.changed_by == head
    assert change.missed_criteria and change.missed_criteria[0].startswith("next_step_missing")


def test_optimistic_locking_refuses_a_stale_version(rep, stages):
    deal = make_deal(owner=rep, stage=stages["lead"])
    version = deal.version
    deal_update(deal, by=rep, expected_version=version, title="Changed by A")
    before = snapshot(deal)
    with pytest.raises(DealError) as err:
        deal_update(deal, by=rep, expected_version=version, title="Changed by B")
    assert err.value.code == "conflict"
    assert snapshot(deal) == before
    assert Deal.objects.get(pk=deal.pk).title == "Changed by A"


def test_field_changes_are_kept_in_history(rep, stages):
    deal = make_deal(owner=rep, stage=stages["lead"], title="First")
    for i in range(5):
        deal = deal_update(deal, by=rep, expected_version=deal.version, amount=1000 + i)
    amounts = [h.amount for h in deal.history.order_by("history_date", "history_id")]
    assert [int(a) for a in amounts] == [100000, 1000, 1001, 1002, 1003, 1004]
    assert all(h.history_user == rep for h in deal.history.all())


def test_visible_to_zones(rep, other_rep, head, admin_user, rep_other_team, stages):
    a = make_deal(owner=rep, stage=stages["qualification"])
    b = make_deal(owner=other_rep, stage=stages["qualification"])
    c = make_deal(owner=rep_other_team, stage=stages["qualification"])
    lead = make_deal(owner=None, by=head, stage=stages["lead"])
    unowned_open = make_deal(owner=None, by=head, stage=stages["qualification"])

    def ids(user):
        return set(Deal.objects.visible_to(user).values_list("pk", flat=True))

    assert ids(rep) == {a.pk, lead.pk}
    assert ids(other_rep) == {b.pk, lead.pk}
    assert ids(head) == {a.pk, b.pk, lead.pk, unowned_open.pk}
    assert ids(admin_user) == {a.pk, b.pk, c.pk, lead.pk, unowned_open.pk}
    inactive = make_user(role="admin", is_active=False)
    assert ids(inactive) == set()


def test_next_step_cache_follows_activities(rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    assert Deal.objects.get(pk=deal.pk).next_step_at is None
    act = make_activity(deal=deal, owner=rep, due_in_days=3)
    cached = Deal.objects.get(pk=deal.pk).next_step_at
    assert abs(cached - act.due_at) < timedelta(seconds=1)
    from voronka.activities.services import activity_complete

    activity_complete(act, by=rep)
    d = Deal.objects.get(pk=deal.pk)
    assert d.next_step_at is None
    assert d.last_activity_at is not None and d.last_activity_at <= timezone.now()


def test_a_rep_who_takes_an_unassigned_lead_becomes_its_owner(rep, admin_user, head, stages):
    lead = make_deal(owner=None, by=head, stage=stages["lead"])
    moved = deal_move(lead, stages["qualification"], rep)
    assert moved.owner == rep
    assert Deal.objects.visible_to(rep).filter(pk=lead.pk).exists()

    other = make_deal(owner=None, by=head, stage=stages["lead"])
    assert deal_move(other, stages["qualification"], admin_user).owner is None
