from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from zhichan.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "agency", "region", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("enterprise",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Role"),
            {"fields": ("role", "agency", "region", "display_name", "phone", "organisation", "enterprise")},
        ),
    )
