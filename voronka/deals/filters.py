"""One filter set for deals: the list page, the CSV export and the API read GET parameters
the same way.

``filter_deals(user, params)`` starts from the deals visible to ``user`` and narrows them.
Unknown keys are ignored. A bad value (a non-number amount, an impossible date, the id of a
user outside the zone) makes the form invalid: the caller shows the errors and the result is
empty, so a bad filter never shows more than a good one would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import Team, User
from voronka.deals.choices import StageKind
from voronka.deals.models import Deal, Pipeline, Stage, Tag
from voronka.deals.search import fold_query

# ---------------------------------------------------------------- helpers


def visible(model, user) -> QuerySet:
    """``model``'s rows in the user's zone, for models whose manager lacks ``visible_to``."""
    manager = model.objects
    if hasattr(manager, "visible_to"):
        return manager.visible_to(user)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return manager.none()
    q = model.visibility_q(user) if hasattr(model, "visibility_q") else None
    return manager.all() if q is None else manager.filter(q)


def text_contains_q(field: str, text: str) -> Q:
    """Case-insensitive "contains" that also folds Cyrillic case.

    SQLite's LIKE and LOWER() fold ASCII only; its REGEXP is Django's Python function, and
    Python's ``re`` with IGNORECASE folds every alphabet. PostgreSQL's ILIKE/UPPER fold by
    the database locale, so ``icontains`` serves there.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__iregex": re.escape(text)})
    return Q(**{f"{field}__icontains": text})


def text_equals_q(field: str, text: str) -> Q:
    """Case-insensitive equality that folds Cyrillic case too (see ``text_contains_q``)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__iregex": "^" + re.escape(text) + "$"})
    return Q(**{f"{field}__iexact": text})


# ---------------------------------------------------------------- flags

FLAG_NO_NEXT = "no_next"
FLAG_OVERDUE = "overdue"
FLAG_STALE = "stale"
FLAG_CHOICES = [
    (FLAG_NO_NEXT, _("No next step")),
    (FLAG_OVERDUE, _("Next step overdue")),
    (FLAG_STALE, _("Stale")),
    (StageKind.OPEN.value, _("Open")),
    (StageKind.WON.value, _("Won")),
    (StageKind.LOST.value, _("Lost")),
]
_ATTENTION_FLAGS = {FLAG_NO_NEXT, FLAG_OVERDUE, FLAG_STALE}
_STATUS_FLAGS = {StageKind.OPEN.value, StageKind.WON.value, StageKind.LOST.value}


def _stale_q(now) -> Q:
    """Open deals with no activity, and no stage change, for their stage's N days."""
    q = Q(pk__in=[])
    for stage_id, days in Stage.objects.filter(stale_after_days__isnull=False).values_list(
        "pk", "stale_after_days"
    ):
        cutoff = now - timedelta(days=days)
        q |= Q(stage_id=stage_id, stage_entered_at__lt=cutoff) & (
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=cutoff)
        )
    return q


def flags_q(flags, now=None) -> Q:
    """Attention flags are OR-ed, status flags are OR-ed, the two groups AND-ed."""
    now = now or timezone.now()
    result = Q()
    open_q = Q(stage__kind=StageKind.OPEN)
    attention = Q(pk__in=[])
    wanted = set(flags)
    if wanted & _ATTENTION_FLAGS:
        if FLAG_NO_NEXT in wanted:
            attention |= open_q & Q(next_step_at__isnull=True)
        if FLAG_OVERDUE in wanted:
            attention |= open_q & Q(next_step_at__lt=now)
        if FLAG_STALE in wanted:
            attention |= open_q & _stale_q(now)
        result &= attention
    statuses = wanted & _STATUS_FLAGS
    if statuses:
        result &= Q(stage__kind__in=sorted(statuses))
    return result


def deal_flags(deal: Deal, now=None) -> list[tuple[str, str]]:
    """The flags of one deal as (css class, label); ``deal.stage`` should be loaded."""
    stage = deal.stage
    if stage.kind != StageKind.OPEN:
        return []
    now = now or timezone.now()
    out = []
    if deal.next_step_at is None:
        out.append(("flag-no-next", str(_("No next step"))))
    elif deal.next_step_at < now:
        out.append(("flag-overdue", str(_("Next step overdue"))))
    if stage.stale_after_days:
        cutoff = now - timedelta(days=stage.stale_after_days)
        latest = max(t for t in (deal.last_activity_at, deal.stage_entered_at) if t is not None)
        if latest < cutoff:
            out.append(("flag-stale", str(_("Stale"))))
    return out


# ---------------------------------------------------------------- sorting

SORTS = {
    "title": ("title",),
    "amount": ("amount",),
    "stage": ("stage__pipeline__order", "stage__pipeline_id", "stage__order"),
    "owner": ("owner__first_name", "owner__last_name", "owner__username"),
    "created": ("created_at",),
    "expected_close": ("expected_close_date",),
    "next_step": ("next_step_at",),
}
SORT_LABELS = {
    "title": _("Title"),
    "amount": _("Amount"),
    "stage": _("Stage"),
    "owner": _("Owner"),
    "created": _("Created"),
    "expected_close": _("Expected close"),
    "next_step": _("Next step"),
}


def parse_sort(value) -> str:
    """The sort key if it is on the whitelist (``amount`` or ``-amount``), else ""."""
    value = (value or "").strip()
    return value if value.removeprefix("-") in SORTS else ""


def apply_sort(qs: QuerySet, sort: str) -> QuerySet:
    sort = parse_sort(sort)
    if not sort:
        return qs.order_by("-created_at", "-pk")
    desc = sort.startswith("-")
    fields = SORTS[sort.removeprefix("-")]
    order = [F(f).desc(nulls_last=True) if desc else F(f).asc(nulls_last=True) for f in fields]
    return qs.order_by(*order, "-pk" if desc else "pk")


# ---------------------------------------------------------------- the form


MAX_ID = 2**63 - 1
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)


def is_db_id(value) -> bool:
    """True for an integer the database can compare with a primary key."""
    try:
        return 0 <= int(str(value).strip()) <= MAX_ID
    except ValueError:
        return False


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several ids; one too large for the database is a form error, not a crash."""

    def _check_values(self, value):
        for pk in value:
            if not is_db_id(pk) and str(pk).strip().lstrip("-").isdigit():
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class StageChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pipeline.name} · {obj.name}"


class DayField(forms.DateField):
    """A date within years 1900-2999: outside them the range arithmetic would overflow."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_validators = [MinValueValidator(MIN_DATE), MaxValueValidator(MAX_DATE)]


class DealFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    owner = IdsChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), required=False
    )
    stage = StageChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    amount_min = forms.DecimalField(
        label=_("Amount from"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    amount_max = forms.DecimalField(
        label=_("Amount to"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    created_from = DayField(label=_("Created from"), required=False)
    created_to = DayField(label=_("Created to"), required=False)
    close_from = DayField(label=_("Expected close from"), required=False)
    close_to = DayField(label=_("Expected close to"), required=False)
    flags = forms.MultipleChoiceField(
        label=_("Flags"),
        choices=FLAG_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tag = IdsChoiceField(label=_("Tags"), queryset=Tag.objects.none(), required=False)
    source = forms.CharField(label=_("Source"), required=False, max_length=100)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["owner"].queryset = visible(User, user).order_by(
            "first_name", "last_name", "username"
        )
        if user.is_admin or user.is_head:
            self.fields["team"].queryset = visible(Team, user)
        else:
            del self.fields["team"]
        pipelines = visible(Pipeline, user)
        self.fields["pipeline"].queryset = pipelines
        self.fields["stage"].queryset = (
            Stage.objects.filter(pipeline__in=pipelines)
            .select_related("pipeline")
            .order_by("pipeline__order", "pipeline_id", "order", "pk")
        )
        self.fields["tag"].queryset = Tag.objects.all()

    RANGES = (
        ("amount_min", "amount_max", _("The minimum amount is greater than the maximum.")),
        ("created_from", "created_to", _("The end date of “created” is before its start date.")),
        (
            "close_from",
            "close_to",
            _("The end date of “expected close” is before its start date."),
        ),
    )

    def clean(self):
        data = super().clean()
        for low, high, message in self.RANGES:
            a, b = data.get(low), data.get(high)
            if a is not None and b is not None and a > b:
                self.add_error(high, message)
        return data

    def filter_q(self) -> Q:
        """The filter as one Q; call after ``is_valid()`` returned True."""
        d = self.cleaned_data
        q = Q()
        if d.get("q"):
            # Title, company and contact names, kept case-folded on the deal.
            q &= Q(search_text__contains=fold_query(d["q"]))
        if d.get("owner"):
            q &= Q(owner_id__in=[u.pk for u in d["owner"]])
        if d.get("team"):
            q &= Q(owner__team=d["team"])
        if d.get("pipeline"):
            q &= Q(pipeline=d["pipeline"])
        if d.get("stage"):
            q &= Q(stage_id__in=[s.pk for s in d["stage"]])
        if d.get("amount_min") is not None:
            q &= Q(amount__gte=d["amount_min"])
        if d.get("amount_max") is not None:
            q &= Q(amount__lte=d["amount_max"])
        if d.get("created_from"):
            q &= Q(created_at__gte=_day_start(d["created_from"]))
        if d.get("created_to"):
            q &= Q(created_at__lt=_day_start(d["created_to"] + timedelta(days=1)))
        if d.get("close_from"):
            q &= Q(expected_close_date__gte=d["close_from"])
        if d.get("close_to"):
            q &= Q(expected_close_date__lte=d["close_to"])
        if d.get("flags"):
            q &= flags_q(d["flags"])
        if d.get("tag"):
            tagged = Deal.tags.through.objects.filter(tag_id__in=[t.pk for t in d["tag"]])
            tagged = tagged.values("deal_id")
            q &= Q(pk__in=tagged)
        if d.get("source"):
            q &= text_contains_q("source", d["source"].strip())
        return q

    def error_list(self) -> list[str]:
        """Every error as "Label: message", for a box above the list."""
        out = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            for e in errors:
                out.append(f"{field.label}: {e}" if field else str(e))
        return out


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


FILTER_KEYS = tuple(DealFilterForm.base_fields) + ("sort",)


def clean_query(params) -> QueryDict:
    """Only the filter keys and ``sort`` of ``params`` (drops ``page`` and unknown keys)."""
    out = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        values = [v for v in params.getlist(key) if v != ""]
        if values:
            out.setlist(key, values)
    return out


@dataclass
class DealFilterResult:
    form: DealFilterForm
    queryset: QuerySet
    sort: str

    @property
    def is_valid(self) -> bool:
        return not self.form.errors


def filter_deals(user, params) -> DealFilterResult:
    """The deals visible to ``user`` narrowed by ``params`` (a QueryDict) and sorted.

    Callers add ``select_related``/``only`` to ``result.queryset`` for what they show.
    """
    qs = Deal.objects.visible_to(user)
    form = DealFilterForm(clean_query(params), user=user)
    sort = parse_sort(params.get("sort"))
    if form.is_valid():
        qs = qs.filter(form.filter_q())
    else:
        qs = qs.none()
    return DealFilterResult(form=form, queryset=apply_sort(qs, sort), sort=sort)
