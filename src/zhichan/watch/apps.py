from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "zhichan.watch"
    verbose_name = _("Risk warnings and deadlines")

    def ready(self):
        from zhichan.watch.fees import schedule

        schedule()  # a broken fees file stops the start, naming the key
