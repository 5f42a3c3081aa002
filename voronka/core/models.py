"""Base models: timestamps, an external key, soft delete with a recycle bin."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.core.scoping import VisibleQuerySet


class ScopedManager(models.Manager.from_queryset(VisibleQuerySet)):
    pass


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        default="",
        db_index=True,
        help_text=_("The record's key in the system it came from."),
    )

    objects = ScopedManager()

    class Meta:
        abstract = True


class LiveManager(models.Manager.from_queryset(VisibleQuerySet)):
    """Hides records that sit in the recycle bin."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllManager(models.Manager.from_queryset(VisibleQuerySet)):
    pass


class SoftDeleteModel(TimeStampedModel):
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    objects = LiveManager()
    all_objects = AllManager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
