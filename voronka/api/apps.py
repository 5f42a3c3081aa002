from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "voronka.api"
    label = "api"
