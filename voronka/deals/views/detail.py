from django.urls import path

from voronka.web.stub import not_built

urlpatterns = [
    path("<int:pk>/", not_built, name="detail"),
]
