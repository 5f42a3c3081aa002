from django.urls import path

from voronka.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.grid, name="grid"),
    path("cell/", views.cell, name="cell"),
]
