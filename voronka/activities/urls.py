from django.urls import path

from voronka.web.stub import not_built

app_name = "activities"

urlpatterns = [
    path("my-day/", not_built, name="my_day"),
]
