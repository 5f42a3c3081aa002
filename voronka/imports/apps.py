from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "voronka.imports"
    label = "imports"
