from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicalConfig(AppConfig):
    name = "tbib.clinical"
    label = "clinical"
    verbose_name = _("Clinical records")
