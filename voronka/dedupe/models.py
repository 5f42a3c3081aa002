"""Stored matching keys, the review queue, merges (with what undo needs) and a log."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

CONTACT = "contact"
COMPANY = "company"
KINDS = [(CONTACT, _("contact")), (COMPANY, _("company"))]
KEY_LENGTH = 200


class RecordKeys(models.Model):
    """The normalised keys of one contact or company (``matching.Keys`` as JSON)."""

    kind = models.CharField(max_length=8, choices=KINDS)
    record_id = models.PositiveBigIntegerField()
    keys = models.JSONField(default=dict)
    version = models.PositiveSmallIntegerField(default=0)  # keystore.KEYS_VERSION when made
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id"], name="dedupe_keys_one_per_record")
        ]


class MatchKey(models.Model):
    """One blocking key of one record: the check on create is an index look-up here."""

    kind = models.CharField(max_length=8, choices=KINDS)
    key = models.CharField(max_length=KEY_LENGTH)
    record_id = models.PositiveBigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key", "record_id"], name="dedupe_key_lookup_idx"),
            models.Index(fields=["kind", "record_id"], name="dedupe_key_record_idx"),
        ]


class CandidatePair(models.Model):
    """A pair found by the batch scan, waiting for a decision. ``a_id < b_id``."""

    OPEN = "open"
    DISMISSED = "dismissed"
    MERGED = "merged"
    STATUSES = [(OPEN, _("open")), (DISMISSED, _("dismissed")), (MERGED, _("merged"))]
    SCAN = "scan"
    INTAKE = "intake"  # flagged when an import or the API created a record next to it
    ORIGINS = [(SCAN, _("batch scan")), (INTAKE, _("intake"))]

    kind = models.CharField(max_length=8, choices=KINDS)
    a_id = models.PositiveBigIntegerField()
    b_id = models.PositiveBigIntegerField()
    points = models.FloatField()
    # The scan's cluster both records belong to (its smallest record id), so the review
    # queue shows a person's records together; null for a pair outside any cluster (below
    # the match level, or flagged on intake and not found by a scan since).
    cluster = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    origin = models.CharField(max_length=8, choices=ORIGINS, default=SCAN)
    found_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "a_id", "b_id"], name="dedupe_pair_once"),
            models.CheckConstraint(
                condition=models.Q(a_id__lt=models.F("b_id")), name="dedupe_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "-points"], name="dedupe_pair_queue_idx")]


class Merge(models.Model):
    """One merge: the survivor, the merged records and everything needed to undo it."""

    kind = models.CharField(max_length=8, choices=KINDS)
    survivor_id = models.PositiveBigIntegerField(db_index=True)
    merged_ids = models.JSONField(default=list)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Event(models.Model):
    """A line on a record's timeline: saved next to likely duplicates, merged, merge undone,
    and what the intake policy decided for an incoming record (``detail`` says why)."""

    SAVED_WITH_CANDIDATES = "saved"
    MERGED = "merged"
    MERGED_INTO = "merged_into"
    UNDONE = "undone"
    ATTACHED = "attached"
    FLAGGED = "flagged"
    SKIPPED = "skipped"
    ACTIONS = [
        (SAVED_WITH_CANDIDATES, _("saved although likely duplicates exist")),
        (MERGED, _("merged")),
        (MERGED_INTO, _("merged into another record")),
        (UNDONE, _("merge undone")),
        (ATTACHED, _("incoming duplicate attached to this record")),
        (FLAGGED, _("created next to a likely duplicate, flagged for review")),
        (SKIPPED, _("incoming duplicate of this record skipped")),
    ]

    kind = models.CharField(max_length=8, choices=KINDS)
    record_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=12, choices=ACTIONS)
    other_ids = models.JSONField(default=list)
    merge = models.ForeignKey(Merge, null=True, blank=True, on_delete=models.SET_NULL)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # intake decisions: {"source", "policy", "points", "reason", "job", "row", "deal"}
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "record_id", "-at"], name="dedupe_event_record_idx")
        ]

    @property
    def source_display(self) -> str:
        source = (self.detail or {}).get("source", "")
        return str(dict(IntakePolicy.SOURCES).get(source, source))


class IntakePolicy(models.Model):
    """What happens to an incoming contact or company that matches an existing one, per
    source of records. No row means the default, “create and flag”."""

    IMPORT = "import"
    API = "api"
    WEBFORM = "webform"
    SOURCES = [(IMPORT, _("Import")), (API, _("API")), (WEBFORM, _("Web forms"))]
    WIRED = (IMPORT, API)  # sources that exist today; web forms are not built yet

    ATTACH = "attach"
    FLAG = "flag"
    SKIP = "skip"
    ACTIONS = [
        (ATTACH, _("Attach to the existing record and its open deal")),
        (FLAG, _("Create and flag for review")),
        (SKIP, _("Skip and report")),
    ]
    DEFAULT = FLAG

    source = models.CharField(_("source"), max_length=10, choices=SOURCES, unique=True)
    action = models.CharField(_("when a duplicate comes in"), max_length=8, choices=ACTIONS,
                              default=DEFAULT)  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    def __str__(self):
        return f"{self.get_source_display()}: {self.get_action_display()}"
