from django.contrib import admin

from zhichan.enterprises.models import Enterprise
from zhichan.enterprises.names import normalize_name


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "industry")
    list_filter = ("region",)
    search_fields = ("name", "normalized_name", "uscc")
    readonly_fields = ("normalized_name",)

    def save_model(self, request, obj, form, change):
        obj.normalized_name = normalize_name(obj.name)  # what applicants are matched on
        super().save_model(request, obj, form, change)
