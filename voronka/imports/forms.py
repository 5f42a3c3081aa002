from django import forms
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from voronka.deals.models import Pipeline
from voronka.imports import parsing
from voronka.imports.models import ImportJob


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportJob.KINDS)
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    stage_changes = forms.FileField(
        label=_("Stage changes of the deals (optional)"),
        required=False,
        help_text=_("A second file: deal key, from stage, to stage, when."),
    )
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(is_active=True)


MULTI_HELP = gettext_noop("Several columns can be chosen (Ctrl or ⌘ + click).")


class MappingForm(forms.Form):
    """A select per Voronka field (which column feeds it) and, for deals, per source stage
    (which stage of the pipeline it becomes)."""

    def __init__(self, *args, job: ImportJob, stage_values=(), stage_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        columns = [("", "—")] + [(h, h) for h in job.headers]
        fields = job.mapping.get("fields", {})
        for spec in parsing.FIELDS[job.kind]:
            if spec.type in parsing.MULTI_COLUMN_TYPES:
                # phones and e-mails may come from several columns
                self.fields[f"f_{spec.name}"] = forms.MultipleChoiceField(
                    label=spec.name,
                    help_text=gettext(spec.help) + " " + gettext(MULTI_HELP),
                    choices=columns[1:],
                    required=False,
                    initial=parsing.mapped_columns(fields.get(spec.name)),
                    widget=forms.SelectMultiple(attrs={"size": min(4, len(columns) - 1)}),
                )
                continue
            self.fields[f"f_{spec.name}"] = forms.ChoiceField(
                label=spec.name,
                help_text=gettext(spec.help),
                choices=columns,
                # a field made of parts is checked in clean(): its column or a part's
                required=spec.required and not spec.parts,
                initial=fields.get(spec.name, ""),
            )
        self.stage_values = list(stage_values)
        stage_choices = [("", _("same name"))] + [(n, n) for n in stage_names]
        saved = job.mapping.get("stages", {})
        for i, value in enumerate(self.stage_values):
            self.fields[f"s_{i}"] = forms.ChoiceField(
                label=value, choices=stage_choices, required=False, initial=saved.get(value, "")
            )

    def clean(self):
        data = super().clean()
        for spec in parsing.FIELDS[self.job.kind]:
            if spec.required and spec.parts and not data.get(f"f_{spec.name}"):
                if not any(data.get(f"f_{p}") for p in spec.parts):
                    self.add_error(
                        f"f_{spec.name}",
                        _("Choose the column of the full name, or the columns of its parts."),
                    )
        return data

    def field_rows(self):
        return [self[f"f_{spec.name}"] for spec in parsing.FIELDS[self.job.kind]]

    def stage_rows(self):
        return [self[f"s_{i}"] for i in range(len(self.stage_values))]

    def mapping(self):
        fields = {}
        for spec in parsing.FIELDS[self.job.kind]:
            value = self.cleaned_data.get(f"f_{spec.name}") or ""
            if isinstance(value, list):  # one column is kept as a name, several as a list
                value = value[0] if len(value) == 1 else value
            fields[spec.name] = value
        stages = {
            value: self.cleaned_data.get(f"s_{i}") or ""
            for i, value in enumerate(self.stage_values)
        }
        return fields, stages


class StartForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=_("Skip the rows with errors and import the rest"), required=False
    )
