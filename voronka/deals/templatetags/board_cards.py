"""A board card as one Python call instead of a template include per card.

A column page holds up to ``VORONKA_BOARD_PAGE_SIZE`` cards and the board several columns;
rendering each card through ``{% include %}`` was most of the board's time. The markup is
the one ``deals/board_card.html`` had; every value goes through ``esc`` (escaped unless
already safe markup).
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from voronka.core.html import esc, url_pattern
from voronka.deals.templatetags.deal_rows import local_date_formatter

register = template.Library()


def _csrf_input(context) -> str:
    token = context.get("csrf_token")
    if not token or str(token) == "NOTPROVIDED":  # as {% csrf_token %}: nothing then
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(token)}">'


class CardMaker:
    """What every card of a page shares (labels in the current language, URL patterns, the
    date format, the CSRF field), worked out once; ``card(d)`` then builds one card."""

    def __init__(self, *, board_url: str, csrf_input: str):
        self.board_url = esc(board_url or "")
        self.csrf = csrf_input
        self.move_url = url_pattern(lambda pk: reverse("deals:move", args=[pk]))
        self.detail_url = url_pattern(lambda pk: reverse("deals:detail", args=[pk]))
        self.short_datetime = local_date_formatter("SHORT_DATETIME_FORMAT")
        self.no_owner = esc(gettext("No owner"))
        self.next_label = esc(gettext("Next step:"))
        self.move_to = esc(gettext("Move to…"))
        self.move_label = esc(gettext("Move"))
        self.flag_no_next = f'<span class="flag flag-no-next">{esc(gettext("no next step"))}</span>'
        self.flag_overdue = (
            f'<span class="flag flag-overdue">{esc(gettext("next step overdue"))}</span>'
        )
        self.flag_stale = f'<span class="flag flag-stale">{esc(gettext("stale"))}</span>'

    def card(self, d) -> str:
        pk = esc(d.pk)
        move = esc(f"{self.move_url[0]}{d.pk}{self.move_url[1]}")
        detail = esc(f"{self.detail_url[0]}{d.pk}{self.detail_url[1]}")
        company = (
            f'\n  <div class="deal-company">{esc(d.company.name)}</div>'
            if d.company_id and d.company
            else ""
        )
        owner = esc(d.owner) if d.owner_id and d.owner else self.no_owner
        if d.next_step_at:
            local = timezone.localtime(d.next_step_at)
            shown = esc(self.short_datetime(local))
            next_step = f'<time datetime="{esc(local.isoformat())}">{shown}</time>'
        else:
            next_step = "—"
        flags = ""
        if d.flag_no_next or d.flag_overdue or d.flag_stale:
            parts = (
                (self.flag_no_next if d.flag_no_next else "")
                + (self.flag_overdue if d.flag_overdue else "")
                + (self.flag_stale if d.flag_stale else "")
            )
            flags = f'\n  <div class="deal-flags">{parts}</div>'
        stage = esc(d.stage_id)
        version = esc(d.version)
        return (
            f'<li class="deal-card" id="deal-card-{pk}" draggable="true" data-deal-id="{pk}" '
            f'data-stage-id="{stage}" data-version="{version}">\n'
            f'  <a class="deal-title" href="{detail}">{esc(d.title)}</a>{company}\n'
            f'  <div class="deal-meta"><span class="num deal-amount">{esc(d.amount_display)}'
            f'</span> · <span class="deal-owner">{owner}</span></div>\n'
            f'  <div class="deal-next">{self.next_label} {next_step}</div>{flags}\n'
            f'  <form class="move-form" method="post" action="{move}" hx-post="{move}" '
            'hx-target="#move-panel" hx-swap="innerHTML">\n'
            f"    {self.csrf}\n"
            f'    <input type="hidden" name="version" value="{version}">\n'
            '    <input type="hidden" name="context" value="board">\n'
            f'    <input type="hidden" name="next" value="{self.board_url}">\n'
            f'    <label class="sr-only" for="move-{pk}">{self.move_to}</label>\n'
            f'    <select id="move-{pk}" name="stage" data-current="{stage}">'
            f"{esc(d.move_options)}</select>\n"
            f'    <button type="submit">{self.move_label}</button>\n'
            "  </form>\n"
            "</li>"
        )


def _maker(context) -> CardMaker:
    return CardMaker(board_url=context.get("board_url", ""), csrf_input=_csrf_input(context))


@register.simple_tag(takes_context=True)
def board_card(context, d):
    return mark_safe(_maker(context).card(d))


@register.simple_tag(takes_context=True)
def board_card_list(context, deals):
    maker = _maker(context)
    return mark_safe("".join(maker.card(d) for d in deals))
