from django import template

from voronka.dedupe import selectors

register = template.Library()


@register.inclusion_tag("dedupe/_timeline.html", takes_context=True)
def dedupe_timeline(context, kind, record):
    """Merges and duplicate warnings of a record, on its detail page."""
    user = context["request"].user
    return {"dedupe_events": selectors.timeline(user, kind, record), "request": context["request"]}
