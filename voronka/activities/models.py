from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from voronka.activities.choices import ActivityKind
from voronka.core.models import SoftDeleteModel


def linked_record_q(user, prefix: str = ""):
    """Visible when the linked deal, contact or company is visible to the user."""
    parts = []
    for rel in ("deal", "contact", "company"):
        q = user.owner_q(f"{prefix}{rel}__owner")
        unowned = Q(**{f"{prefix}{rel}__owner__isnull": True})
        parts.append(Q(**{f"{prefix}{rel}__isnull": False}) & (q | unowned))
    out = parts[0]
    for p in parts[1:]:
        out |= p
    return out


class Activity(SoftDeleteModel):
    kind = models.CharField(
        _("kind"), max_length=10, choices=ActivityKind.choices, default=ActivityKind.CALL
    )
    subject = models.CharField(_("subject"), max_length=300)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    result = models.TextField(_("result"), max_length=5000, blank=True, default="")
    deal = models.ForeignKey(
        "deals.Deal",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("deal"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("contact"),
    )
    company = models.ForeignKey(
        "contacts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("company"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("owner"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["deal", "done", "due_at"], name="activity_deal_open_idx"),
            models.Index(fields=["owner", "done", "due_at"], name="activity_owner_open_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_overdue(self) -> bool:
        return not self.done and self.due_at is not None and self.due_at < timezone.now()

    @classmethod
    def visibility_q(cls, user):
        q = user.owner_q("owner")
        if q is None:
            return None
        deal_q = user.owner_q("deal__owner")
        return q | (Q(deal__isnull=False) & deal_q)


class Note(SoftDeleteModel):
    body = models.TextField(_("note"), max_length=20000)
    deal = models.ForeignKey(
        "deals.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    company = models.ForeignKey(
        "contacts.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="notes"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self):
        return self.body[:60]

    @classmethod
    def visibility_q(cls, user):
        if user.is_admin:
            return None
        return linked_record_q(user)


def attachment_path(instance, filename):
    # A server-generated name: the typed name is kept only as data.
    import uuid

    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(SoftDeleteModel):
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    deal = models.ForeignKey(
        "deals.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    company = models.ForeignKey(
        "contacts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self):
        return self.original_name

    @classmethod
    def visibility_q(cls, user):
        if user.is_admin:
            return None
        return linked_record_q(user)
