from django.apps import AppConfig


class DedupeConfig(AppConfig):
    name = "voronka.dedupe"
    label = "dedupe"
