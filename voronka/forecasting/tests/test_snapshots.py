"""The loader turns the database into the engine's records, exactly and in a few queries."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from voronka.activities.services import activity_create
from voronka.core.testing import make_activity, make_deal
from voronka.deals.models import Deal, LostReason, Pipeline, Stage, StageCriterion
from voronka.deals.services import deal_answer, deal_delete, deal_move, deal_update
from voronka.forecasting.engine import build_frame, state_at, to_days
from voronka.forecasting.snapshots import load_history

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def by_id(loaded):
    return {d.id: d for d in loaded.history.deals}


@pytest.fixture
def story(stages, admin_user, rep):
    """One deal with a full story, one lost, one deleted, one in another currency."""
    deal = make_deal(
        owner=rep,
        stage=stages["qualification"],
        created_at=at(0),
        amount=Decimal("250000.50"),
        source="web",
        external_id="EXT-1",
    )
    a1 = make_activity(deal=deal, owner=rep, due_at=at(3))
    a2 = activity_create(
        by=rep, deal=deal, owner=rep, subject="Meeting", due_at=at(5), done=True, done_at=at(6)
    )
    deal = deal_move(deal, stages["probability"], admin_user, "test", when=at(10))
    deal = deal_update(deal, by=rep, expected_version=None, decision_date=date(2025, 4, 1))
    deal = deal_update(deal, by=rep, expected_version=None, decision_date=date(2025, 4, 20))
    deal = deal_update(
        deal, by=rep, expected_version=None, expected_close_date=date(2025, 5, 1), title="x"
    )
    crit = StageCriterion.objects.filter(stage=stages["probability"], kind="question").first()
    answer = deal_answer(deal, crit, "yes", rep)
    deal = deal_move(deal, stages["closing"], admin_user, "test", when=at(20))
    deal = deal_update(deal, by=rep, expected_version=None, contract_planned=date(2025, 4, 25))
    deal = deal_move(
        deal, stages["won"], admin_user, "test", contract_actual=date(2025, 4, 24), when=at(30)
    )

    lost = make_deal(owner=rep, stage=stages["qualification"], created_at=at(1))
    lost = deal_move(
        lost,
        stages["lost"],
        admin_user,
        "test",
        lost_reason=LostReason.objects.first(),
        when=at(4),
    )
    gone = make_deal(owner=rep, stage=stages["qualification"], created_at=at(2))
    deal_delete(gone, admin_user)
    usd = make_deal(owner=rep, stage=stages["qualification"], created_at=at(2), currency="USD")
    return {
        "deal": deal,
        "acts": (a1, a2),
        "answer": answer,
        "lost": lost,
        "gone": gone,
        "usd": usd,
    }


def test_stages_carry_default_probability_and_kind(story, pipeline):
    loaded = load_history(currency="RUB")
    got = {s.id: s for s in loaded.history.stages}
    for st in Stage.objects.all():
        assert got[st.pk].default_probability == pytest.approx(st.probability / 100)
        assert got[st.pk].kind == st.kind
        assert got[st.pk].pipeline_id == st.pipeline_id
        assert got[st.pk].order == st.order


def test_deal_fields_stage_changes_activities_answers(story, stages, rep):
    loaded = load_history(currency="RUB")
    deals = by_id(loaded)
    d = deals[story["deal"].pk]
    assert d.external_id == "EXT-1"
    assert d.amount == 250000.5 and isinstance(d.amount, float)
    assert d.currency == "RUB" and d.owner_id == rep.pk and d.source == "web"
    assert d.pipeline_id == stages["won"].pipeline_id
    assert d.created_at == at(0)
    assert d.stage_id == stages["won"].pk and d.stage_kind == "won" and d.won is True
    assert d.closed_at == at(30)
    assert [(c.from_stage_id, c.to_stage_id, c.at) for c in d.changes] == [
        (None, stages["qualification"].pk, at(0)),
        (stages["qualification"].pk, stages["probability"].pk, at(10)),
        (stages["probability"].pk, stages["closing"].pk, at(20)),
        (stages["closing"].pk, stages["won"].pk, at(30)),
    ]
    a1, a2 = story["acts"]
    acts = sorted(d.activities, key=lambda a: a.due_at)
    assert [(a.created_at, a.due_at, a.done_at) for a in acts] == [
        (a1.created_at, at(3), None),
        (a2.created_at, at(5), at(6)),
    ]
    assert [(a.at, a.value) for a in d.answers] == [(story["answer"].answered_at, "yes")]
    lost = deals[story["lost"].pk]
    assert lost.stage_kind == "lost" and lost.won is False and lost.closed_at == at(4)


def test_dated_versions_come_from_the_field_history(story):
    deal = story["deal"]
    loaded = load_history(currency="RUB")
    d = by_id(loaded)[deal.pk]
    rows = list(
        Deal.history.filter(id=deal.pk)
        .order_by("history_date", "history_id")
        .values("history_date", "decision_date", "expected_close_date", "contract_planned")
    )

    def first_seen(name, value):
        return next(r["history_date"] for r in rows if r[name] == value)

    assert [(v.value, v.known_at) for v in d.decision_date] == [
        (date(2025, 4, 1), first_seen("decision_date", date(2025, 4, 1))),
        (date(2025, 4, 20), first_seen("decision_date", date(2025, 4, 20))),
    ]
    assert [(v.value, v.known_at) for v in d.expected_close_date] == [
        (date(2025, 5, 1), first_seen("expected_close_date", date(2025, 5, 1)))
    ]
    ms = {m.name: m for m in d.milestones}
    assert set(ms) == {"contract"}
    assert ms["contract"].actual == date(2025, 4, 24)
    assert [(v.value, v.known_at) for v in ms["contract"].planned] == [
        (date(2025, 4, 25), first_seen("contract_planned", date(2025, 4, 25)))
    ]


def test_a_current_date_without_history_is_known_from_the_last_update(stages, rep):
    deal = make_deal(owner=rep, stage=stages["qualification"], created_at=at(0))
    Deal.history.filter(id=deal.pk).delete()
    Deal.objects.filter(pk=deal.pk).update(decision_date=date(2025, 6, 1), updated_at=at(40))
    d = by_id(load_history(currency="RUB"))[deal.pk]
    assert [(v.value, v.known_at) for v in d.decision_date] == [(date(2025, 6, 1), at(40))]


def test_deleted_and_other_currency_deals_are_left_out(story):
    loaded = load_history()  # the main currency (RUB in the settings)
    ids = set(by_id(loaded))
    assert story["deal"].pk in ids and story["lost"].pk in ids
    assert story["gone"].pk not in ids
    assert story["usd"].pk not in ids
    assert loaded.currency == "RUB"
    assert loaded.excluded_currencies == {"USD": 1} and loaded.n_excluded == 1

    usd = load_history(currency="usd")
    assert set(by_id(usd)) == {story["usd"].pk}
    assert usd.excluded_currencies == {"RUB": 2}


def test_pipeline_filter(story, stages, rep):
    other = Pipeline.objects.create(name="Other")
    s1 = Stage.objects.create(pipeline=other, name="A", order=1, kind="open", probability=30)
    Stage.objects.create(pipeline=other, name="W", order=2, kind="won", probability=100)
    elsewhere = make_deal(owner=rep, stage=s1, created_at=at(3))
    only_other = load_history(pipeline_ids=[other.pk])
    assert set(by_id(only_other)) == {elsewhere.pk}
    assert {s.pipeline_id for s in only_other.history.stages} == {other.pk}
    default_only = load_history(pipeline_ids=[stages["lead"].pipeline_id])
    assert elsewhere.pk not in by_id(default_only)
    assert story["deal"].pk in by_id(default_only)


def test_the_loaded_history_replays_without_leaks(story, stages):
    """Cut in the middle of the story: the engine sees only what was known then."""
    frame = build_frame(load_history().history)
    i = int((frame.deal_ids == story["deal"].pk).nonzero()[0][0])
    mid = state_at(frame, to_days(at(15)))
    assert frame.stage_ids[mid.stage[i]] == stages["probability"].pk
    assert mid.kind[i] == 0  # open
    assert mid.answers_yes[i] == 0  # answered later (now), not known on day 15
    end = state_at(frame, frame.t)
    assert frame.stage_ids[end.stage[i]] == stages["won"].pk
    assert end.answers_yes[i] == 1


def _build(n, stages, admin_user, rep):
    for k in range(n):
        deal = make_deal(owner=rep, stage=stages["qualification"], created_at=at(k))
        make_activity(deal=deal, owner=rep, due_at=at(k + 2))
        deal = deal_update(deal, by=rep, expected_version=None, decision_date=date(2025, 6, 1))
        deal_move(deal, stages["probability"], admin_user, "test", when=at(k + 1))


@pytest.mark.parametrize("n", [5, 40])
def test_constant_number_of_queries(n, stages, admin_user, rep, django_assert_max_num_queries):
    _build(n, stages, admin_user, rep)
    with django_assert_max_num_queries(7):
        loaded = load_history()
    deals = loaded.history.deals
    assert len(deals) == n
    assert all(len(d.changes) == 2 and len(d.activities) == 1 for d in deals)
    assert all(len(d.decision_date) == 1 for d in deals)
