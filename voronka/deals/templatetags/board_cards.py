"""A board card as one Python call instead of a template include per card.

A column page holds up to ``VORONKA_BOARD_PAGE_SIZE`` cards and the board several columns;
rendering each card through ``{% include %}`` was most of the board's time. The markup is
the one ``deals/board_card.html`` had; every value is escaped by ``format_html``.
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from voronka.deals.templatetags.deal_rows import local_date_formatter

register = template.Library()


def _move_url(pk) -> str:
    return reverse("deals:move", args=[pk])


def _detail_url(pk) -> str:
    return reverse("deals:detail", args=[pk])


def _csrf_input(context) -> str:
    token = context.get("csrf_token")
    if not token or str(token) == "NOTPROVIDED":  # as {% csrf_token %}: nothing then
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def card_html(d, *, board_url: str, csrf_input: str, short_datetime=None) -> str:
    move_url = _move_url(d.pk)
    company = (
        format_html('\n  <div class="deal-company">{}</div>', d.company.name)
        if d.company_id and d.company
        else ""
    )
    owner = str(d.owner) if d.owner_id and d.owner else gettext("No owner")
    if d.next_step_at:
        local = timezone.localtime(d.next_step_at)
        short_datetime = short_datetime or local_date_formatter("SHORT_DATETIME_FORMAT")
        next_step = format_html(
            '<time datetime="{}">{}</time>', local.isoformat(), short_datetime(local)
        )
    else:
        next_step = "—"
    flags = ""
    if d.flag_no_next or d.flag_overdue or d.flag_stale:
        parts = []
        if d.flag_no_next:
            parts.append(
                format_html('<span class="flag flag-no-next">{}</span>', gettext("no next step"))
            )
        if d.flag_overdue:
            parts.append(
                format_html(
                    '<span class="flag flag-overdue">{}</span>', gettext("next step overdue")
                )
            )
        if d.flag_stale:
            parts.append(format_html('<span class="flag flag-stale">{}</span>', gettext("stale")))
        flags = format_html('\n  <div class="deal-flags">{}</div>', mark_safe("".join(parts)))
    return format_html(
        '<li class="deal-card" id="deal-card-{pk}" draggable="true" data-deal-id="{pk}" '
        'data-stage-id="{stage}" data-version="{version}">\n'
        '  <a class="deal-title" href="{detail}">{title}</a>{company}\n'
        '  <div class="deal-meta"><span class="num deal-amount">{amount}</span> · '
        '<span class="deal-owner">{owner}</span></div>\n'
        '  <div class="deal-next">{next_label} {next_step}</div>{flags}\n'
        '  <form class="move-form" method="post" action="{move}" hx-post="{move}" '
        'hx-target="#move-panel" hx-swap="innerHTML">\n'
        "    {csrf}\n"
        '    <input type="hidden" name="version" value="{version}">\n'
        '    <input type="hidden" name="context" value="board">\n'
        '    <input type="hidden" name="next" value="{board_url}">\n'
        '    <label class="sr-only" for="move-{pk}">{move_to}</label>\n'
        '    <select id="move-{pk}" name="stage" data-current="{stage}">{options}</select>\n'
        '    <button type="submit">{move_label}</button>\n'
        "  </form>\n"
        "</li>",
        pk=d.pk,
        stage=d.stage_id,
        version=d.version,
        detail=_detail_url(d.pk),
        title=d.title,
        company=company,
        amount=d.amount_display,
        owner=owner,
        next_label=gettext("Next step:"),
        next_step=next_step,
        flags=flags,
        move=move_url,
        csrf=mark_safe(csrf_input),
        board_url=board_url or "",
        move_to=gettext("Move to…"),
        options=d.move_options,
        move_label=gettext("Move"),
    )


@register.simple_tag(takes_context=True)
def board_card(context, d):
    return card_html(d, board_url=context.get("board_url", ""), csrf_input=_csrf_input(context))


@register.simple_tag(takes_context=True)
def board_card_list(context, deals):
    csrf = _csrf_input(context)
    url = context.get("board_url", "")
    fmt = local_date_formatter("SHORT_DATETIME_FORMAT")
    return mark_safe(
        "".join(card_html(d, board_url=url, csrf_input=csrf, short_datetime=fmt) for d in deals)
    )
