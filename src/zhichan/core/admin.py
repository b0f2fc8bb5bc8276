from django.contrib import admin

from zhichan.core.models import WorkdayOverride
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
