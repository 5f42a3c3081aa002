"""Figures that depend on today's plan, read from a stored run's quantiles."""

import math

from hypothesis import given
from hypothesis import strategies as st

from voronka.forecasting.compute import num, prob_at_least
from voronka.forecasting.selectors import with_plan

STORED = {
    "expected": 150.0,
    "won_so_far": 50.0,
    "open_weighted": 200.0,
    "quantiles": [float(v) for v in range(0, 200)],
}


def test_without_plan_nothing_is_invented():
    r = with_plan(STORED, None)
    assert r["plan"] is None and r["prob_meet_plan"] is None and r["coverage"] is None


def test_plan_figures():
    r = with_plan(STORED, 100)
    assert r["prob_meet_plan"] == 0.5
    assert r["gap"] == -50.0  # expected above the plan
    assert r["coverage"] == 200.0 / 50.0
    assert with_plan(STORED, 40)["coverage"] is None  # already met: no division by <= 0


def test_num_never_gives_nan():
    assert num(float("nan")) is None and num(float("inf")) is None and num(None) is None


@given(
    st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=50),
    st.floats(min_value=0, max_value=1e9),
)
def test_probability_of_meeting_a_plan_is_a_probability_and_falls_with_the_plan(qs, plan):
    qs = sorted(qs)
    p = prob_at_least(qs, plan)
    assert 0.0 <= p <= 1.0 and not math.isnan(p)
    assert prob_at_least(qs, plan * 2 + 1) <= p
