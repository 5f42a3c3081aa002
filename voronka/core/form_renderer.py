"""The form renderer: Django's templates, with the hottest few built in Python.

Django renders every ``<option>`` of a select through two template includes, every
``<input>`` through two or three, and every field group (label, help, errors, widget)
through two more templates; the filter forms of the list pages and the forms of the deal
page hold dozens of fields and selects of stages, owners, currencies and tags, and those
templates were a large share of their time. This renderer produces the same markup as
``django/forms/widgets/select.html``, the ``<input>`` widgets and their checkbox and radio
options, ``django/forms/label.html`` and ``django/forms/field.html`` (tested byte for byte
against them) in one Python pass, and leaves every other template, and any select whose
options use another template, to Django.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from voronka.core.html import esc

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
LABEL = "django/forms/label.html"
FIELD = "django/forms/field.html"
_WIDGETS = "django/forms/widgets/"
# the widgets whose template is nothing but an include of input.html
INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "search", "tel",
        "date", "datetime", "time", "color", "checkbox",
    )
)  # fmt: skip
INPUT_OPTIONS = frozenset(
    f"{_WIDGETS}{name}.html" for name in ("input_option", "checkbox_option", "radio_option")
)


def _esc(value) -> str:
    # as a template variable: text first, then escaped unless already safe
    return esc(value if isinstance(value, str) else str(value))


def _attrs(attrs: dict) -> str:
    """As ``django/forms/widgets/attrs.html``: False leaves the attribute out, True writes
    its bare name, anything else its escaped text."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {esc(name)}")
        else:
            out.append(f' {esc(name)}="{esc(str(value))}"')
    return "".join(out)


def render_select(widget: dict) -> str | None:
    """The markup of a select widget's context, or None when the templates must do it."""
    parts = [f'<select name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{esc(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None
            parts.append(
                f'\n  <option value="{esc(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{esc(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def render_input(widget: dict) -> str:
    """``django/forms/widgets/input.html``."""
    value = widget["value"]
    shown = "" if value is None else f' value="{esc(f"{value}")}"'
    return (
        f'<input type="{_esc(widget["type"])}" name="{_esc(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def render_input_option(widget: dict) -> str:
    """``django/forms/widgets/input_option.html``: the input, in its label when wrapped
    (the included input.html ends with a newline, which the label keeps)."""
    html = render_input(widget)
    if not widget.get("wrap_label"):
        return html
    target = widget["attrs"].get("id")
    label_for = f' for="{_esc(target)}"' if target else ""
    return f"<label{label_for}>{html}\n {_esc(widget['label'])}</label>"


def render_label(context: dict) -> str:
    label = _esc(context["label"])
    if not context.get("use_tag"):
        return label
    tag = _esc(context["tag"])
    return f"<{tag}{_attrs(context.get('attrs') or {})}>{label}</{tag}>"


def render_field(field) -> str:
    """``django/forms/field.html`` for one bound field, newlines included."""
    out = []
    if field.use_fieldset:
        out.append("\n  <fieldset")
        if field.aria_describedby:
            out.append(f' aria-describedby="{_esc(field.aria_describedby)}"')
        out.append(">\n  ")
        if field.label:
            out.append(_esc(field.legend_tag()))
    else:
        out.append("\n  ")
        if field.label:
            out.append(_esc(field.label_tag()))
    out.append("\n\n")
    if field.help_text:
        out.append('<div class="helptext"')
        if field.auto_id:
            out.append(f' id="{_esc(field.auto_id)}_helptext"')
        out.append(f">{field.help_text}</div>")  # the template marks help text safe
    out.append("\n")
    out.append(_esc(field.errors))
    out.append("\n")
    out.append(_esc(str(field)))
    if field.use_fieldset:
        out.append("</fieldset>")
    out.append("\n")
    return "".join(out)


class FastSelectRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and "widget" in context:
            html = render_select(context["widget"])
            if html is not None:
                return mark_safe(html.strip())
        elif template_name in INPUTS and "widget" in context:
            return mark_safe(render_input(context["widget"]))
        elif template_name in INPUT_OPTIONS and "widget" in context:
            return mark_safe(render_input_option(context["widget"]))
        elif template_name == LABEL and "label" in context:
            return mark_safe(render_label(context).strip())
        elif template_name == FIELD and "field" in context:
            return mark_safe(render_field(context["field"]).strip())
        # Django's renderer strips what its templates make; so do the paths above.
        return super().render(template_name, context, request=request)
