from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "voronka.forecasting"
    label = "forecasting"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from voronka.activities.models import Activity
        from voronka.deals.models import Deal, DealAnswer, StageChange
        from voronka.forecasting.signals import deal_changed

        # what the forecast reads: deals, their stage moves, activities and answers
        for model in (Deal, StageChange, Activity, DealAnswer):
            post_save.connect(deal_changed, sender=model, dispatch_uid=f"forecast-{model.__name__}")
            post_delete.connect(
                deal_changed, sender=model, dispatch_uid=f"forecast-del-{model.__name__}"
            )
