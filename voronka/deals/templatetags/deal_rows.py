"""The rows of the deal list in one Python pass (the markup ``deals/list_table.html`` had
in a template loop; every value escaped by ``format_html``): a page of 50 rows through
the template engine was the largest part of the list page's time."""

import datetime as dt

from django import template
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from voronka.core.dates import compile_format
from voronka.deals.selectors import format_money

register = template.Library()


def local_date_formatter(format_name: str):
    """As the ``date:format_name`` filter on local time (empty for no value), with the
    format looked up and compiled once for a page of rows."""
    fmt = formats.get_format(format_name)
    fast = compile_format(fmt)

    def apply(value) -> str:
        if not value:
            return ""
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = timezone.localtime(value)
        return fast(value) if fast else dateformat.format(value, fmt)

    return apply


def row_html(deal, *, select_label: str, unassigned: str, short_date) -> str:
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
        amount=format_money(deal.amount, deal.currency),
        stage=deal.stage.name,
        owner=owner,
        next_step=short_date(deal.next_step_at),
        flags=flags,
        expected=short_date(deal.expected_close_date),
        created=short_date(deal.created_at),
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
    short_date = local_date_formatter("SHORT_DATE_FORMAT")
    return mark_safe(
        "".join(
            row_html(d, select_label=select_label, unassigned=unassigned, short_date=short_date)
            for d in rows
        )
    )
