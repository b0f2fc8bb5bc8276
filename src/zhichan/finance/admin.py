from django.contrib import admin

from zhichan.finance.models import InsurancePolicy, LoanProduct, Pledge, PledgeApplication


class ReadOnly(admin.ModelAdmin):
    # Read-only here: changes go through the finance pages and API, which validate and record events.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoanProduct)
class LoanProductAdmin(ReadOnly):
    list_display = ("name", "institution", "amount_min", "amount_max", "published")
    list_filter = ("published",)


@admin.register(PledgeApplication)
class PledgeApplicationAdmin(ReadOnly):
    list_display = ("pk", "enterprise", "institution", "amount", "status", "created_at")
    list_filter = ("status",)


@admin.register(Pledge)
class PledgeAdmin(ReadOnly):
    list_display = ("registration_number", "pledgor", "pledgee", "amount", "registered_on", "status")
    list_filter = ("status",)


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(ReadOnly):
    list_display = ("policy_number", "enterprise", "insurer", "kind", "sum_insured", "starts_on", "ends_on")
    list_filter = ("kind",)
