from django.urls import path

from voronka.activities import views

app_name = "activities"

urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("new/", views.create, name="create"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("files/<int:pk>/", views.attachment_download, name="attachment_download"),
]
