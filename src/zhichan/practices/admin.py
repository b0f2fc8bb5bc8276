from django.contrib import admin

from zhichan.practices.models import Practice


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    """Read-only: practices change through their pages (practices/services.py), which check each
    rule and write the log."""

    list_display = ("title", "category", "county", "status", "published_at")
    list_filter = ("status", "category", "county")
    search_fields = ("title", "summary")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
