from django.contrib import admin

from zhichan.training.models import Registration, TrainingEvent


class ReadOnly(admin.ModelAdmin):
    """Read-only: events and registrations change through the training pages and API
    (training/services.py), which check each rule and write the log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrainingEvent)
class TrainingEventAdmin(ReadOnly):
    list_display = ("title", "audience", "starts_at", "organiser", "region", "capacity", "status")
    list_filter = ("status", "audience", "region")
    search_fields = ("title", "venue")


@admin.register(Registration)
class RegistrationAdmin(ReadOnly):
    list_display = ("event", "user", "status", "position", "checked_in_at")
    list_filter = ("status",)
