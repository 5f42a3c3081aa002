from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from voronka.contacts.models import Company, Contact, EmailAddress, PhoneNumber


class PhoneInline(admin.TabularInline):
    model = PhoneNumber
    extra = 0
    fk_name = "contact"


class EmailInline(admin.TabularInline):
    model = EmailAddress
    extra = 0
    fk_name = "contact"


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ("name", "company", "lifecycle", "owner", "deleted_at")
    search_fields = ("name", "external_id")
    raw_id_fields = ("company", "owner")
    inlines = [PhoneInline, EmailInline]


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "inn", "lifecycle", "owner", "deleted_at")
    search_fields = ("name", "inn", "external_id")
    raw_id_fields = ("owner",)
