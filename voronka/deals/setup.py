from django.conf import settings
from django.db import transaction

from voronka.deals.defaults import create_default_pipeline
from voronka.deals.models import LostReason, Pipeline, Stage, StageCriterion


@transaction.atomic
def ensure_default_pipeline() -> Pipeline:
    """The first pipeline; the default one of the specification is created if none exists."""
    first = Pipeline.objects.order_by("order", "pk").first()
    if first is not None:
        return first
    return create_default_pipeline(
        Pipeline, Stage, StageCriterion, LostReason, settings.LANGUAGE_CODE
    )
