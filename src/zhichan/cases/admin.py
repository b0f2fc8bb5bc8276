from django.contrib import admin

from zhichan.cases.models import Case, CaseEvent, Rating, RoutingRule


class CaseEventInline(admin.TabularInline):
    # The timeline is written by the services only.
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_state", "to_state", "note", "actor", "public")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "type", "status", "owner", "handler", "deadline", "created_at")
    list_filter = ("type", "status", "channel")
    search_fields = ("number", "subject", "requester_name")
    inlines = [CaseEventInline]
    # Cases change through the services (events, clocks); the admin only reads them.
    readonly_fields = [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Read-only: rules change through /cases/rules/ and the API (cases/services.py), which check
    them and record the change history."""

    list_display = ("case_type", "region", "ip_type", "service_item", "agency", "priority")
    list_filter = ("case_type", "ip_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("case", "level", "agency", "at")
    list_filter = ("level",)
    readonly_fields = ("case", "level", "comment", "agency", "at")
