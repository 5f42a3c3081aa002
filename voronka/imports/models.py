from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.core.models import ScopedManager


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    ROLLED_BACK = "rolled_back", _("rolled back")
    REVERTED = "reverted", _("reverted")


class ImportJob(models.Model):
    """One file being imported: its mapping, its state and, at the end, its report.

    The report and ``status = done`` are written in the same transaction as the imported
    records, so a job is either done with everything saved or not done with nothing saved.
    Progress while it runs lives in a small file next to the upload (see ``progress.py``),
    not in the database, because the import's own transaction holds the write lock.
    """

    KINDS = [
        ("deals", _("deals")),
        ("contacts", _("contacts")),
        ("companies", _("companies")),
    ]

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    kind = models.CharField(_("what to import"), max_length=12, choices=KINDS)
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500)  # under MEDIA_ROOT
    stage_changes_filename = models.CharField(max_length=255, blank=True, default="")
    stage_changes_path = models.CharField(max_length=500, blank=True, default="")
    pipeline = models.ForeignKey(
        "deals.Pipeline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # {"fields": {...}, "stages": {...}, ...}
    skip_invalid = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default="uploaded")
    attempts = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)
    error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"], name="importjob_status_idx")]

    def __str__(self):
        return self.filename

    @classmethod
    def visibility_q(cls, user):
        """Admins see every import; a head of sales their own and their team's; reps none."""
        if user.is_admin:
            return None
        if user.is_head:
            return Q(created_by_id__in=user.zone_user_ids())
        return Q(pk__in=[])

    @property
    def is_finished(self) -> bool:
        return self.status in (
            JobStatus.DONE,
            JobStatus.FAILED,
            JobStatus.ROLLED_BACK,
            JobStatus.REVERTED,
        )


class SavedMapping(models.Model):
    """The column mapping last used for a file layout (its header signature) and kind."""

    kind = models.CharField(max_length=12)
    signature = models.CharField(max_length=64)  # sha256 of the folded column names
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "signature"], name="one_mapping_per_layout")
        ]


class ImportedRecord(models.Model):
    """A record a finished import created or updated, written in the import's transaction,
    so the import can be reverted. ``before`` keeps what the record's own history does not:
    the phones and e-mails an update replaced, the stage changes a re-import of a deal
    replaced and the deal's contacts before it."""

    CREATED = "created"
    UPDATED = "updated"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    model = models.CharField(max_length=40)  # "deals.deal", "contacts.contact", ...
    record_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=8)
    before = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["model", "record_id"], name="imported_record_idx")]
