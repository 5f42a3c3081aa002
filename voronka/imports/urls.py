from django.urls import path

from voronka.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/revert/", views.revert, name="revert"),
]
