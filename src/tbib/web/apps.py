from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tbib.web"
    label = "web"
    verbose_name = "Web"
