"""Every save and delete made through the Django admin goes into the change history.

The admin's own LogEntry keeps a message; this writes core.AuditEntry with the values
before and after (core.audit.record_change), like the services do. `audit_admin_site`
(called from CoreConfig.ready, after the admin has discovered every ModelAdmin) puts
AuditedAdminMixin in front of each registered ModelAdmin.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.db import transaction

from zhichan.core.audit import record_change, snapshot
from zhichan.core.models import AuditAction

_PENDING = "_zhichan_audit_pending"


class AuditedAdminMixin:
    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk is not None:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(old) if old is not None else None
        super().save_model(request, obj, form, change)
        setattr(request, _PENDING, (obj, before, change))

    def save_related(self, request, form, formsets, change):
        # After the many-to-many fields are saved, so that they are in the "after" snapshot.
        super().save_related(request, form, formsets, change)
        pending = getattr(request, _PENDING, None)
        if pending is not None:
            obj, before, was_change = pending
            delattr(request, _PENDING)
            action = AuditAction.UPDATE if was_change else AuditAction.CREATE
            record_change(request.user, obj, action, before)

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_change(request.user, obj, AuditAction.DELETE)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record_change(request.user, obj, AuditAction.DELETE)
            super().delete_queryset(request, queryset)


class AuditedPasswordMixin:
    """The user admin's "change password" form: recorded as a change of the hidden password."""

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        before = snapshot(user) if user is not None else None
        response = super().user_change_password(request, id, form_url)
        if before is not None and request.method == "POST":
            user.refresh_from_db()
            record_change(request.user, user, AuditAction.UPDATE, before)
        return response


def audit_admin_site(site) -> None:
    from zhichan.core.models import AuditEntry

    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if model is AuditEntry or isinstance(model_admin, AuditedAdminMixin):
            continue
        bases = (AuditedAdminMixin, cls)
        if hasattr(cls, "user_change_password"):
            bases = (AuditedPasswordMixin, *bases)
        audited = type(f"Audited{cls.__name__}", bases, {"__module__": cls.__module__})
        site._registry[model] = audited(model, site)
