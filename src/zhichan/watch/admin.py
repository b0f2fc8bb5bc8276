from django.contrib import admin

from zhichan.watch.models import Alert, WatchItem, WatchList


class WatchItemInline(admin.TabularInline):
    model = WatchItem
    extra = 0
    raw_id_fields = ("patent",)


@admin.register(WatchList)
class WatchListAdmin(admin.ModelAdmin):
    list_display = ("name", "enterprise", "agency", "digest")
    raw_id_fields = ("enterprise", "agency", "created_by")
    inlines = [WatchItemInline]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("summary", "kind", "watch_list", "created_at", "read_at", "digested_at")
    list_filter = ("kind",)
    raw_id_fields = ("watch_list", "item", "patent", "trademark")

    def has_add_permission(self, request):
        return False  # alerts are raised by the scan
