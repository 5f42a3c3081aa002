from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from voronka.plans.models import SalesPlan


@admin.register(SalesPlan)
class SalesPlanAdmin(SimpleHistoryAdmin):
    list_display = ("period", "team", "user", "amount", "currency", "deals")
    list_filter = ("kind", "year", "team")
