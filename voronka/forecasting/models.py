"""Stored forecasts: the page reads the latest finished run and never trains a model."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ForecastRun(models.Model):
    """One recomputation: the period forecasts of every scope (the organisation, each team,
    each rep) for the current and next month and quarter, as of ``as_of``.

    ``results``: ``{"periods": {"2026-11": {"all": {...}, "team:3": {...}, "user:7": {...}}},
    "model": {...}, "notes": [...]}`` (see ``voronka.forecasting.compute``).
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    as_of = models.DateTimeField(_("as of"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    currency = models.CharField(_("currency"), max_length=3)
    seconds = models.FloatField(_("seconds"), default=0)
    n_deals = models.PositiveIntegerField(default=0)
    n_open = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=dict)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("forecast run")
        verbose_name_plural = _("forecast runs")

    def __str__(self):
        return f"{self.as_of:%Y-%m-%d %H:%M} {self.status}"


class DealForecast(models.Model):
    """The learned win probability of an open deal (kept apart from the manual one)."""

    deal = models.OneToOneField(
        "deals.Deal", on_delete=models.CASCADE, primary_key=True, related_name="learned"
    )
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="deal_scores")
    probability = models.FloatField(_("learned win probability"))
    stage_probability = models.FloatField(_("stage probability"))
    factors = models.JSONField(default=list)  # [[feature name, log-odds contribution], ...]

    class Meta:
        verbose_name = _("learned win probability")
        verbose_name_plural = _("learned win probabilities")


class BacktestRun(models.Model):
    """The latest replay of the history (``forecast_backtest --save`` or the refresh job):
    its calibration table and how often the P10-P90 interval held."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    period = models.CharField(_("period"), max_length=8)
    currency = models.CharField(_("currency"), max_length=3)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("backtest")
        verbose_name_plural = _("backtests")
