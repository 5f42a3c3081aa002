"""Sales plans: an amount (and optionally a number of deals) per month or quarter, for a
team as a whole or for one of its reps."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from voronka.core.scoping import VisibleQuerySet


class PeriodKind(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")


class SalesPlan(models.Model):
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="plans", verbose_name=_("team")
    )
    # Empty: the plan of the team as a whole.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
        verbose_name=_("rep"),
    )
    period = models.CharField(_("period"), max_length=7, help_text="2026-03 or 2026-Q1")
    kind = models.CharField(_("period kind"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    deals = models.PositiveIntegerField(_("number of deals"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = models.Manager.from_queryset(VisibleQuerySet)()

    class Meta:
        ordering = ["year", "period", "team_id", "user_id"]
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period"],
                condition=Q(user__isnull=True),
                name="plans_one_team_plan_per_period",
            ),
            models.UniqueConstraint(
                fields=["team", "user", "period"],
                condition=Q(user__isnull=False),
                name="plans_one_rep_plan_per_period",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="plans_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["period", "team"])]

    def __str__(self):
        return f"{self.period} {self.user or self.team}: {self.amount} {self.currency}"

    @classmethod
    def visibility_q(cls, user):
        """Admins see every plan, a head their team's, a rep only their own."""
        if user.is_admin:
            return None
        if user.is_head:
            return Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
        return Q(user_id=user.pk)
