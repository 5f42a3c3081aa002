from django.conf import settings
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from voronka.contacts.choices import Lifecycle
from voronka.core.models import SoftDeleteModel


def _owner_zone(user):
    q = user.owner_q("owner")
    if q is None:
        return None
    return q | Q(owner__isnull=True)


class DetailsSnapshot(models.Model):
    """Base of the history rows of companies and contacts: their phones and e-mails as they
    were at that moment (they live in rows of their own, which keep no history), so a
    change of phone or e-mail shows on the timeline. Null on rows written in bulk (imports,
    the demo), which are then not compared."""

    details = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Company(SoftDeleteModel):
    name = models.CharField(_("name"), max_length=300)
    legal_name = models.CharField(_("legal name"), max_length=500, blank=True, default="")
    inn = models.CharField(_("tax id (INN)"), max_length=12, blank=True, default="", db_index=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, default="")
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True, default="")
    website = models.URLField(_("website"), max_length=300, blank=True, default="")
    address = models.TextField(_("address"), max_length=2000, blank=True, default="")
    lifecycle = models.CharField(
        _("lifecycle"), max_length=12, choices=Lifecycle.choices, default=Lifecycle.POTENTIAL
    )
    source = models.CharField(_("source"), max_length=100, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="companies",
        verbose_name=_("owner"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[DetailsSnapshot])

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contacts:company_detail", args=[self.pk])

    @classmethod
    def visibility_q(cls, user):
        return _owner_zone(user)


class Contact(SoftDeleteModel):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=300)
    position = models.CharField(_("position"), max_length=200, blank=True, default="")
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("company"),
    )
    messengers = models.CharField(_("messengers"), max_length=500, blank=True, default="")
    lifecycle = models.CharField(
        _("lifecycle"), max_length=12, choices=Lifecycle.choices, default=Lifecycle.POTENTIAL
    )
    source = models.CharField(_("source"), max_length=100, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("owner"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[DetailsSnapshot])

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contacts:contact_detail", args=[self.pk])

    @classmethod
    def visibility_q(cls, user):
        return _owner_zone(user)


class PhoneNumber(models.Model):
    """A phone of a contact or a company: E.164 for matching, the typed text for display."""

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    raw = models.CharField(_("phone as typed"), max_length=64)
    e164 = models.CharField(_("phone (E.164)"), max_length=20, db_index=True)
    extension = models.CharField(_("extension"), max_length=10, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(company__isnull=False),
                name="phone_has_owner_record",
            )
        ]

    def __str__(self):
        return self.raw


class EmailAddress(models.Model):
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    email = models.EmailField(_("e-mail"), max_length=254)
    normalized = models.CharField(max_length=254, db_index=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(company__isnull=False),
                name="email_has_owner_record",
            )
        ]

    def __str__(self):
        return self.email


def details_of(record) -> dict:
    """The phones (as typed) and e-mails of a company or contact, in their order."""
    link = "contact" if isinstance(record, Contact) else "company"
    if record.pk is None:
        return {"phones": [], "emails": []}
    return {
        "phones": list(
            PhoneNumber.objects.filter(**{link: record})
            .order_by("position", "pk")
            .values_list("raw", flat=True)
        ),
        "emails": list(
            EmailAddress.objects.filter(**{link: record})
            .order_by("position", "pk")
            .values_list("email", flat=True)
        ),
    }


@receiver(pre_create_historical_record)
def _snapshot_details(sender, instance, history_instance, **kwargs):
    if not isinstance(instance, Contact | Company):  # sent by every historical model
        return
    snapshot = getattr(instance, "_details_snapshot", None)
    history_instance.details = snapshot if snapshot is not None else details_of(instance)
