from django.urls import path

from voronka.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("recycle-bin/restore/", views.restore, name="restore"),
]
