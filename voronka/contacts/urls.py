from django.urls import path

from voronka.web.stub import not_built

app_name = "contacts"

urlpatterns = [
    path("", not_built, name="contact_list"),
    path("<int:pk>/", not_built, name="contact_detail"),
    path("companies/", not_built, name="company_list"),
    path("companies/<int:pk>/", not_built, name="company_detail"),
]
