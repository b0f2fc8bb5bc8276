from django.contrib import admin

from zhichan.catalog.models import GuideVersion, ServiceItem, ServiceItemEvent


class GuideVersionInline(admin.TabularInline):
    """Versions are written by publishing; the admin only shows them."""

    model = GuideVersion
    fk_name = "item"
    fields = ("number", "status", "time_limit_days", "change_note", "published_at", "edited_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ServiceItemEventInline(admin.TabularInline):
    model = ServiceItemEvent
    fields = ("at", "actor", "kind", "from_state", "to_state", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "owner_region", "published", "current")
    list_filter = ("category", "published")
    search_fields = ("code", "name", "name_en")
    # The guide is versioned: it changes only through the draft and publishing.
    readonly_fields = ("code", "published", "current", "owner_region")
    fields = (
        "code",
        "name",
        "name_en",
        "category",
        "summary",
        "owner_region",
        "sort",
        "published",
        "current",
    )
    inlines = [GuideVersionInline, ServiceItemEventInline]

    def has_add_permission(self, request):
        return False
