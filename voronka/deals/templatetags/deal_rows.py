"""The rows of the deal list in one Python pass (the markup ``deals/list_table.html`` had
in a template loop; every value escaped by ``format_html``): a page of 50 rows through
the template engine was the largest part of the list page's time."""

from django import template
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _short_date(value, fmt: str) -> str:
    """As the ``date:"SHORT_DATE_FORMAT"`` filter, with the format looked up once a page."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return dateformat.format(value, fmt)


def row_html(deal, *, select_label: str, unassigned: str, date_fmt: str) -> str:
    tags = format_html_join("", '<span class="tag">{}</span>', ((t.name,) for t in deal.tags.all()))
    flags = format_html_join("", '<span class="flag {}">{}</span>', deal.flags)
    owner = (
        conditional_escape(str(deal.owner))
        if deal.owner_id and deal.owner
        else format_html('<span class="muted">{}</span>', unassigned)
    )
    return format_html(
        '\n      <tr data-deal="{pk}">\n'
        '        <td><input type="checkbox" name="ids" value="{pk}" aria-label="{select}"></td>\n'
        '        <td class="deal-title"><a href="{url}">{title}</a>\n'
        "          {tags}\n"
        "        </td>\n"
        "        <td>{company}</td>\n"
        '        <td class="num deal-amount">{amount}</td>\n'
        "        <td>{stage}</td>\n"
        "        <td>{owner}</td>\n"
        "        <td>{next_step}\n"
        "          {flags}\n"
        "        </td>\n"
        "        <td>{expected}</td>\n"
        "        <td>{created}</td>\n"
        "      </tr>",
        pk=deal.pk,
        select=select_label % {"title": deal.title},
        url=reverse("deals:detail", args=[deal.pk]),
        title=deal.title,
        tags=tags,
        company=(deal.company.name if deal.company_id and deal.company else "") or "",
        amount=deal.amount_text,
        stage=deal.stage.name,
        owner=owner,
        next_step=_short_date(deal.next_step_at, date_fmt),
        flags=flags,
        expected=_short_date(deal.expected_close_date, date_fmt),
        created=_short_date(deal.created_at, date_fmt),
    )


@register.simple_tag
def deal_list_rows(rows):
    if not rows:
        return format_html(
            '\n      <tr><td colspan="9" class="muted">{}</td></tr>',
            gettext("No deals match these filters."),
        )
    select_label = gettext("Select %(title)s")
    unassigned = gettext("unassigned")
    date_fmt = formats.get_format("SHORT_DATE_FORMAT")
    return mark_safe(
        "".join(
            row_html(d, select_label=select_label, unassigned=unassigned, date_fmt=date_fmt)
            for d in rows
        )
    )
