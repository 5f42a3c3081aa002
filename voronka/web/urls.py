from django.urls import path

from voronka.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
]

urlpatterns += [path("recycle-bin/", views.recycle_bin_stub, name="recycle_bin")]
