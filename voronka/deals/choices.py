from django.db import models
from django.utils.translation import gettext_lazy as _


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class CriterionKind(models.TextChoices):
    NEXT_STEP = "next_step", _("A next step is scheduled")
    QUESTION = "question", _("A control question is answered “yes”")
    FIELD = "field", _("A field is filled")
    MILESTONE = "milestone", _("A closing milestone has a date")


class Answer(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class Milestone(models.TextChoices):
    CONTRACT = "contract", _("Contract signed")
    INVOICE = "invoice", _("Invoice issued")
    PAYMENT = "payment", _("Payment received")


class MilestoneDate(models.TextChoices):
    PLANNED = "planned", _("planned date")
    ACTUAL = "actual", _("actual date")


# Deal fields a "field is filled" criterion may require.
class RequiredField(models.TextChoices):
    DECISION_DATE = "decision_date", _("Decision date")
    EXPECTED_CLOSE = "expected_close_date", _("Expected close date")
    AMOUNT = "amount", _("Amount")
    COMPANY = "company", _("Company")
    CONTACT = "contacts", _("Contact")
    SOURCE = "source", _("Source")
