"""The Python-built <select> is the markup Django's templates make, byte for byte."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from voronka.core.form_renderer import FastSelectRenderer

CHOICES = [
    ("", "—"),
    ("a", "Alpha & <b>bold</b>"),
    ("Group \"x\"", [(1, "One"), (2, "Two <i>")]),
    (3, "Три"),
]


class Sample(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"data-x": 'q"uote', "disabled": True, "hidden": False}),
    )
    plain = forms.TypedChoiceField(choices=[(None, "none"), (0, "zero")], required=False)
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect, required=False)


@pytest.mark.parametrize(
    "data", [None, {"single": "a", "many": ["1", "3"], "plain": "0"}, {"single": "<x>"}]
)
def test_same_markup_as_the_templates(data):
    slow, fast = Sample(data=data, renderer=DjangoTemplates()), Sample(
        data=data, renderer=FastSelectRenderer()
    )
    for name in Sample.base_fields:
        assert str(fast[name]) == str(slow[name]), name
        assert fast[name].as_field_group() == slow[name].as_field_group(), name


def test_selected_and_escaped():
    html = str(Sample(data={"many": ["2"]}, renderer=FastSelectRenderer())["many"])
    assert '<option value="2" selected>Two &lt;i&gt;</option>' in html
    assert '<optgroup label="Group &quot;x&quot;">' in html
    assert 'data-x="q&quot;uote"' in html and " disabled" in html and "hidden" not in html
