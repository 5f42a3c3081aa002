from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from voronka.accounts.models import Team, User


@admin.register(User)
class VoronkaUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Voronka", {"fields": ("role", "team", "language")}))
    list_display = ("username", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")


admin.site.register(Team)
