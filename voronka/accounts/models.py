from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.accounts.choices import Role
from voronka.core.scoping import VisibleQuerySet


class Team(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name

    @classmethod
    def visibility_q(cls, user):
        if user.is_admin:
            return None
        return Q(pk=user.team_id) if user.team_id else Q(pk__in=[])


class VoronkaUserManager(UserManager.from_queryset(VisibleQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("team"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("ru", "Русский"), ("en", "English")],
        default="ru",
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")

    objects = VoronkaUserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        if self.is_superuser and self.role != Role.ADMIN:
            self.role = Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_head(self) -> bool:
        return self.role == Role.HEAD

    @property
    def is_rep(self) -> bool:
        return not self.is_admin and not self.is_head

    @property
    def can_manage_process(self) -> bool:
        """Edit pipelines, stages, criteria, lost reasons; override stage rules."""
        return self.is_admin or self.is_head

    @classmethod
    def visibility_q(cls, user):
        """Which users a user may see (as owners in pickers, filters and records)."""
        if user.is_admin:
            return None
        if user.is_head:
            return Q(team_id=user.team_id) | Q(pk=user.pk) if user.team_id else Q(pk=user.pk)
        return Q(pk=user.pk)

    def zone_user_ids(self) -> list[int]:
        """The users whose records this user sees: a head's team and themself.

        Read once per request object, so scoped queries compare ``owner_id IN (...)``
        instead of joining the users table on every row."""
        cached = getattr(self, "_zone_user_ids", None)
        if cached is None:
            ids = {self.pk}
            if self.is_head and self.team_id:
                ids.update(User.objects.filter(team_id=self.team_id).values_list("pk", flat=True))
            cached = self._zone_user_ids = sorted(ids)
        return cached

    def owner_q(self, field: str = "owner"):
        """Records owned within this user's zone: a Q on ``field`` (a user FK)."""
        if self.is_admin:
            return None
        if self.is_head:
            return Q(**{f"{field}__in": self.zone_user_ids()})
        return Q(**{field: self.pk})


class ApiToken(models.Model):
    """A personal API token. Only a hash of the secret is stored; it is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("beginning"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = models.Manager.from_queryset(VisibleQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def visibility_q(cls, user):
        """Each user sees only their own tokens, administrators included."""
        return Q(user_id=user.pk)
