from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhichan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # django.contrib.admin comes first in INSTALLED_APPS: every ModelAdmin is registered by now.
        from django.contrib import admin

        from zhichan.core import tasklog
        from zhichan.core.admin_audit import audit_admin_site

        audit_admin_site(admin.site)
        tasklog.connect()
