from django.contrib import admin

from zhichan.diagnosis.models import Diagnosis, Questionnaire


class ReadOnly(admin.ModelAdmin):
    """Read-only: questionnaires change by loading their data file, diagnoses through the
    diagnosis pages and API (diagnosis/services.py)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnly):
    list_display = ("code", "version", "title", "active", "loaded_at")


@admin.register(Diagnosis)
class DiagnosisAdmin(ReadOnly):
    list_display = ("pk", "enterprise_name", "user", "status", "risk_level", "risk_index", "submitted_at")
    list_filter = ("status", "risk_level", "region")
    search_fields = ("enterprise_name", "uscc")
