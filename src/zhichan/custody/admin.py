from django.contrib import admin

from zhichan.custody.models import Custody, CustodyAction, CustodyEvent


class ActionInline(admin.TabularInline):
    model = CustodyAction
    extra = 0
    fields = ("right_key", "deadline_key", "due", "action", "done_on", "actor", "note")
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = CustodyEvent
    extra = 0
    fields = ("at", "actor", "kind", "from_state", "to_state", "note")
    readonly_fields = fields
    can_delete = False


@admin.register(Custody)
class CustodyAdmin(admin.ModelAdmin):
    # Read-only here: changes go through the custody pages, which validate and record events.
    list_display = ("enterprise", "agency", "starts_on", "ends_on", "status")
    list_filter = ("status",)
    search_fields = ("enterprise__name", "agency__name")
    fields = ("agency", "enterprise", "starts_on", "ends_on", "status", "note", "created_by")
    readonly_fields = fields
    inlines = [ActionInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
