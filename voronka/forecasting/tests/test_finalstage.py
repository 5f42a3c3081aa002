import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from voronka.forecasting.engine import as_of, final_stage_check, fit, state
from voronka.forecasting.engine.finalstage import poisson_binomial


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), max_size=8))
def test_poisson_binomial_matches_enumeration(p):
    dist = poisson_binomial(np.array(p))
    brute = np.zeros(len(p) + 1)
    for bits in itertools.product([0, 1], repeat=len(p)):
        brute[sum(bits)] += np.prod([q if b else 1 - q for q, b in zip(p, bits, strict=True)])
    assert np.allclose(dist, brute) and abs(dist.sum() - 1) < 1e-9


def test_final_stage_check_on_synthetic_history(synth_frame):
    cut = as_of(synth_frame, synth_frame.t - 40)
    s = state(cut)
    m = fit(cut)
    r = final_stage_check(m, cut, s.t - 10, s.t + 20, plan=1e6, st=s)
    assert r.n_deals > 0
    assert np.all(cut.stage_is_final_open[s.stage[r.deal_index]])
    assert 0 <= r.share_expected <= 1 and 0 <= r.prob_reach_threshold <= 1
    assert 0 <= r.prob_meet_plan <= 1
    risk = (1 - r.p_by_date) * np.nan_to_num(cut.amount[r.deal_index])
    top = risk[np.searchsorted(r.deal_index, r.at_risk)]
    assert np.all(np.diff(top) <= 0)
    # a 90% bar is harder to reach than a 50% bar
    low = final_stage_check(m, cut, s.t - 10, s.t + 20, threshold=0.5, st=s)
    assert low.prob_reach_threshold >= r.prob_reach_threshold
