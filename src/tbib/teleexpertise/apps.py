from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeleexpertiseConfig(AppConfig):
    name = "tbib.teleexpertise"
    label = "teleexpertise"
    verbose_name = _("Tele-expertise")
