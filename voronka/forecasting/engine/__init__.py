"""The pure forecast engine: numpy/scikit-learn only, no Django (import-linter checks it).

Flow: records (``data``) -> ``build_frame`` -> ``as_of(frame, t)`` -> ``fit`` ->
``forecast_period`` / ``final_stage_check``; ``run_backtest`` replays the same flow at
past dates.
"""

from .asof import State, as_of, state, state_at
from .backtest import BacktestResult, format_report, run_backtest, score
from .data import (
    ActivityRecord,
    AnswerRecord,
    DataError,
    DatedValue,
    DealRecord,
    Frame,
    History,
    MilestoneRecord,
    StageChangeRecord,
    StageInfo,
    build_frame,
    from_days,
    to_days,
)
from .finalstage import FinalStageCheck, final_stage_check
from .forecaster import ForecastModel, fit
from .period import PeriodError, PeriodForecast, forecast_period, parse_period

__all__ = [
    "ActivityRecord",
    "AnswerRecord",
    "BacktestResult",
    "DataError",
    "DatedValue",
    "DealRecord",
    "FinalStageCheck",
    "ForecastModel",
    "Frame",
    "History",
    "MilestoneRecord",
    "PeriodError",
    "PeriodForecast",
    "StageChangeRecord",
    "StageInfo",
    "State",
    "as_of",
    "build_frame",
    "final_stage_check",
    "fit",
    "forecast_period",
    "format_report",
    "from_days",
    "parse_period",
    "run_backtest",
    "score",
    "state",
    "state_at",
    "to_days",
]
