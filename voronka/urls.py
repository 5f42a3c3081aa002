from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("voronka.web.urls")),
    path("accounts/", include("voronka.accounts.urls")),
    path("deals/", include("voronka.deals.urls")),
    path("contacts/", include("voronka.contacts.urls")),
    path("activities/", include("voronka.activities.urls")),
    path("admin/", admin.site.urls),
]
