from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tbib.core"
    label = "core"
