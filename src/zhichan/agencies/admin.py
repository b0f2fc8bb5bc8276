from django.contrib import admin

from zhichan.agencies.models import Agency, AgencyEvent, AgencyFunction


class AgencyFunctionInline(admin.TabularInline):
    model = AgencyFunction
    extra = 0


class AgencyEventInline(admin.TabularInline):
    # The history is written by the services only.
    model = AgencyEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_state", "to_state", "note", "actor", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "type", "region", "status", "status_changed_at")
    list_filter = ("level", "type", "status")
    search_fields = ("name", "name_en", "address")
    autocomplete_fields = ("parent",)
    filter_horizontal = ("services",)
    readonly_fields = ("status_changed_at", "created_at", "updated_at")
    inlines = [AgencyFunctionInline, AgencyEventInline]


@admin.register(AgencyEvent)
class AgencyEventAdmin(admin.ModelAdmin):
    list_display = ("agency", "kind", "from_state", "to_state", "actor", "at")
    list_filter = ("kind",)
    readonly_fields = ("agency", "kind", "from_state", "to_state", "note", "actor", "at", "data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
