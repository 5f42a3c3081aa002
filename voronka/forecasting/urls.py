from django.urls import path

from voronka.forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("", views.page, name="page"),
    path("refresh/", views.refresh, name="refresh"),
]
