from django.contrib import admin

from zhichan.surveys.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Read-only: surveys change through the survey pages (surveys/services.py), which check
    each rule and write the log. Answers are not shown here at all."""

    list_display = ("title", "region", "audience", "opens_on", "closes_on", "status")
    list_filter = ("status", "audience")
    search_fields = ("title",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
