from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "zhichan.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self):
        # The `survey_satisfaction` metric joins the evaluation registry at start-up.
        from zhichan.surveys import metrics  # noqa: F401
