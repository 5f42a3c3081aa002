from django.contrib import admin
from django.urls import include, path

from voronka.api.api import api

urlpatterns = [
    path("", include("voronka.web.urls")),
    path("accounts/", include("voronka.accounts.urls")),
    path("deals/", include("voronka.deals.urls")),
    path("contacts/", include("voronka.contacts.urls")),
    path("activities/", include("voronka.activities.urls")),
    path("forecast/", include("voronka.forecasting.urls")),
    path("plans/", include("voronka.plans.urls")),
    path("duplicates/", include("voronka.dedupe.urls")),
    path("import/", include("voronka.imports.urls")),
    path("api/", api.urls),
    path("export/", include("voronka.api.export_urls")),
    path("admin/", admin.site.urls),
]
