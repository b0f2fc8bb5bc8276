from django.contrib import admin

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


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ("phone", "text", "created_at")
    search_fields = ("phone", "text")
    readonly_fields = ("phone", "text", "created_at")
