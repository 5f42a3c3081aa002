from django.urls import path

from voronka.web.stub import not_built

urlpatterns = [
    path("", not_built, name="list"),
    path("quick-add/", not_built, name="quick_add"),
]
