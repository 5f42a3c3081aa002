from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "voronka.plans"
    label = "plans"
