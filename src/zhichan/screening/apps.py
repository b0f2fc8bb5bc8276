from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "zhichan.screening"
    label = "screening"
    verbose_name = _("Trademark screening")

    def ready(self):
        from zhichan.screening.weights import weights

        weights()  # a broken weights file stops the start, naming the key
