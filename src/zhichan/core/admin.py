from django.contrib import admin

from zhichan.core.models import AuditEntry, WorkdayOverride
from zhichan.core.workdays import forget_overrides


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_overrides()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_overrides()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The change history is written by the services only; here it is read."""

    list_display = ("at", "actor", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr",)
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
