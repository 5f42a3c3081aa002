"""Forms of the deal list: bulk edit, saved filters and quick add.

Every choice a user may send (owner, stage, company) comes from a queryset scoped to the
user's zone, so a foreign id is a form error and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import User
from voronka.contacts.models import Company, Contact, PhoneNumber
from voronka.core.money import MoneyError, clean_amount, clean_currency
from voronka.core.numbers import decimal_mark
from voronka.core.phones import PhoneError, parse_phone
from voronka.deals.choices import StageKind
from voronka.deals.errors import DealError
from voronka.deals.filters import text_equals_q, visible
from voronka.deals.forms import AMOUNT_ERRORS
from voronka.deals.models import Deal, LostReason, Pipeline, Stage, Tag
from voronka.deals.services import deal_create, deal_move, deal_update, describe_missing


class PipelineStageField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pipeline.name} · {obj.name}"


def _stages_of(pipelines):
    return (
        Stage.objects.filter(pipeline__in=pipelines)
        .select_related("pipeline")
        .order_by("pipeline__order", "pipeline_id", "order", "pk")
    )


# ---------------------------------------------------------------- bulk edit


class BulkEditForm(forms.Form):
    ACTION_OWNER = "owner"
    ACTION_STAGE = "stage"
    ACTION_ADD_TAG = "add_tag"
    ACTION_REMOVE_TAG = "remove_tag"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (ACTION_OWNER, _("Change owner")),
            (ACTION_STAGE, _("Move to stage")),
            (ACTION_ADD_TAG, _("Add tag")),
            (ACTION_REMOVE_TAG, _("Remove tag")),
        ],
    )
    owner = forms.ModelChoiceField(
        label=_("New owner"), queryset=User.objects.none(), required=False
    )
    stage = PipelineStageField(label=_("New stage"), queryset=Stage.objects.none(), required=False)
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason"), queryset=LostReason.objects.none(), required=False
    )
    override_reason = forms.CharField(label=_("Override reason"), required=False, max_length=1000)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)

    def __init__(self, data=None, *, user, **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")  # the filter form on the same page uses id_
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["owner"].queryset = visible(User, user).filter(is_active=True)
        self.fields["stage"].queryset = _stages_of(visible(Pipeline, user))
        self.fields["lost_reason"].queryset = LostReason.objects.filter(is_active=True)
        if not user.can_manage_process:
            del self.fields["override_reason"]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        required = {
            self.ACTION_OWNER: "owner",
            self.ACTION_STAGE: "stage",
            self.ACTION_ADD_TAG: "tag",
            self.ACTION_REMOVE_TAG: "tag",
        }.get(action)
        if required and required not in self.errors and not data.get(required):
            self.add_error(required, _("This field is required for the chosen action."))
        if action == self.ACTION_REMOVE_TAG and data.get("tag"):
            tag = Tag.objects.filter(name=data["tag"].strip()).first()
            if tag is None:
                self.add_error("tag", _("There is no such tag."))
            data["tag_obj"] = tag
        return data


@dataclass
class BulkFailure:
    deal: Deal
    message: str
    missing: list[str] = field(default_factory=list)


@dataclass
class BulkOutcome:
    changed: int = 0
    failures: list[BulkFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


class _RollBack(Exception):
    pass


def bulk_apply(form: BulkEditForm, deals: list[Deal], by) -> BulkOutcome:
    """Apply the bulk change to every deal, or to none: one failure rolls all back."""
    d = form.cleaned_data
    action = d["action"]
    outcome = BulkOutcome()
    try:
        with transaction.atomic():
            tag = None
            if action == BulkEditForm.ACTION_ADD_TAG:
                tag, _created = Tag.objects.get_or_create(name=d["tag"].strip())
            elif action == BulkEditForm.ACTION_REMOVE_TAG:
                tag = d["tag_obj"]
            for deal in deals:
                try:
                    if _apply_one(action, deal, d, tag, by):
                        outcome.changed += 1
                except DealError as exc:
                    outcome.failures.append(
                        BulkFailure(deal, exc.message, [describe_missing(m) for m in exc.missing])
                    )
            if outcome.failures:
                raise _RollBack
    except _RollBack:
        outcome.changed = 0
    return outcome


def _apply_one(action, deal: Deal, d, tag, by) -> bool:
    if action == BulkEditForm.ACTION_OWNER:
        if deal.owner_id == d["owner"].pk:
            return False
        deal_update(deal, by=by, expected_version=None, owner=d["owner"])
        return True
    if action == BulkEditForm.ACTION_STAGE:
        if deal.stage_id == d["stage"].pk:
            return False
        deal_move(
            deal,
            d["stage"],
            by,
            d.get("override_reason") or None,
            lost_reason=d.get("lost_reason"),
        )
        return True
    current = list(deal.tags.all())
    if action == BulkEditForm.ACTION_ADD_TAG:
        if tag in current:
            return False
        deal_update(deal, by=by, expected_version=None, tags=[*current, tag])
        return True
    if tag not in current:
        return False
    deal_update(deal, by=by, expected_version=None, tags=[t for t in current if t != tag])
    return True


# ---------------------------------------------------------------- saved filters


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Filter name"), max_length=100)
    query = forms.CharField(required=False, max_length=8000)


# ---------------------------------------------------------------- quick add


class QuickAddForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    amount = forms.CharField(
        label=_("Amount"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), empty_label=None
    )
    stage = PipelineStageField(
        label=_("Stage"),
        queryset=Stage.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose an open stage of the pipeline.")},
    )
    company = forms.ModelChoiceField(
        queryset=Company.objects.none(), required=False, widget=forms.HiddenInput
    )
    company_name = forms.CharField(
        label=_("Company"),
        required=False,
        max_length=300,
        help_text=_("Pick an existing company or type the name of a new one."),
    )
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=300)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=64)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        pipelines = visible(Pipeline, user).filter(is_active=True)
        self.fields["pipeline"].queryset = pipelines
        self.fields["stage"].queryset = _stages_of(pipelines).filter(kind=StageKind.OPEN)
        self.fields["company"].queryset = Company.objects.visible_to(user)
        currencies = settings.VORONKA_CURRENCIES
        self.fields["currency"].choices = [(c, c) for c in currencies]
        self.fields["currency"].initial = settings.VORONKA_DEFAULT_CURRENCY

    def clean_amount(self):
        try:
            return clean_amount(self.cleaned_data.get("amount"), decimal_mark())
        except MoneyError as exc:
            raise forms.ValidationError(AMOUNT_ERRORS.get(exc.code, exc.code), code=exc.code)

    def clean_currency(self):
        try:
            return clean_currency(self.cleaned_data.get("currency"), settings.VORONKA_CURRENCIES)
        except MoneyError as exc:
            raise forms.ValidationError(AMOUNT_ERRORS[exc.code], code=exc.code)

    def clean_contact_phone(self):
        text = self.cleaned_data.get("contact_phone", "").strip()
        if not text:
            return None
        try:
            return parse_phone(text, settings.VORONKA_PHONE_REGION)
        except PhoneError:
            raise forms.ValidationError(
                _("This does not look like a phone number. Check the digits and the code."),
                code="phone",
            )

    def clean(self):
        data = super().clean()
        pipeline, stage = data.get("pipeline"), data.get("stage")
        if pipeline and stage and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", DealError("stage_other_pipeline").message)
        elif pipeline and not stage and "stage" not in self.errors:
            data["stage"] = pipeline.stages.filter(kind=StageKind.OPEN).order_by("order").first()
            if data["stage"] is None:
                self.add_error("pipeline", _("This pipeline has no open stage."))
        if data.get("contact_phone") and not data.get("contact_name"):
            self.add_error("contact_name", _("Give the name of the contact."))
        name = (data.get("company_name") or "").strip()
        if data.get("company") is None and name:
            data["company"] = (
                Company.objects.visible_to(self.user)
                .filter(text_equals_q("name", name))
                .order_by("pk")
                .first()
            )
        return data

    def company_suggestions(self, limit: int = 300):
        return (
            Company.objects.visible_to(self.user)
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()[:limit]
        )

    def save(self) -> Deal:
        """Company, contact, phone and deal in one transaction: all of them or none."""
        d = self.cleaned_data
        by = self.user
        with transaction.atomic():
            company = d.get("company")
            if company is None and d.get("company_name", "").strip():
                company = Company(name=d["company_name"].strip(), owner=by)
                company._history_user = by
                company.save()
                _match_keys("company", company, by)
            contacts = []
            if d.get("contact_name", "").strip():
                contacts.append(
                    _contact_with_phone(
                        by=by,
                        name=d["contact_name"].strip(),
                        company=company,
                        phone=d.get("contact_phone"),
                    )
                )
            return deal_create(
                by=by,
                stage=d["stage"],
                title=d["title"].strip(),
                amount=d["amount"],
                currency=d["currency"],
                owner=by,
                company=company,
                contacts=contacts,
            )


def _contact_with_phone(*, by, name, company, phone) -> Contact:
    contact = Contact(name=name, company=company, owner=by)
    contact._history_user = by
    contact.save()
    if phone is not None:
        PhoneNumber.objects.create(
            contact=contact, raw=phone.raw, e164=phone.e164, extension=phone.extension
        )
    _match_keys("contact", contact, by)
    return contact


def _match_keys(kind, record, by) -> None:
    """Duplicate control keeps the matching keys of every new contact and company."""
    from voronka.dedupe.services import keys_refresh

    keys_refresh(kind, record, by=by)
