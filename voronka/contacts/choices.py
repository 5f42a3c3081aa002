from django.db import models
from django.utils.translation import gettext_lazy as _


class Lifecycle(models.TextChoices):
    POTENTIAL = "potential", _("Potential client")
    CURRENT = "current", _("Current client")
    FORMER = "former", _("Former client")
