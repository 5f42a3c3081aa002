from django.urls import path

from voronka.web.stub import not_built

urlpatterns = [
    path("pipelines/", not_built, name="pipeline_settings"),
]
