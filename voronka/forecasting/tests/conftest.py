from datetime import date

import pytest

from voronka.forecasting.engine import build_frame, run_backtest
from voronka.forecasting.engine import synthetic as S


@pytest.fixture(scope="session")
def synth():
    return S.generate(n_days=820, rate=6, seed=11, drift=-0.15)


@pytest.fixture(scope="session")
def synth_frame(synth):
    return build_frame(synth.history)


@pytest.fixture(scope="session")
def synth_backtest(synth_frame):
    return run_backtest(synth_frame, date(2023, 1, 1), date(2024, 4, 1), n_sims=1000)


@pytest.fixture(autouse=True)
def _fresh_refresh_memo():
    """Each test starts without this process's memory of a queued forecast refresh."""
    from voronka.forecasting.tasks import forget_waiting

    forget_waiting()
    yield
    forget_waiting()
