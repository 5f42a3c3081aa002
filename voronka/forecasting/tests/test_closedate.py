"""Time to close: censored deals stay in the risk set; old deals have a lower chance."""

import dataclasses

import numpy as np

from voronka.forecasting.engine import History, as_of, build_frame, fit, state
from voronka.forecasting.engine.closedate import aalen_johansen, fit_timing, late_window
from voronka.forecasting.engine.data import DatedValue, StageChangeRecord
from voronka.forecasting.engine.features import stage_prior

from .helpers import day, deal, pipeline_stages, zombie_history, zombie_truth


def test_censoring_keeps_open_deals_in_the_risk_set():
    # 30 won and 20 lost on day 10; 50 still open after 100 days
    dur = np.r_[np.full(30, 10.0), np.full(20, 10.0), np.full(50, 100.0)]
    ev = np.r_[np.ones(30), np.full(20, 2), np.zeros(50)].astype(int)
    with_open = aalen_johansen(dur, ev)
    closed_only = aalen_johansen(dur[:50], ev[:50])
    assert with_open.cif_won[-1] == 0.3
    assert closed_only.cif_won[-1] == 0.6  # ignoring open deals doubles the win chance
    assert abs(with_open.surv[99] - 0.5) < 1e-12
    # and it still counts deals censored later than the event days correctly
    assert abs(with_open.cif_won[10] - 0.3) < 1e-12


def test_ageing_lowers_the_chance_of_deals_stuck_in_a_stage(synth_frame):
    cut = as_of(synth_frame, synth_frame.t - 60)
    tm = fit_timing(cut)
    first = np.zeros(4, dtype=int)
    p = tm.remaining_win(first, np.array([0.0, 10.0, 60.0, 300.0]))
    assert p[0] > p[1] > p[2] > p[3]
    assert p[3] < 0.5 * p[0]


def test_window_share_is_a_share_and_grows_with_the_window(synth_frame):
    cut = as_of(synth_frame, synth_frame.t - 90)
    s = state(cut)
    m = fit(cut)
    idx = np.flatnonzero(s.open)
    short = m.timing.window_share(cut, s, idx, s.t, s.t + 30)
    long = m.timing.window_share(cut, s, idx, s.t, s.t + 90)
    assert np.all((short >= 0) & (short <= 1) & (long >= short - 1e-12))


def test_expected_wins_in_a_month_match_what_happened(synth_frame):
    final = state(synth_frame)
    errors = []
    for back in (60, 120, 180, 240):
        t = synth_frame.t - back
        cut = as_of(synth_frame, t)
        s = state(cut)
        m = fit(cut)
        idx = np.flatnonzero(s.open)
        expected = (m.predict(cut, s, idx) * m.timing.window_share(cut, s, idx, t, t + 30)).sum()
        actual = ((final.kind[idx] == 1) & (final.closed_at[idx] < t + 30)).sum()
        errors.append((expected - actual) / actual)
    assert abs(np.mean(errors)) < 0.15


def _short_history(now: float) -> History:
    """A month of history: three deals in five move on and are won 50 days after creation,
    two are lost after 5 days. At ``now`` < 50 no win has been seen yet."""
    deals = []
    for i in range(1, 61):
        c = i * 0.5
        path = [(2, c + 10), (3, c + 25), (4, c + 50)] if i % 5 < 3 else [(5, c + 5)]
        deals.append(deal(i, c, path=[(s, d) for s, d in path if d <= now]))
    return History(tuple(deals), pipeline_stages(), day(now))


def test_a_short_history_does_not_read_not_won_yet_as_never_won():
    f = build_frame(_short_history(35.0))
    s = state(f)
    tm = fit_timing(f, s)
    # truth from the first stage: 0.6; every deal seen to leave it moved on or was lost
    first = tm.remaining_win(np.array([0]), np.array([0.0]))[0]
    assert first > 0.25
    idx = np.flatnonzero(s.open)
    prior = stage_prior(f, s, idx, tm)
    for k in (0, 1):
        at_k = s.stage[idx] == k
        assert at_k.any()
        # above the stage's default, where the truth is (0.6 and 1.0)
        assert prior[at_k].mean() > f.stage_default_p[k]


def test_a_long_history_is_not_extrapolated(synth_frame):
    """Stays followed for years: the eventual chance is the composed Aalen–Johansen one."""
    tm = fit_timing(synth_frame)
    for k in np.flatnonzero(synth_frame.stage_kind == 0):
        for g in range(10):  # ages up to 30 days
            assert abs(tm.eventual[k, g] - tm.win_by[k, g, -1]) < 0.01, (k, g)


def test_a_few_old_deals_do_not_make_lingering_look_promising():
    """Most deals leave the first stage within days; three linger for a year and one of
    them is then won. A deal that old is not given a good chance from that one win."""
    deals = [deal(i, i * 0.5, path=[(5, i * 0.5 + 3)]) for i in range(1, 201)]
    deals += [deal(1000 + j, 0.0) for j in range(2)]
    deals.append(deal(1002, 0.0, path=[(4, 360.0)]))
    f = build_frame(History(tuple(deals), pipeline_stages(), day(400)))
    tm = fit_timing(f)
    assert tm.remaining_win(np.array([0]), np.array([365.0]))[0] < 0.2


def test_a_deal_created_in_a_later_stage_starts_there():
    """The creation's own record (no "from" stage, at the creation moment) puts the deal in
    its stage; it is not a stay of zero days in the first stage followed by a move."""
    from voronka.forecasting.engine.closedate import stage_stays
    from voronka.forecasting.engine.data import StageChangeRecord

    created_in_second = deal(1, 0.0)
    created_in_second = type(created_in_second)(
        **{
            **{f: getattr(created_in_second, f) for f in created_in_second.__slots__},
            "stage_id": 2,
            "changes": (StageChangeRecord(2, day(0.0), None),),
        }
    )
    later = deal(2, 0.0, path=[(3, 5.0)])  # a move with no "from" later on: from the first
    frame = build_frame(History((created_in_second, later), pipeline_stages(), day(30)))
    assert list(frame.initial_stage) == [1, 0]  # stage positions: 1 = stage id 2
    stage, dur, dest, begin = stage_stays(frame, state(frame))
    assert sorted(zip(stage.tolist(), dest.tolist(), strict=True)) == [(0, 2), (1, -1), (2, -1)]


def test_follow_up_starts_at_the_first_move():
    """A history whose first move comes long after its first deals (an export of the deals
    closed since some date, with the open ones) is followed from that move: deals created
    before it enter the risk set at their age then. Time to a win is exponential with a
    mean of 60 days; the deals closed before day 150 are missing from the export. Counted
    from the first deal, the 150 days without a move read as slowness (share 0.28)."""
    rng = np.random.default_rng(5)
    deals = []
    for i, c in enumerate(np.arange(0.0, 240.0, 0.5)):
        close = c + rng.exponential(60.0)
        if close < 150.0:
            continue  # not in the export
        deals.append(deal(i, float(c), path=[(4, close)] if close < 240.0 else []))
    frame = build_frame(History(tuple(deals), pipeline_stages(), day(240)))
    tm = fit_timing(frame, state(frame))
    # P(won within 30 days | in the first stage for 10 days) = 1 - exp(-1/2)
    (g,), _, (lam,) = tm.age_between(np.array([10.0]))
    assert lam == 0.0  # 10 days is a grid age
    share = tm.win_by[0, g, 30] / tm.win_by[0, g, -1]
    assert abs(share - (1 - np.exp(-0.5))) < 0.06


def _steady_history(now: float, cycle, rng):
    """Ten deals a day from day 0 to ``now``, each closed ``cycle()`` days after creation,
    won with a chance of 0.6, still open when that falls after ``now``: the cut frame, its
    state and the timing model fitted on it."""
    deals = []
    for i, c in enumerate(np.arange(0.0, now, 0.1)):
        close = c + cycle()
        stage = 4 if rng.random() < 0.6 else 5
        deals.append(deal(i, float(c), path=[(stage, float(close))] if close < now else []))
    f = build_frame(History(tuple(deals), pipeline_stages(), day(now)))
    s = state(f)
    return f, s, fit_timing(f, s)


def test_a_young_history_places_the_chance_beyond_its_follow_up_in_time():
    """Forty days of history, deals closing after a gamma(2, 24 days) cycle (mean 48): most
    of what is still to be won lies beyond the longest stay followed. The timing curves
    carry the same tail as the eventual chance, so the share of it inside the next 30 days
    is near the truth (about 0.49 here) instead of nearly all of it (0.97 when the tail was
    dropped)."""
    rng = np.random.default_rng(3)
    f, s, tm = _steady_history(40.0, lambda: rng.gamma(2.0, 24.0), rng)
    assert abs(tm.win_by[0, 0, -1] - tm.eventual[0, 0]) < 0.01
    idx = np.flatnonzero(s.open)
    share = tm.window_share(f, s, idx, s.t, s.t + 30)
    age = s.t - f.created[idx]
    # P(close within 30 more days | open at its age) for a gamma(2, 24) cycle
    surv = lambda a: (1 + a / 24.0) * np.exp(-a / 24.0)  # noqa: E731
    truth = (surv(age) - surv(age + 30)) / surv(age)
    assert abs(share.mean() - truth.mean()) < 0.15
    assert share.mean() < 0.75


def test_deals_between_two_grid_ages_are_not_read_at_the_younger_one():
    """Stays last 1-138 days, evenly spread: a deal 100-119 days in the stage closes within
    10 days with a chance of about 10 / (138 - age), 0.26-0.53. Read at a grid age below
    (90 days on the old grid) it would be 0.21 for all of them."""
    rng = np.random.default_rng(4)
    f, s, tm = _steady_history(700.0, lambda: float(rng.integers(1, 139)), rng)
    idx = np.flatnonzero(s.open)
    age = s.t - f.created[idx]
    old = (age >= 100) & (age < 120)
    assert old.sum() > 25
    share = tm.window_share(f, s, idx[old], s.t, s.t + 10)
    truth = np.minimum(10.0 / (138.0 - np.floor(age[old])), 1.0)
    assert abs(share.mean() - truth.mean()) < 0.03
    # each deal at its own age, not the week's: 0.95 when read at the grid age below
    assert np.corrcoef(share, truth)[0, 1] > 0.98


def test_a_stage_nobody_has_left_for_months_is_not_given_its_default():
    """An export with no stage history: the closed deals went from the first stage to won
    or lost, the deals still open at the export sit in the second stage, where they were
    created, and none ever leaves it. After months of that, a deal there is not worth the
    stage's default 0.4; a stage entered only days ago still is."""
    deals = []
    for i, c in enumerate(np.arange(0.0, 300.0, 0.5)):
        deals.append(deal(i, float(c), path=[(4 if i % 5 < 3 else 5, float(c) + 20.0)]))

    def in_second(j: int, created: float):
        d = deal(10_000 + j, created)
        return dataclasses.replace(d, stage_id=2, changes=(StageChangeRecord(2, day(created)),))

    for stuck in (
        [in_second(j, float(c)) for j, c in enumerate(np.arange(0.0, 300.0, 1.0))],
        [in_second(j, 318.0) for j in range(50)],
    ):
        f = build_frame(History(tuple(deals + stuck), pipeline_stages(), day(320)))
        s = state(f)
        tm = fit_timing(f, s)
        idx = np.flatnonzero(s.open & (s.stage == 1))
        assert len(idx) == len(stuck)
        p = stage_prior(f, s, idx, tm)
        if len(stuck) == 300:
            assert tm.n_exits[1] > 100  # months without a move are evidence
            assert p.max() < 0.1
        else:
            assert tm.n_exits[1] < 5  # two days are not
            assert abs(p.mean() - 0.4) < 0.05


def test_deals_that_outlast_every_close_are_not_extrapolated_to_win():
    """Every stay that ends, ends within 138 days; a quarter of the deals never move. At day
    220 the deals 140-220 days old have sat for thousands of deal-days without one exit:
    they are not won, and a young deal's chance counts with becoming one of them. The
    hazard past the follow-up read over its second half (ages 110-220, mostly the exits of
    ages 110-138) gave every old deal the chance of a young one (0.6)."""
    rng = np.random.default_rng(8)
    f = zombie_history(220.0, rng)
    s = state(f)
    tm = fit_timing(f, s)
    assert tm.remaining_win(np.array([0, 0]), np.array([160.0, 210.0])).max() < 0.03
    idx = np.flatnonzero(s.open & (s.stage == 0))
    age = s.t - f.created[idx]
    p = stage_prior(f, s, idx, tm)
    for lo, hi in ((0, 30), (30, 90), (90, 138)):
        m = (age >= lo) & (age < hi)
        assert abs(p[m].mean() - zombie_truth(age[m]).mean()) < 0.05, (lo, hi)


def test_the_hazard_past_the_follow_up_is_read_where_the_narrower_windows_agree():
    """A steady hazard keeps the widest window (half the follow-up); exits that stop at 60%
    of it narrow the window to the part after them; a thinly followed end, where no exit
    is expected anyway, does not."""
    rng = np.random.default_rng(2)
    d = 200
    at_risk = np.full(d + 1, 400.0)
    steady = rng.poisson(4.0, d + 1).astype(float)
    assert late_window(at_risk, steady, d) == d // 2
    stopped = steady.copy()
    stopped[121:] = 0.0
    assert late_window(at_risk, stopped, d) >= 150
    thin = at_risk.copy()
    thin[121:] = 0.5
    assert late_window(thin, stopped, d) == d // 2


def test_a_stage_seldom_won_from_keeps_its_own_timing():
    """One deal in ten moves on after 20 days and is won 25 days later; the rest are lost
    after 5 days. A new deal's chance is won 45 days on, never within its first month. The
    default pace's smoothing mass, 0.02 absolute, weighed as much as a fifth of the stage's
    whole chance (0.1) and put 8% of it inside the month; it is now a fiftieth of it."""
    deals = []
    for i in range(1, 521):
        c = i * 0.5
        path = [(2, c + 20), (4, c + 45)] if i % 10 == 0 else [(5, c + 5)]
        deals.append(deal(i, c, path=[(k, d) for k, d in path if d <= 260.0]))
    f = build_frame(History(tuple(deals), pipeline_stages(), day(260.0)))
    s = state(f)
    tm = fit_timing(f, s)
    idx = np.flatnonzero(s.open & (s.stage == 0) & (s.t - f.created < 3))
    assert len(idx) >= 5
    assert tm.remaining_win(np.zeros(1, dtype=int), np.zeros(1))[0] < 0.15
    assert tm.window_share(f, s, idx, s.t, s.t + 30).max() < 0.03
    assert tm.window_share(f, s, idx, s.t + 30, s.t + 60).min() > 0.9


def _dated_history(rng, dates_tell: bool) -> History:
    """Four deals a day for 300 days, half of them won 20-100 days after creation, the rest
    lost after 10 days; each gets a decision date when it is created. Where ``dates_tell``
    the win comes on that date (give or take a day); otherwise the date is a guess drawn
    from the same 20-100 days, and the win comes 40 days after creation."""
    deals = []
    for i in range(1200):
        c = i * 0.25
        planned = c + float(rng.uniform(20.0, 100.0))
        if i % 2:
            close = planned + float(rng.uniform(-1.0, 1.0)) if dates_tell else c + 40.0
            path = [(4, close)]
        else:
            path = [(5, c + 10.0)]
        decision = (DatedValue(day(planned).date(), day(c)),)
        deals.append(
            deal(i, c, path=[(k, d) for k, d in path if d <= 300.0], decision_date=decision)
        )
    return History(tuple(deals), pipeline_stages(), day(300.0))


def test_planned_dates_count_as_far_as_they_told_the_timing_before():
    """Where wins came on their planned dates, the dates decide a deal's month; where the
    dates were guesses, the time in stage does (the dates' own count made them decide
    both: up to 0.64 of the chance inside the month for deals won at day 40, after it)."""
    rng = np.random.default_rng(5)
    told = build_frame(_dated_history(rng, dates_tell=True))
    s = state(told)
    tm = fit_timing(told, s)
    assert tm.date_weight[0] > 0.8
    young = np.flatnonzero(s.open & (s.t - told.created < 10))
    soon = young[s.target_date[young] - s.t < 25]
    late = young[s.target_date[young] - s.t > 35]
    assert len(soon) >= 3 and len(late) >= 3
    assert tm.window_share(told, s, soon, s.t, s.t + 30).min() > 0.7
    assert tm.window_share(told, s, late, s.t, s.t + 30).max() < 0.3

    guessed = build_frame(_dated_history(rng, dates_tell=False))
    s = state(guessed)
    tm = fit_timing(guessed, s)
    assert tm.date_weight[0] < 0.3
    young = np.flatnonzero(s.open & (s.t - guessed.created < 8))  # won at 40 days: after t + 30
    assert tm.window_share(guessed, s, young, s.t, s.t + 30).max() < 0.15
    assert tm.window_share(guessed, s, young, s.t + 30, s.t + 60).min() > 0.7
