from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import User
from voronka.activities.choices import ActivityKind
from voronka.activities.models import Activity


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class CompleteForm(forms.Form):
    result = forms.CharField(
        label=_("Result"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RescheduleForm(forms.Form):
    due_at = forms.DateTimeField(label=_("New date and time"), widget=DateTimeLocalInput())


class TaskForm(forms.Form):
    """A new activity for the user themself."""

    subject = forms.CharField(label=_("Subject"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial="task")
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DateTimeLocalInput())

    def clean_subject(self):
        subject = self.cleaned_data["subject"].strip()
        if not subject:
            raise forms.ValidationError(_("This field is required."), code="required")
        return subject


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "subject", "due_at", "done", "result"]
        widgets = {"due_at": DateTimeLocalInput(), "result": forms.Textarea(attrs={"rows": 3})}


class DayMemberForm(forms.Form):
    """Which team member's day a head of sales looks at."""

    user = forms.ModelChoiceField(
        label=_("Whose day"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.visible_to(viewer).filter(is_active=True)
        self.viewer = viewer

    def member(self):
        if self.viewer.is_rep or not self.is_valid():
            return self.viewer
        return self.cleaned_data["user"] or self.viewer
