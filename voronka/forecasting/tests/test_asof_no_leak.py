"""The cut at t sees nothing recorded after t: changing the future changes nothing."""

import dataclasses
from datetime import timedelta

import numpy as np

from voronka.forecasting.engine import (
    ActivityRecord,
    AnswerRecord,
    DatedValue,
    History,
    MilestoneRecord,
    StageChangeRecord,
    as_of,
    build_frame,
    fit,
    forecast_period,
    from_days,
    state,
    to_days,
)
from voronka.forecasting.engine import synthetic as S
from voronka.forecasting.engine.data import OPEN, WON

from .helpers import day, deal, pipeline_stages


def _rewrite_future(d, t):
    """Same past, a different future: what happened after t is replaced."""
    changes = tuple(c for c in d.changes if c.at <= t)
    acts = tuple(a for a in d.activities if a.created_at <= t)
    acts = tuple(
        dataclasses.replace(a, done_at=None if a.done_at and a.done_at > t else a.done_at)
        for a in acts
    ) + (ActivityRecord(t + timedelta(days=3), t + timedelta(days=4), t + timedelta(days=5)),)
    answers = tuple(a for a in d.answers if a.at <= t) + (
        AnswerRecord(t + timedelta(days=1), "no"),
    )
    decision = tuple(v for v in d.decision_date if v.known_at <= t) + (
        DatedValue((t + timedelta(days=9)).date(), t + timedelta(days=2)),
    )
    # every deal open at t gets won right after it
    won_at = t + timedelta(days=7)
    changes = changes + (StageChangeRecord(S.N_OPEN + 1, won_at),)
    return dataclasses.replace(
        d,
        changes=changes,
        activities=acts,
        answers=answers,
        decision_date=decision,
        stage_id=S.N_OPEN + 1,
        stage_kind="won",
        closed_at=won_at,
        won=True,
    )


def test_future_does_not_change_the_cut_state_model_or_forecast():
    syn = S.generate(n_days=420, rate=4, seed=5)
    hist = syn.history
    t_days = to_days(hist.loaded_at) - 120
    t = from_days(t_days)
    other = [_rewrite_future(d, t) if d.created_at <= t else d for d in hist.deals]
    # plus deals that only exist in the other future
    other += [deal(10**6 + i, t_days - to_days(day(0)) + 5, amount=5e6) for i in range(30)]
    hist2 = History(tuple(other), hist.stages, hist.loaded_at + timedelta(days=400))
    f1, f2 = build_frame(hist), build_frame(hist2)
    c1, c2 = as_of(f1, t_days), as_of(f2, t_days)
    s1, s2 = state(c1), state(c2)
    n = f1.n_deals
    assert np.array_equal(s1.exists, s2.exists[:n]) and not s2.exists[n:].any()
    ex = s1.exists
    for name in (
        "stage",
        "kind",
        "entered",
        "n_changes",
        "last_touch",
        "answers_yes",
        "answers_no",
        "milestones_actual",
    ):
        assert np.array_equal(getattr(s1, name)[ex], getattr(s2, name)[:n][ex]), name
    assert np.array_equal(s1.next_due[ex], s2.next_due[:n][ex], equal_nan=True)
    assert np.array_equal(s1.date_fields[ex], s2.date_fields[:n][ex], equal_nan=True)
    # and the full futures really differ
    assert (state(f2).kind[:n][s1.open] == WON).all()
    assert not (state(f1).kind[s1.open] == WON).all()

    m1, m2 = fit(c1), fit(c2)
    idx = np.flatnonzero(s1.open)
    assert np.allclose(m1.predict(c1, s1, idx), m2.predict(c2, s2, idx), atol=1e-12)
    r1 = forecast_period(m1, c1, t_days, t_days + 30, seed=3, st=s1)
    r2 = forecast_period(m2, c2, t_days, t_days + 30, seed=3, st=s2)
    assert (r1.expected, r1.p10, r1.p90) == (r2.expected, r2.p10, r2.p90)


def test_cut_shows_the_stage_activities_and_dates_known_then():
    d = deal(
        1,
        0,
        path=[(2, 10), (3, 20), (4, 40)],
        activities=(ActivityRecord(day(5), day(15), day(25)),),
        decision_date=(
            DatedValue(day(30).date(), day(12)),
            DatedValue(day(45).date(), day(22)),
        ),
    )
    f = build_frame(History((d,), pipeline_stages(), day(100)))
    s = state(as_of(f, to_days(day(15))))
    assert s.exists[0] and s.kind[0] == OPEN and f.stage_ids[s.stage[0]] == 2
    assert s.entered[0] == to_days(day(10))
    assert s.next_due[0] == to_days(day(15))  # not done yet at day 15
    assert s.date_fields[0, 0] == to_days(day(30))  # the later version is not known yet
    assert s.last_touch[0] == to_days(day(5))
    s2 = state(as_of(f, to_days(day(30))))
    assert np.isnan(s2.next_due[0]) and s2.date_fields[0, 0] == to_days(day(45))
    assert s2.kind[0] == OPEN
    # a win stamped at the cut itself belongs to the period that starts there
    assert state(as_of(f, to_days(day(40)))).kind[0] == OPEN
    assert state(as_of(f, to_days(day(40)) + 0.01)).kind[0] == WON
    assert not state(as_of(f, to_days(day(-1)))).exists[0]


def test_odd_input_gets_the_documented_fallback():
    early = deal(1, 10, path=[(2, 5)])  # a move before the creation
    no_change = dataclasses.replace(deal(2, 0), stage_id=5, stage_kind="lost", closed_at=day(9))
    f = build_frame(History((early, no_change), pipeline_stages(), day(50)))
    assert f.created[0] == to_days(day(5))
    s = state(as_of(f, to_days(day(8))))
    assert s.kind[1] == OPEN
    assert state(f).closed_at[1] == to_days(day(9))


def test_a_milestone_dated_the_day_of_the_cut_is_not_yet_done():
    """A contract signed (date only) on the day a deal is won later that day: a replay
    from midnight of that day must not see the contract as signed."""
    d = deal(1, 0, path=[(2, 5), (4, 20.6)])
    signed = day(20).date()
    d = dataclasses.replace(d, milestones=(MilestoneRecord("contract", (), signed),))
    f = build_frame(History((d,), pipeline_stages(), day(60)))
    midnight = to_days(day(20))
    s = state(as_of(f, midnight))
    assert s.kind[0] == OPEN and s.milestones_actual[0] == 0
    assert state(as_of(f, midnight + 1.5)).milestones_actual[0] == 1  # the next day
