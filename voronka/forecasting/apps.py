from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "voronka.forecasting"
    label = "forecasting"
