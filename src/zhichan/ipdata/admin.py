from django.contrib import admin

from zhichan.ipdata.models import ImportJob, Patent, Trademark


@admin.register(Patent)
class PatentAdmin(admin.ModelAdmin):
    list_display = (
        "application_number",
        "title",
        "patent_type",
        "legal_status",
        "application_date",
        "region",
    )
    list_filter = ("patent_type", "legal_status", "region")
    search_fields = ("application_number", "publication_number", "title", "first_applicant")
    raw_id_fields = ("enterprises", "source_job")


@admin.register(Trademark)
class TrademarkAdmin(admin.ModelAdmin):
    list_display = ("registration_number", "name", "nice_class", "status", "application_date", "region")
    list_filter = ("status", "nice_class", "region")
    search_fields = ("registration_number", "name", "first_applicant")
    raw_id_fields = ("enterprises", "source_job")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are started and run through ipdata.services."""

    list_display = ("pk", "original_name", "kind", "status", "processed_rows", "error_count", "created_at")
    list_filter = ("kind", "status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
