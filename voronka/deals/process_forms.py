"""Forms of the process settings screens: they parse; the rules live in process_services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.deals.choices import (
    CriterionKind,
    Milestone,
    MilestoneDate,
    RequiredField,
    StageKind,
)
from voronka.deals.process_services import DOWN, UP


def _blank(choices):
    return [("", "—"), *choices]


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class PipelineEditForm(PipelineForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices, initial=StageKind.OPEN)
    probability = forms.IntegerField(
        label=_("Default probability, %"), min_value=0, max_value=100, initial=10
    )
    stale_after_days = forms.IntegerField(
        label=_("Stale after, days"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("A deal with no activity for this many days is flagged as stale."),
    )
    is_lead_stage = forms.BooleanField(label=_("Lead inbox"), required=False)


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CriterionKind.choices)
    label = forms.CharField(
        label=_("Question"),
        max_length=300,
        required=False,
        help_text=_("For a control question: the question itself."),
    )
    field = forms.ChoiceField(
        label=_("Field"), choices=_blank(RequiredField.choices), required=False
    )
    milestone = forms.ChoiceField(
        label=_("Milestone"), choices=_blank(Milestone.choices), required=False
    )
    milestone_date = forms.ChoiceField(
        label=_("Which date"),
        choices=MilestoneDate.choices,
        initial=MilestoneDate.PLANNED,
        required=False,
    )

    def criterion_data(self) -> dict:
        d = self.cleaned_data
        return {
            k: d.get(k) or "" for k in ("kind", "label", "field", "milestone", "milestone_date")
        }


class CriterionEditForm(CriterionForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class LostReasonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class LostReasonEditForm(LostReasonForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(UP, UP), (DOWN, DOWN)])


class ActiveForm(forms.Form):
    is_active = forms.BooleanField(required=False)


def add_process_error(form: forms.Form, err) -> None:
    """Show a ProcessError on its field when the form has it, else on the whole form."""
    field = err.field if err.field in form.fields else None
    form.add_error(field, err.message)
