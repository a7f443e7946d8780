"""A queryset whose UPDATEs enter the change log, for replicated models changed in place.

`QuerySet.update()` bypasses `post_save`; the case workflow and the tour stops use it for
their conditional transitions (two specialists claiming at once). The rows to be updated are
locked first, so exactly those are logged, in the same transaction, and `rows_updated` tells
the receivers that `post_save` would have told (the FHIR interface's version snapshots).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

_M = TypeVar("_M", bound=models.Model)

# Sent after a logged UPDATE, inside its transaction: sender the model, `ids` the rows updated.
rows_updated = Signal()


class LoggedQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        from tbib.sync.capture import record_changes

        if "updated_at" not in kwargs and _changes_time(self.model):
            # auto_now is applied by save() only: a change logged without its time moving
            # would keep the record's `_lastUpdated` (and its FHIR version) as it was.
            kwargs["updated_at"] = timezone.now()
        with transaction.atomic(using=self.db):
            ids = list(self.select_for_update().values_list("pk", flat=True))
            if not ids:
                return 0
            count = super().update(**kwargs)
            record_changes(self.model, ids)
            rows_updated.send(sender=self.model, ids=ids)
        return count


def _changes_time(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("updated_at")
    except FieldDoesNotExist:
        return False
    return bool(getattr(field, "auto_now", False))


LoggedManager = models.Manager.from_queryset(LoggedQuerySet)
