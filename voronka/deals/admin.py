from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from voronka.deals.models import (
    Deal,
    LostReason,
    Pipeline,
    SavedFilter,
    Stage,
    StageChange,
    StageCriterion,
    Tag,
)


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


class CriterionInline(admin.TabularInline):
    model = StageCriterion
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(SimpleHistoryAdmin):
    list_display = ("name", "order", "is_active")
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(SimpleHistoryAdmin):
    list_display = ("name", "pipeline", "order", "kind", "probability", "stale_after_days")
    list_filter = ("pipeline", "kind")
    inlines = [CriterionInline]


@admin.register(Deal)
class DealAdmin(SimpleHistoryAdmin):
    list_display = ("title", "amount", "currency", "stage", "owner", "created_at", "deleted_at")
    list_filter = ("pipeline", "stage", "owner")
    search_fields = ("title", "external_id")
    raw_id_fields = ("company", "contacts", "owner")
    readonly_fields = ("version",)

    def get_queryset(self, request):
        return Deal.all_objects.select_related("stage", "owner")


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("deal", "from_stage", "to_stage", "changed_at", "changed_by")
    raw_id_fields = ("deal",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(LostReason)
admin.site.register(Tag)
admin.site.register(SavedFilter)
