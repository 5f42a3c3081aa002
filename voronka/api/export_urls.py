from django.urls import path

from voronka.api import export

app_name = "export"

urlpatterns = [
    path("deals/", export.export_deals, name="deals"),
    path("contacts/", export.export_contacts, name="contacts"),
    path("companies/", export.export_companies, name="companies"),
    path("activities/", export.export_activities, name="activities"),
]
