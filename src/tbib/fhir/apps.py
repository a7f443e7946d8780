from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FhirConfig(AppConfig):
    name = "tbib.fhir"
    label = "fhir"
    verbose_name = _("FHIR interface")

    def ready(self) -> None:
        # After tbib.sync (earlier in INSTALLED_APPS): a snapshot reads the change log's new
        # sequence number, which sync's own post_save receiver has just written.
        from tbib.fhir import snapshots

        snapshots.connect()
