"""The rows of the deal list in one Python pass (the markup ``deals/list_table.html`` had
in a template loop; every value goes through ``esc``, escaped unless already safe markup):
a page of 50 rows through the template engine was the largest part of the list page's
time."""

import datetime as dt

from django import template
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from voronka.core.dates import compile_format
from voronka.core.html import esc, url_pattern
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


class RowMaker:
    """What every row of a page shares (labels, the detail URL pattern, the date format),
    worked out once; ``row(deal)`` then builds one row."""

    def __init__(self):
        self.select_label = gettext("Select %(title)s")
        self.unassigned = f'<span class="muted">{esc(gettext("unassigned"))}</span>'
        self.detail_url = url_pattern(lambda pk: reverse("deals:detail", args=[pk]))
        self.short_date = local_date_formatter("SHORT_DATE_FORMAT")

    def row(self, deal) -> str:
        pk = esc(deal.pk)
        tags = "".join(f'<span class="tag">{esc(t.name)}</span>' for t in deal.tags.all())
        flags = "".join(
            f'<span class="flag {esc(c)}">{esc(label)}</span>' for c, label in deal.flags
        )
        owner = esc(deal.owner) if deal.owner_id and deal.owner else self.unassigned
        company = (deal.company.name if deal.company_id and deal.company else "") or ""
        url = esc(f"{self.detail_url[0]}{deal.pk}{self.detail_url[1]}")
        short_date = self.short_date
        amount = esc(format_money(deal.amount, deal.currency))
        return (
            f'\n      <tr data-deal="{pk}">\n'
            f'        <td><input type="checkbox" name="ids" value="{pk}" '
            f'aria-label="{esc(self.select_label % {"title": deal.title})}"></td>\n'
            f'        <td class="deal-title"><a href="{url}">{esc(deal.title)}</a>\n'
            f"          {tags}\n"
            "        </td>\n"
            f"        <td>{esc(company)}</td>\n"
            f'        <td class="num deal-amount">{amount}</td>\n'
            f"        <td>{esc(deal.stage.name)}</td>\n"
            f"        <td>{owner}</td>\n"
            f"        <td>{esc(short_date(deal.next_step_at))}\n"
            f"          {flags}\n"
            "        </td>\n"
            f"        <td>{esc(short_date(deal.expected_close_date))}</td>\n"
            f"        <td>{esc(short_date(deal.created_at))}</td>\n"
            "      </tr>"
        )


@register.simple_tag
def deal_list_rows(rows):
    if not rows:
        return format_html(
            '\n      <tr><td colspan="9" class="muted">{}</td></tr>',
            gettext("No deals match these filters."),
        )
    maker = RowMaker()
    return mark_safe("".join(maker.row(d) for d in rows))


@register.filter
def money(amount, currency):
    """``{{ deal.amount|money:deal.currency }}``: the amount in the user's locale."""
    return format_money(amount, currency)
