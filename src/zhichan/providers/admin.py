from django.contrib import admin

from zhichan.providers.models import Offer, ProviderApplication


class ReadOnlyAdmin(admin.ModelAdmin):
    """Applications and offers change only through the services (events, agency, account)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProviderApplication)
class ProviderApplicationAdmin(ReadOnlyAdmin):
    list_display = ("name", "type", "region", "uscc", "status", "created_at", "decided_at")
    list_filter = ("status", "type")
    search_fields = ("name", "uscc", "email")


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("item", "price", "capacity_note", "updated_at")
    search_fields = ("item__name", "item__code")
