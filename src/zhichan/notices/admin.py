from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhichan.core.permissions import PermissionDenied
from zhichan.notices import services
from zhichan.notices.models import Delivery, Notice, SmsMessage


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "kind", "case_number", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("subject", "case_number", "recipient__username")
    raw_id_fields = ("recipient",)
    readonly_fields = ("created_at",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    # Failed deliveries are watched here; the worker retries them, not the admin.
    list_display = ("address", "channel", "kind", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel", "kind")
    search_fields = ("address", "subject", "case_number")
    raw_id_fields = ("notice",)
    readonly_fields = ("created_at", "last_attempt_at", "sent_at", "attempts", "error")
    actions = ["retry_now"]

    @admin.action(description=_("Retry the selected failed deliveries now"))
    def retry_now(self, request, queryset):
        try:
            count = services.do_retry_now(request.user, queryset)
        except PermissionDenied:
            self.message_user(request, _("Only a superuser may retry deliveries."), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d delivery will be retried.", "%(count)d deliveries will be retried.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ("phone", "text", "created_at")
    search_fields = ("phone", "text")
    readonly_fields = ("phone", "text", "created_at")
