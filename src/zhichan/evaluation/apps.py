from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "zhichan.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from zhichan.evaluation.standard import register_standard

        register_standard()
