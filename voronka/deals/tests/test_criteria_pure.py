"""The pure exit-criteria core, tested without a database."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from voronka.deals.criteria import Criterion, DealFacts, StageRef, missing_criteria, stages_to_check

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_next_step_needs_future_activity():
    c = [Criterion(id=1, kind="next_step")]
    assert [m.code for m in missing_criteria(c, DealFacts(now=NOW))] == ["next_step_missing"]
    past = DealFacts(now=NOW, next_step_at=NOW - timedelta(minutes=1))
    assert len(missing_criteria(c, past)) == 1
    future = DealFacts(now=NOW, next_step_at=NOW + timedelta(minutes=1))
    assert missing_criteria(c, future) == []


def test_question_must_be_yes():
    c = [Criterion(id=7, kind="question", label="Price fits?")]
    for answer in (None, "no", "unknown"):
        facts = DealFacts(now=NOW, answers={} if answer is None else {7: answer})
        missing = missing_criteria(c, facts)
        assert [(m.code, m.label) for m in missing] == [("question_not_yes", "Price fits?")]
    assert missing_criteria(c, DealFacts(now=NOW, answers={7: "yes"})) == []


def test_field_and_milestone():
    c = [
        Criterion(id=1, kind="field", field="decision_date"),
        Criterion(id=2, kind="milestone", milestone="contract", milestone_date="actual"),
    ]
    got = missing_criteria(c, DealFacts(now=NOW))
    assert [m.criterion_id for m in got] == [1, 2]
    facts = DealFacts(
        now=NOW,
        filled_fields=frozenset({"decision_date"}),
        milestones={"contract_planned": date(2026, 5, 2), "contract_actual": None},
    )
    assert [m.criterion_id for m in missing_criteria(c, facts)] == [2]
    facts = DealFacts(now=NOW, milestones={"contract_actual": date(2026, 5, 2)})
    assert [m.criterion_id for m in missing_criteria(c, facts)] == [1]


S = [
    StageRef(1, 0, "open", 1),
    StageRef(2, 10, "open", 1),
    StageRef(3, 20, "open", 1),
    StageRef(4, 30, "open", 1),
    StageRef(5, 40, "won", 1),
    StageRef(6, 50, "lost", 1),
]


def test_forward_move_checks_current_and_skipped_stages():
    assert stages_to_check(S[1], S[2], S) == [2]
    assert stages_to_check(S[1], S[3], S) == [2, 3]
    assert stages_to_check(S[1], S[4], S) == [2, 3, 4]


def test_backward_lost_and_reopen_check_nothing():
    assert stages_to_check(S[3], S[1], S) == []
    assert stages_to_check(S[2], S[5], S) == []
    assert stages_to_check(S[4], S[1], S) == []
    assert stages_to_check(S[2], S[2], S) == []


@given(st.sampled_from(S), st.sampled_from(S))
def test_checked_stages_are_open_and_include_current_on_forward_moves(a, b):
    ids = stages_to_check(a, b, S)
    assert all(next(s for s in S if s.id == i).kind == "open" for i in ids)
    if ids:
        assert ids[0] == a.id
