from django.contrib import admin

from zhichan.fairs.models import Fair


@admin.register(Fair)
class FairAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_at", "ends_at", "region", "workstation", "accept_hours", "decide_hours")
    list_filter = ("region",)
    search_fields = ("name", "venue", "organiser")
    filter_horizontal = ("staff",)
