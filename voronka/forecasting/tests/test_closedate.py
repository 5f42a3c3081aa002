"""Time to close: censored deals stay in the risk set; old deals have a lower chance."""

import numpy as np

from voronka.forecasting.engine import as_of, fit, state
from voronka.forecasting.engine.closedate import aalen_johansen, fit_timing


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
