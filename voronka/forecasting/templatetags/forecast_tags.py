"""The learned win probability on the deal page (read from the latest stored run)."""

from django import template
from django.utils.translation import gettext as _

from voronka.forecasting.labels import factor_label
from voronka.forecasting.models import DealForecast

register = template.Library()


@register.simple_tag
def learned_probability(deal):
    """None for a closed deal or one the latest run has not scored yet."""
    if deal is None or deal.closed_at is not None:
        return None
    lp = DealForecast.objects.filter(deal_id=deal.pk).first()
    if lp is None:
        return None
    from voronka.forecasting.views import pct

    factors = []
    for name, contribution in lp.factors or []:
        if contribution is None:
            continue
        factors.append(
            {
                "label": factor_label(name),
                "up": contribution > 0,
                "sign": _("raises it") if contribution > 0 else _("lowers it"),
            }
        )
    return {"p": pct(lp.probability), "stage": pct(lp.stage_probability), "factors": factors}
