from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.dedupe import keystore, services


def _display(record, name) -> str:
    value = getattr(record, name)
    field = record._meta.get_field(name)
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


class MergeForm(forms.Form):
    """Which record survives, and for each field which record's value it keeps."""

    def __init__(self, *args, kind: str, records: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.records = records
        model = keystore.model_of(kind)
        by_pk = {str(r.pk): r for r in records}
        oldest = min(records, key=lambda r: (r.created_at, r.pk))
        self.fields["survivor"] = forms.ChoiceField(
            label=_("Record that stays"),
            choices=[(str(r.pk), f"#{r.pk} {r}") for r in records],
            initial=str(oldest.pk),
            widget=forms.RadioSelect,
            help_text=_("Its address stays; the others go to the recycle bin."),
        )
        defaults = services.default_values(kind, records)
        self.rows = []
        for name in services.merge_fields(kind):
            field = model._meta.get_field(name)
            choices, seen = [], set()
            for r in records:
                v = services._value(r, name)
                if v in seen:
                    continue
                seen.add(v)
                choices.append((str(r.pk), f"{_display(r, name)}  (#{r.pk})"))
            initial = next(
                (str(r.pk) for r in records if services._value(r, name) == defaults[name]),
                choices[0][0],
            )
            key = f"f_{name}"
            self.fields[key] = forms.ChoiceField(
                label=field.verbose_name, choices=choices, initial=initial,
                widget=forms.RadioSelect, required=True,
            )  # fmt: skip
            self.rows.append((key, len(choices) > 1))
        self._by_pk = by_pk

    def field_rows(self):
        """(bound field, whether the records disagree) per field, in order."""
        return [(self[key], differs) for key, differs in self.rows]

    def survivor(self):
        return self._by_pk[self.cleaned_data["survivor"]]

    def others(self):
        s = self.survivor()
        return [r for r in self.records if r.pk != s.pk]

    def values(self) -> dict:
        return {
            name: services._value(self._by_pk[self.cleaned_data[f"f_{name}"]], name)
            for name in services.merge_fields(self.kind)
        }


class IntakePolicyForm(forms.Form):
    """One choice per source of incoming records, and why it changes (kept in the log)."""

    note = forms.CharField(
        label=_("Why (kept in the log)"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, *args, policies, disabled=False, **kwargs):
        from voronka.dedupe.models import IntakePolicy

        super().__init__(*args, **kwargs)
        self.policies = policies
        self.sources = []
        for policy in policies:
            name = f"source_{policy.source}"
            self.fields[name] = forms.ChoiceField(
                label=policy.get_source_display(), choices=IntakePolicy.ACTIONS,
                initial=policy.action, widget=forms.RadioSelect, disabled=disabled,
            )  # fmt: skip
            self.sources.append((policy, name))
        self.fields["note"].disabled = disabled
        self.order_fields([n for _p, n in self.sources] + ["note"])

    def rows(self):
        return [(policy, self[name]) for policy, name in self.sources]

    def changes(self) -> list[tuple[str, str]]:
        return [
            (policy.source, self.cleaned_data[name])
            for policy, name in self.sources
            if self.cleaned_data[name] != policy.action
        ]
