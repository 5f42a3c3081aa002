from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from voronka.core.models import ScopedManager, SoftDeleteModel, TimeStampedModel
from voronka.deals.choices import (
    Answer,
    CriterionKind,
    Milestone,
    MilestoneDate,
    RequiredField,
    StageKind,
)


class Pipeline(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self):
        return self.name

    @classmethod
    def visibility_q(cls, user):
        return None

    def open_stages(self):
        return self.stages.filter(kind=StageKind.OPEN)


class Stage(TimeStampedModel):
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline")
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=StageKind.choices, default="open")
    probability = models.PositiveSmallIntegerField(
        _("default probability, %"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    stale_after_days = models.PositiveIntegerField(
        _("stale after, days"),
        null=True,
        blank=True,
        help_text=_("A deal with no activity for this many days is flagged as stale."),
    )
    is_lead_stage = models.BooleanField(
        _("lead inbox"),
        default=False,
        help_text=_("Leads (unqualified requests) wait here; all reps see unassigned ones."),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["pipeline", "order", "pk"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self):
        return self.name

    @classmethod
    def visibility_q(cls, user):
        return None

    @property
    def is_open(self):
        return self.kind == StageKind.OPEN

    @property
    def is_won(self):
        return self.kind == StageKind.WON

    @property
    def is_lost(self):
        return self.kind == StageKind.LOST


class StageCriterion(TimeStampedModel):
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("stage")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CriterionKind.choices)
    label = models.CharField(
        _("question or label"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("For a control question: the question itself."),
    )
    field = models.CharField(
        _("field"), max_length=30, choices=RequiredField.choices, blank=True, default=""
    )
    milestone = models.CharField(
        _("milestone"), max_length=10, choices=Milestone.choices, blank=True, default=""
    )
    milestone_date = models.CharField(
        _("milestone date"),
        max_length=8,
        choices=MilestoneDate.choices,
        blank=True,
        default="",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["stage", "order", "pk"]
        verbose_name = _("exit criterion")
        verbose_name_plural = _("exit criteria")

    def __str__(self):
        return self.describe()

    def describe(self) -> str:
        if self.kind == CriterionKind.QUESTION:
            return str(self.label)
        if self.kind == CriterionKind.FIELD:
            return str(_("Field filled: %(field)s") % {"field": self.get_field_display()})
        if self.kind == CriterionKind.MILESTONE:
            return str(
                _("%(milestone)s: %(which)s is set")
                % {
                    "milestone": self.get_milestone_display(),
                    "which": self.get_milestone_date_display(),
                }
            )
        return str(self.get_kind_display())

    @classmethod
    def visibility_q(cls, user):
        return None


class LostReason(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self):
        return self.name

    @classmethod
    def visibility_q(cls, user):
        return None


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    @classmethod
    def visibility_q(cls, user):
        return None


class Deal(SoftDeleteModel):
    title = models.CharField(_("title"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        verbose_name=_("owner"),
    )
    company = models.ForeignKey(
        "contacts.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        verbose_name=_("company"),
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", blank=True, related_name="deals", verbose_name=_("contacts")
    )
    source = models.CharField(_("source"), max_length=100, blank=True, default="")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    probability_manual = models.PositiveSmallIntegerField(
        _("probability (manual), %"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    contract_planned = models.DateField(_("contract signing, planned"), null=True, blank=True)
    contract_actual = models.DateField(_("contract signed"), null=True, blank=True)
    invoice_planned = models.DateField(_("invoice, planned"), null=True, blank=True)
    invoice_actual = models.DateField(_("invoice issued"), null=True, blank=True)
    payment_planned = models.DateField(_("payment, planned"), null=True, blank=True)
    payment_actual = models.DateField(_("payment received"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
        verbose_name=_("lost reason"),
    )
    lost_note = models.TextField(_("lost comment"), max_length=2000, blank=True, default="")
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    # Denormalised for the board and the list: kept by the activity services.
    next_step_at = models.DateTimeField(_("next step"), null=True, blank=True, db_index=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="deals", verbose_name=_("tags"))
    version = models.PositiveIntegerField(default=1)
    # Title, company and contact names, case-folded (see deals/search.py).
    search_text = models.TextField(blank=True, default="", editable=False)
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "version",
            "next_step_at",
            "last_activity_at",
            "stage_entered_at",
            "search_text",
        ],
        m2m_fields=[tags],
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            # The board: walked backwards for a column's "newest first" cards ((created_at,
            # id) both descending), and it covers the columns' counts and sums, so neither
            # reads the table for the 10,000s of open deals.
            models.Index(
                fields=["stage", "deleted_at", "created_at", "owner", "currency", "amount"],
                name="deal_board_cover_idx",
            ),
            models.Index(fields=["deleted_at", "created_at"], name="deal_live_created_idx"),
            models.Index(fields=["deleted_at", "owner"], name="deal_live_owner_idx"),
            models.Index(fields=["owner", "stage"], name="deal_owner_stage_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deals:detail", args=[self.pk])

    @classmethod
    def visibility_q(cls, user):
        q = user.owner_q("owner")
        if q is None:
            return None
        if user.is_head:
            # Unassigned deals wait for a head of sales to hand them out.
            return q | Q(owner__isnull=True)
        return q | Q(owner__isnull=True, stage__is_lead_stage=True)

    @property
    def is_lead(self) -> bool:
        return self.stage.is_lead_stage


class DealAnswer(models.Model):
    """The answer of a deal to a control question of a stage."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(StageCriterion, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(
        _("answer"), max_length=8, choices=Answer.choices, default=Answer.UNKNOWN
    )
    note = models.CharField(_("note"), max_length=1000, blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "criterion"], name="one_answer_per_question")
        ]


class StageChange(models.Model):
    """Every move of a deal between stages: the source of analytics and the forecast."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = models.TextField(blank=True, default="")
    missed_criteria = models.JSONField(default=list, blank=True)
    external_id = models.CharField(max_length=100, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["deal", "changed_at"], name="stagechange_deal_idx")]


class SavedFilter(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
