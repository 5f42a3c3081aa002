from django.urls import path

from voronka.dedupe import views

app_name = "dedupe"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("check/contact/", views.check_contact, name="check_contact"),
    path("check/company/", views.check_company, name="check_company"),
    path("dismiss/", views.dismiss, name="dismiss"),
    path("scan/", views.scan, name="scan"),
    path("merge/", views.merge, name="merge"),
    path("undo/", views.undo, name="undo"),
    path("intake/", views.intake_policy, name="intake_policy"),
]
