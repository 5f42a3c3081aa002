"""Forecasting: sales plans, win probability, close dates, period forecast, backtest."""
