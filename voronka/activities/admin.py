from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from voronka.activities.models import Activity, Attachment, Note


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "kind", "due_at", "done", "owner")
    list_filter = ("kind", "done")
    raw_id_fields = ("deal", "contact", "company", "owner")


@admin.register(Note)
class NoteAdmin(SimpleHistoryAdmin):
    raw_id_fields = ("deal", "contact", "company", "author")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "size", "uploaded_by", "created_at")
    raw_id_fields = ("deal", "contact", "company", "uploaded_by")
