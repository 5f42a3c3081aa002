"""Forms of the board and the deal page. Every foreign id is checked against what the
signed-in user may see: an id from outside the zone is a form error, never a save."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from voronka.activities.choices import ActivityKind
from voronka.core.money import MoneyError, clean_amount, clean_currency
from voronka.core.numbers import decimal_mark
from voronka.deals.choices import Answer
from voronka.deals.models import Deal, LostReason, Stage

AMOUNT_ERRORS = {
    "negative": _("The amount cannot be negative."),
    "not_a_number": _("Enter the amount as a number."),
    "too_large": _("The amount is too large."),
    "unknown_currency": _("Choose a currency from the list."),
}

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

MILESTONE_FIELDS = [
    "contract_planned",
    "contract_actual",
    "invoice_planned",
    "invoice_actual",
    "payment_planned",
    "payment_actual",
]


def _label(name):
    return capfirst(Deal._meta.get_field(name).verbose_name)


def _date_field(name):
    return forms.DateField(label=_label(name), required=False, widget=DATE)


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DealForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_label("title"), max_length=300)
    amount = forms.CharField(
        label=_label("amount"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(label=_label("currency"))
    owner = forms.ModelChoiceField(label=_label("owner"), queryset=None, required=False)
    company = forms.ModelChoiceField(label=_label("company"), queryset=None, required=False)
    contacts = forms.ModelMultipleChoiceField(
        label=_label("contacts"), queryset=None, required=False
    )
    source = forms.CharField(label=_label("source"), max_length=100, required=False)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas."),
    )
    expected_close_date = _date_field("expected_close_date")
    decision_date = _date_field("decision_date")
    probability_manual = forms.IntegerField(
        label=_label("probability_manual"), required=False, min_value=0, max_value=100
    )
    contract_planned = _date_field("contract_planned")
    contract_actual = _date_field("contract_actual")
    invoice_planned = _date_field("invoice_planned")
    invoice_actual = _date_field("invoice_actual")
    payment_planned = _date_field("payment_planned")
    payment_actual = _date_field("payment_actual")
    lost_note = forms.CharField(
        label=_label("lost_note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    PLAIN = [
        "title",
        "source",
        "expected_close_date",
        "decision_date",
        "probability_manual",
        "lost_note",
        *MILESTONE_FIELDS,
    ]

    def __init__(self, *args, deal: Deal, user, **kwargs):
        from django.db.models import Q

        from voronka.accounts.models import User
        from voronka.contacts.models import Company, Contact

        self.deal = deal
        self.user = user
        initial = {name: getattr(deal, name) for name in self.PLAIN}
        initial.update(
            version=deal.version,
            amount=deal.amount,
            currency=deal.currency,
            owner=deal.owner_id,
            company=deal.company_id,
            contacts=[c.pk for c in deal.contacts.all()],
            tags=", ".join(t.name for t in deal.tags.all()),
        )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        currencies = list(settings.VORONKA_CURRENCIES)
        if deal.currency and deal.currency not in currencies:
            currencies.append(deal.currency)
        self.allowed_currencies = currencies
        self.fields["currency"].choices = [(c, c) for c in currencies]
        owner_q = Q(is_active=True)
        if deal.owner_id:
            owner_q |= Q(pk=deal.owner_id)
        self.fields["owner"].queryset = User.objects.visible_to(user).filter(owner_q)
        if user.is_rep:
            # A rep works only their own deals: the owner is fixed to themself.
            self.fields["owner"].disabled = True
            self.fields["owner"].required = True
            self.initial["owner"] = user.pk
        # Choices: what the user sees, plus what is already linked to this (visible) deal.
        self.fields["company"].queryset = (
            Company.objects.visible_to(user) | Company.objects.filter(deals=deal)
        ).distinct()
        self.fields["contacts"].queryset = (
            Contact.objects.visible_to(user) | deal.contacts.all()
        ).distinct()
        # A base holds tens of thousands of companies and contacts: the selects carry only
        # the linked (or just posted) ones; others are found by typing (record_options).
        self._limit_choices("company", [deal.company_id] if deal.company_id else [])
        self._limit_choices("contacts", initial["contacts"])

    def _limit_choices(self, name: str, linked_ids: list) -> None:
        field = self.fields[name]
        model = field.queryset.model
        # What is linked to the deal already is shown as is (a plain key look-up); posted
        # values are shown only if they are in the user's zone.
        rows = list(model.all_objects.filter(pk__in=linked_ids)) if linked_ids else []
        if self.is_bound:
            posted = [int(v) for v in self.data.getlist(name) if str(v).isdigit() and len(v) < 19]
            posted = [v for v in posted if v not in set(linked_ids)]
            if posted:
                rows += list(field.queryset.filter(pk__in=posted))
        empty = [] if isinstance(field, forms.ModelMultipleChoiceField) else [("", "---------")]
        field.widget.choices = empty + [(r.pk, str(r)) for r in rows]
        field.widget.attrs["data-options-kind"] = "company" if name == "company" else "contact"

    def clean_amount(self):
        try:
            return clean_amount(self.cleaned_data.get("amount"), decimal_mark())
        except MoneyError as e:
            raise forms.ValidationError(AMOUNT_ERRORS.get(e.code, e.code), code=e.code)

    def clean_currency(self):
        try:
            return clean_currency(self.cleaned_data.get("currency"), self.allowed_currencies)
        except MoneyError as e:
            raise forms.ValidationError(AMOUNT_ERRORS[e.code], code=e.code)

    def changes(self) -> dict:
        """The fields to hand to ``deal_update``."""
        data = {name: self.cleaned_data[name] for name in self.PLAIN}
        data.update(
            amount=self.cleaned_data["amount"],
            currency=self.cleaned_data["currency"],
            owner=self.cleaned_data["owner"],
            company=self.cleaned_data["company"],
            contacts=list(self.cleaned_data["contacts"]),
            tags=self.cleaned_data["tags"],
        )
        return data

    def clean_tags(self):
        names = []
        for raw in (self.cleaned_data.get("tags") or "").split(","):
            name = " ".join(raw.split())
            if not name:
                continue
            if len(name) > 60:
                raise forms.ValidationError(_("A tag is at most 60 characters long."))
            if name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        return names


class MoveForm(forms.Form):
    """One move of a deal, from the board (drag or menu) or the deal page."""

    stage = forms.ModelChoiceField(queryset=None)
    version = forms.IntegerField(required=False, min_value=1)
    override_reason = forms.CharField(required=False, max_length=2000)
    lost_reason = forms.ModelChoiceField(queryset=None, required=False)
    lost_note = forms.CharField(required=False, max_length=2000)
    contract_actual = forms.DateField(required=False, widget=DATE)

    def __init__(self, *args, deal: Deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.fields["stage"].queryset = Stage.objects.filter(pipeline_id=deal.pipeline_id)
        self.fields["lost_reason"].queryset = LostReason.objects.filter(is_active=True)


class AnswerForm(forms.Form):
    criterion = forms.IntegerField(min_value=1)
    answer = forms.ChoiceField(choices=Answer.choices)
    note = forms.CharField(required=False, max_length=1000)


class ActivityForm(PlainForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    due_date = forms.DateField(label=_("Date"), widget=DATE)
    due_time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "due_date": timezone.localdate() + dt.timedelta(days=1),
                "due_time": dt.time(10, 0),
            },
        )
        super().__init__(*args, **kwargs)

    def due_at(self) -> dt.datetime:
        naive = dt.datetime.combine(self.cleaned_data["due_date"], self.cleaned_data["due_time"])
        return timezone.make_aware(naive)


class ActivityDoneForm(forms.Form):
    result = forms.CharField(required=False, max_length=5000)


class NoteForm(PlainForm):
    body = forms.CharField(
        label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(PlainForm):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.VORONKA_MAX_ATTACHMENT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(max)s.") % {"max": filesizeformat(limit)},
                code="too_large",
            )
        return upload
