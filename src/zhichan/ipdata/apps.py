from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IpdataConfig(AppConfig):
    name = "zhichan.ipdata"
    label = "ipdata"
    verbose_name = _("Patent and trademark data")
