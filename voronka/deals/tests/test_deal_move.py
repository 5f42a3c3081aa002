"""Moving a deal from the board or the deal page: one endpoint, exact refusals, no changes
when refused."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from voronka.core.testing import make_activity, make_deal
from voronka.deals.models import Deal, LostReason, Pipeline, Stage, StageChange
from voronka.deals.selectors import format_money
from voronka.deals.services import deal_update

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def move_url(deal):
    return reverse("deals:move", args=[deal.pk])


def snapshot(deal):
    d = Deal.all_objects.get(pk=deal.pk)
    return (
        d.stage_id,
        d.version,
        d.contract_actual,
        d.lost_reason_id,
        StageChange.objects.filter(deal=deal).count(),
    )


def test_leaving_qualification_needs_a_next_step_then_moves(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(rep)
    before = snapshot(deal)
    response = c.post(
        move_url(deal),
        {"stage": stages["probability"].pk, "version": deal.version, "context": "board"},
        headers=HX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#move-panel"
    html = response.content.decode()
    assert "Schedule a next step" in html
    assert "Override with a reason" not in html
    assert snapshot(deal) == before

    # The rep schedules a next step in the future on the deal page, then moves again.
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    response = c.post(
        reverse("deals:add_activity", args=[deal.pk]),
        {"kind": "call", "subject": "Call the buyer", "due_date": tomorrow, "due_time": "10:00"},
    )
    assert response.status_code == 302
    response = c.post(
        move_url(deal),
        {"stage": stages["probability"].pk, "version": deal.version, "context": "board"},
        headers=HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    deal.refresh_from_db()
    assert deal.stage_id == stages["probability"].pk
    assert deal.version == before[1] + 1
    change = StageChange.objects.filter(deal=deal).last()
    assert change.from_stage_id == stages["qualification"].pk
    assert change.to_stage_id == stages["probability"].pk
    assert change.changed_by == rep
    # The card lands in the new column; both columns' counts and sums are swapped out of band.
    assert f'id="deal-card-{deal.pk}" hx-swap-oob="delete"' in html
    assert f'hx-swap-oob="afterbegin:#col-cards-{stages["probability"].pk}"' in html
    assert f'data-stage-id="{stages["probability"].pk}"' in html
    q, p = stages["qualification"].pk, stages["probability"].pk
    assert re.search(rf'id="col-count-{q}"[^>]*hx-swap-oob="true">0<', html)
    assert re.search(rf'id="col-count-{p}"[^>]*hx-swap-oob="true">1<', html)
    assert format_money(deal.amount, "RUB") in html


def test_non_htmx_move_redirects_back_with_a_message(client_for, rep, stages, pipeline):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(rep)
    board = reverse("deals:board", args=[pipeline.pk])
    before = snapshot(deal)
    response = c.post(
        move_url(deal), {"stage": stages["probability"].pk, "next": board}, follow=True
    )
    assert response.redirect_chain[-1][0] == board
    assert "Schedule a next step" in response.content.decode()
    assert snapshot(deal) == before
    make_activity(deal=deal, owner=rep, due_in_days=1)
    response = c.post(move_url(deal), {"stage": stages["probability"].pk, "next": board})
    assert response.status_code == 302 and response["Location"] == board
    deal.refresh_from_db()
    assert deal.stage_id == stages["probability"].pk


def test_next_url_must_be_local(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    response = client_for(rep).post(
        move_url(deal), {"stage": stages["probability"].pk, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def _closing_deal(rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    d = dt.date(2026, 12, 1)
    deal = deal_update(
        deal,
        by=rep,
        expected_version=None,
        contract_planned=d,
        invoice_planned=d,
        payment_planned=d,
    )
    Deal.objects.filter(pk=deal.pk).update(stage=stages["closing"])
    return Deal.objects.get(pk=deal.pk)


def test_won_needs_the_contract_date(client_for, rep, stages):
    deal = _closing_deal(rep, stages)
    c = client_for(rep)
    before = snapshot(deal)
    response = c.post(move_url(deal), {"stage": stages["won"].pk}, headers=HX)
    html = response.content.decode()
    assert "A won deal needs the date the contract was signed." in html
    assert 'name="contract_actual"' in html
    assert snapshot(deal) == before
    response = c.post(
        move_url(deal), {"stage": stages["won"].pk, "contract_actual": "2026-11-20"}, headers=HX
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage_id == stages["won"].pk
    assert deal.contract_actual == dt.date(2026, 11, 20)
    assert deal.closed_at is not None


def test_lost_needs_a_reason_from_the_list(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(rep)
    before = snapshot(deal)
    response = c.post(move_url(deal), {"stage": stages["lost"].pk}, headers=HX)
    html = response.content.decode()
    assert "Choose the reason the deal was lost." in html
    reason = LostReason.objects.filter(is_active=True).first()
    assert f'<option value="{reason.pk}"' in html
    assert snapshot(deal) == before
    response = c.post(
        move_url(deal), {"stage": stages["lost"].pk, "lost_reason": reason.pk}, headers=HX
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage_id == stages["lost"].pk
    assert deal.lost_reason == reason


def test_an_inactive_lost_reason_is_refused(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    reason = LostReason.objects.first()
    LostReason.objects.filter(pk=reason.pk).update(is_active=False)
    before = snapshot(deal)
    response = client_for(rep).post(
        move_url(deal), {"stage": stages["lost"].pk, "lost_reason": reason.pk}, headers=HX
    )
    assert "was not moved" in response.content.decode()
    assert snapshot(deal) == before


def test_stage_of_another_pipeline_is_refused(client_for, rep, stages):
    other = Pipeline.objects.create(name="Other", order=3)
    foreign = Stage.objects.create(pipeline=other, name="Foreign", order=0)
    deal = make_deal(owner=rep, stage=stages["qualification"])
    make_activity(deal=deal, owner=rep, due_in_days=1)
    c = client_for(rep)
    before = snapshot(deal)
    response = c.post(move_url(deal), {"stage": foreign.pk}, headers=HX)
    assert "The stage belongs to another pipeline." in response.content.decode()
    assert snapshot(deal) == before
    response = c.post(move_url(deal), {"stage": foreign.pk})
    assert response.status_code == 302
    assert snapshot(deal) == before
    response = c.post(move_url(deal), {"stage": 999999}, headers=HX)
    assert "The stage belongs to another pipeline." in response.content.decode()
    assert snapshot(deal) == before


def test_head_overrides_with_a_reason_shown_on_the_timeline(client_for, head, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    c = client_for(head)
    before = snapshot(deal)
    response = c.post(move_url(deal), {"stage": stages["probability"].pk}, headers=HX)
    html = response.content.decode()
    assert "Schedule a next step" in html
    assert "Override with a reason" in html
    assert 'name="override_reason"' in html
    assert snapshot(deal) == before
    response = c.post(
        move_url(deal),
        {"stage": stages["probability"].pk, "override_reason": "Client confirmed by phone"},
        headers=HX,
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage_id == stages["probability"].pk
    change = StageChange.objects.filter(deal=deal).last()
    assert change.override_reason == "Client confirmed by phone"
    assert change.changed_by == head
    page = c.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "Client confirmed by phone" in page
    # The rep sees the override reason on the timeline too.
    assert (
        "Client confirmed by phone" in client_for(rep).get(deal.get_absolute_url()).content.decode()
    )


def test_rep_posting_an_override_reason_is_still_refused(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    before = snapshot(deal)
    response = client_for(rep).post(
        move_url(deal),
        {"stage": stages["probability"].pk, "override_reason": "I say so"},
        headers=HX,
    )
    html = response.content.decode()
    assert "Schedule a next step" in html
    assert "Only a head of sales or an administrator may override stage rules." in html
    assert 'name="override_reason"' not in html
    assert snapshot(deal) == before


@pytest.mark.parametrize("intruder", ["other_rep", "rep_other_team"])
def test_rep_cannot_move_another_reps_deal(client_for, rep, stages, intruder, request):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    make_activity(deal=deal, owner=rep, due_in_days=1)
    before = snapshot(deal)
    c = client_for(request.getfixturevalue(intruder))
    response = c.post(move_url(deal), {"stage": stages["probability"].pk}, headers=HX)
    assert response.status_code == 404
    response = c.post(move_url(deal), {"stage": stages["probability"].pk})
    assert response.status_code == 404
    assert snapshot(deal) == before


def test_stale_version_is_a_conflict(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    make_activity(deal=deal, owner=rep, due_in_days=1)
    old = deal.version
    deal_update(deal, by=rep, expected_version=old, title="Changed meanwhile")
    before = snapshot(deal)
    response = client_for(rep).post(
        move_url(deal), {"stage": stages["probability"].pk, "version": old}, headers=HX
    )
    assert "Someone else changed this deal" in response.content.decode()
    assert snapshot(deal) == before


def test_move_from_the_deal_page_redirects_to_it(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    make_activity(deal=deal, owner=rep, due_in_days=1)
    response = client_for(rep).post(
        move_url(deal), {"stage": stages["probability"].pk, "context": "deal"}, headers=HX
    )
    assert response["HX-Redirect"] == deal.get_absolute_url()
    deal.refresh_from_db()
    assert deal.stage_id == stages["probability"].pk


def test_column_totals_after_a_move_follow_the_board_filter(
    client_for, head, rep, other_rep, stages
):
    q, p = stages["qualification"], stages["probability"]
    deal = make_deal(owner=rep, stage=q, amount=Decimal("1000"))
    make_activity(deal=deal, owner=rep, due_in_days=1)
    make_deal(owner=other_rep, stage=p, amount=Decimal("5"))
    make_deal(owner=rep, stage=p, amount=Decimal("20"))
    response = client_for(head).post(
        move_url(deal), {"stage": p.pk, "owner": rep.pk, "q": ""}, headers=HX
    )
    html = response.content.decode()
    assert re.search(rf'id="col-count-{p.pk}"[^>]*>2<', html)
    assert format_money(Decimal("1020"), "RUB") in html


def test_refusal_speaks_the_users_language(client_for, rep, stages):
    rep.language = "ru"
    rep.save(update_fields=["language"])
    deal = make_deal(owner=rep, stage=stages["qualification"])
    response = client_for(rep).post(move_url(deal), {"stage": stages["probability"].pk}, headers=HX)
    assert "Запланируйте следующий шаг" in response.content.decode()


def test_refusal_panel_shows_a_script_title_as_text(client_for, rep, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"], title="<script>alert(1)</script>")
    response = client_for(rep).post(move_url(deal), {"stage": stages["probability"].pk}, headers=HX)
    html = response.content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_heads_see_the_override_field_on_the_deal_page(client_for, rep, head, stages):
    deal = make_deal(owner=rep, stage=stages["qualification"])
    assert (
        'name="override_reason"'
        not in client_for(rep).get(deal.get_absolute_url()).content.decode()
    )
    assert (
        'name="override_reason"' in client_for(head).get(deal.get_absolute_url()).content.decode()
    )


def test_a_rep_who_takes_an_unassigned_lead_owns_it(client_for, rep, stages):
    lead = make_deal(owner=None, stage=stages["lead"], title="Inbound request")
    response = client_for(rep).post(
        move_url(lead), {"stage": stages["qualification"].pk, "version": lead.version}, headers=HX
    )
    assert response.status_code == 200
    assert f'id="deal-card-{lead.pk}"' in response.content.decode()
    lead.refresh_from_db()
    assert (lead.stage_id, lead.owner) == (stages["qualification"].pk, rep)


def test_a_refused_take_leaves_the_lead_unassigned(client_for, rep, stages):
    lead = make_deal(owner=None, stage=stages["lead"])
    before = snapshot(lead)
    response = client_for(rep).post(move_url(lead), {"stage": stages["probability"].pk}, headers=HX)
    assert "Schedule a next step" in response.content.decode()
    assert snapshot(lead) == before
    assert Deal.objects.get(pk=lead.pk).owner_id is None
