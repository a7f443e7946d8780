"""A queryset whose UPDATEs enter the change log, for replicated models changed in place.

`QuerySet.update()` bypasses `post_save`; the case workflow and the tour stops use it for
their conditional transitions (two specialists claiming at once). The rows to be updated are
locked first, so exactly those are logged, in the same transaction.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

_M = TypeVar("_M", bound=models.Model)


class LoggedQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        from tbib.sync.capture import record_changes

        with transaction.atomic(using=self.db):
            ids = list(self.select_for_update().values_list("pk", flat=True))
            if not ids:
                return 0
            count = super().update(**kwargs)
            record_changes(self.model, ids)
        return count


LoggedManager = models.Manager.from_queryset(LoggedQuerySet)
