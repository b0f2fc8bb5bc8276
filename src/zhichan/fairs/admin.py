from django.contrib import admin

from zhichan.fairs.models import Fair


@admin.register(Fair)
class FairAdmin(admin.ModelAdmin):
    """Read-only: fairs change through the fair pages and API (fairs/services.py), which check
    each field and record the change history."""

    list_display = ("name", "starts_at", "ends_at", "region", "workstation", "accept_hours", "decide_hours")
    list_filter = ("region",)
    search_fields = ("name", "venue", "organiser")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
