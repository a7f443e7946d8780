from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "tbib.sync"
    label = "sync"
    verbose_name = _("Replication")

    def ready(self) -> None:
        from tbib.sync import capture, lock, reference

        capture.connect()
        reference.connect()
        lock.connect()
