"""Every write of a replicated record lands in the change log, in the same transaction.

Saves are caught by `post_save`; bulk paths that bypass it (core.bulk.insert_rows) call
`record_changes` themselves. A change received from a peer is logged with the peer's HLC
(`received=True`), so the hub serves it on to the other nodes without ticking its own clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save

from tbib.sync.hlc import Clock, Timestamp
from tbib.sync.registry import REPLICATED

_clock: Clock | None = None


def clock() -> Clock:
    """This process's HLC for the node (TBIB_NODE)."""
    global _clock
    if _clock is None or _clock.node != settings.TBIB_NODE:
        _clock = Clock(settings.TBIB_NODE)
    return _clock


def label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def record_changes(
    model: type[models.Model],
    ids: Iterable[uuid.UUID],
    at: Timestamp | None = None,
    *,
    created: bool = False,
) -> None:
    """Log that these records changed (now, or at a peer's `at`), replacing older entries.

    `created`: the records were just inserted, so they have no older entry to replace (the
    device gateway's bulk path, where the saved DELETE is measurable).
    """
    name = label(model)
    if name not in REPLICATED:
        return
    from tbib.core.bulk import insert_rows
    from tbib.sync.models import Change

    ids = list(ids)
    stamp = (at or clock().tick()).encode()
    if not created:
        Change.objects.filter(model=name, record_id__in=ids).delete()
    insert_rows(Change, [{"model": name, "record_id": i, "hlc": stamp} for i in ids])


def _saved(sender: type[models.Model], instance: models.Model, raw: bool = False,
           **kwargs: Any) -> None:  # fmt: skip
    if getattr(instance, "_sync_applying", False):
        return  # sync.apply logs it with the peer's clock
    record_changes(sender, [instance.pk])


def connect() -> None:
    from django.apps import apps

    for name in REPLICATED:
        post_save.connect(_saved, sender=apps.get_model(name), dispatch_uid=f"sync-{name}")
