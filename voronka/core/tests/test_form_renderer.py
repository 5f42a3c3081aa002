"""The Python-built <select> is the markup Django's templates make, byte for byte."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from voronka.core.form_renderer import FastSelectRenderer

CHOICES = [
    ("", "—"),
    ("a", "Alpha & <b>bold</b>"),
    ('Group "x"', [(1, "One"), (2, "Two <i>")]),
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
    text = forms.CharField(max_length=5, help_text="Up to <b>5</b> letters", label="Text & more")
    when = forms.DateField(required=False, label="")
    flag = forms.BooleanField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    number = forms.DecimalField(
        required=False, widget=forms.NumberInput(attrs={"step": "0.01", "min": 0})
    )
    mail = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": "a&b"}))
    boxes = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"single": "a", "many": ["1", "3"], "plain": "0", "text": "ok", "flag": "on"},
        {"single": "<x>", "text": "far too long", "when": "31.02.2025", "radio": "zz"},
        {"text": 'q"<b>&', "number": "1e3", "mail": "x@y", "boxes": ["a", "2"], "radio": "r"},
    ],
)
def test_same_markup_as_the_templates(data):
    slow, fast = (
        Sample(data=data, renderer=DjangoTemplates()),
        Sample(data=data, renderer=FastSelectRenderer()),
    )
    for name in Sample.base_fields:
        assert str(fast[name]) == str(slow[name]), name
        assert fast[name].as_field_group() == slow[name].as_field_group(), name
        assert fast[name].label_tag() == slow[name].label_tag(), name
        for f_sub, s_sub in zip(fast[name].subwidgets, slow[name].subwidgets, strict=True):
            assert str(f_sub) == str(s_sub), name
            assert f_sub.tag() == s_sub.tag(), name
    assert fast.as_div() == slow.as_div()
    assert fast.as_p() == slow.as_p()


def test_selected_and_escaped():
    html = str(Sample(data={"many": ["2"]}, renderer=FastSelectRenderer())["many"])
    assert '<option value="2" selected>Two &lt;i&gt;</option>' in html
    assert '<optgroup label="Group &quot;x&quot;">' in html
    assert 'data-x="q&quot;uote"' in html and " disabled" in html and "hidden" not in html
