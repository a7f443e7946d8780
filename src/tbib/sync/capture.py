"""Every write of a replicated record lands in the change log, in the same transaction.

Saves are caught by `post_save`; bulk paths that bypass it (core.bulk.insert_rows) call
`record_changes` themselves. A change received from a peer is logged with the peer's HLC
(`received=True`), so the hub serves it on to the other nodes without ticking its own clock.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save

from tbib.sync.hlc import Clock, Timestamp
from tbib.sync.registry import REPLICATED, SCOPE

_clock: Clock | None = None
_enrolled_as: str | None = None


def node_name() -> str:
    """This node's name: the one its enrolment gave an edge, else TBIB_NODE ("hub")."""
    global _enrolled_as
    if _enrolled_as is None and settings.TBIB_ROLE == "edge":
        from tbib.sync.models import HubLink

        link = HubLink.objects.only("node").first()
        if link is None:
            return str(settings.TBIB_NODE)
        _enrolled_as = link.node
    return _enrolled_as or str(settings.TBIB_NODE)


def forget_node_name() -> None:
    """After an enrolment (or in tests): read the node's name again."""
    global _enrolled_as, _clock
    _enrolled_as = None
    _clock = None


def clock() -> Clock:
    """This process's HLC for the node."""
    global _clock
    name = node_name()
    if _clock is None or _clock.node != name:
        _clock = Clock(name)
    return _clock


def label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def record_changes(
    model: type[models.Model],
    ids: Iterable[uuid.UUID],
    at: Timestamp | None = None,
    *,
    created: bool = False,
    scopes: dict[Any, Any] | None = None,
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
    if not ids:
        return
    when = at or clock().tick()
    stamp = when.encode()
    if scopes is None:
        scopes = dict(model._default_manager.filter(pk__in=ids).values_list("pk", SCOPE[name]))
    if not created:
        Change.objects.filter(model=name, record_id__in=ids).delete()
    insert_rows(
        Change,
        [
            {"model": name, "record_id": i, "hlc": stamp, "origin": when.node,
             "scope": scopes.get(i), "pushed": False}
            for i in ids
        ],
    )  # fmt: skip


def change_of_new(instance: models.Model) -> dict[str, Any] | None:
    """The change-log row of a new record written without `post_save` (core.bulk.insert_new),
    when its unit is known without a query; None when the record is not replicated.

    Raises LookupError when the unit would need a query (the caller logs after the insert).
    """
    name = label(type(instance))
    if name not in REPLICATED:
        return None
    if REPLICATED[name] == "mutable":
        raise ValueError(f"{name} keeps per-field clocks: save it, do not insert it bare.")
    unit = _cached(instance, SCOPE[name])
    if unit is _UNKNOWN:
        raise LookupError(name)
    when = clock().tick()
    return {"model": name, "record_id": instance.pk, "hlc": when.encode(),
            "origin": when.node, "scope": unit, "pushed": False}  # fmt: skip


def _saved(sender: type[models.Model], instance: models.Model, raw: bool = False,
           created: bool = False, **kwargs: Any) -> None:  # fmt: skip
    if getattr(instance, "_sync_applying", False):
        return  # sync.apply logs it with the peer's clock
    name = label(sender)
    path = SCOPE[name]
    # The unit is on the record itself, or on a parent already loaded, for most saves: no
    # query to find it (an audit event's actor, an observation's encounter).
    unit = _cached(instance, path)
    scopes = {instance.pk: unit} if unit is not _UNKNOWN else None
    at = clock().tick()
    if REPLICATED[name] == "mutable":
        stamp_fields(name, instance, at)
    # A new record has no older entry in the log to replace.
    record_changes(sender, [instance.pk], at=at, scopes=scopes, created=created)


_UNKNOWN = object()


def _cached(instance: models.Model, path: str) -> Any:
    """The value at `path` (`unit_id`, `actor__unit_id`) if reachable without a query."""
    *parents, last = path.split("__")
    current: Any = instance
    for part in parents:
        cache = getattr(getattr(current, "_state", None), "fields_cache", {})
        if part not in cache:
            return _UNKNOWN
        current = cache[part]
        if current is None:
            return None
    return getattr(current, last, _UNKNOWN)


def digest(value: Any) -> str:
    """A short fingerprint of a field's value, to tell which fields a save changed."""
    return hashlib.blake2b(repr(value).encode(), digest_size=8).hexdigest()


def stamp_fields(name: str, instance: models.Model, at: Timestamp) -> None:
    """Per-field clocks of a mutable record: the fields this save changed get `at`.

    Per-field last-writer-wins needs to know which fields a write touched: a van that edits a
    phone number must not send the village it never touched as a newer write.
    """
    from tbib.sync.models import FieldClock
    from tbib.sync.wire import row_of

    row = row_of(instance)
    clocks, _ = FieldClock.objects.get_or_create(model=name, record_id=instance.pk)
    stamp = at.encode()
    for field, value in row.items():
        seen = clocks.clocks.get(field)
        fingerprint = digest(value)
        if seen is None or seen[1] != fingerprint:
            clocks.clocks[field] = [stamp, fingerprint]
    clocks.save(update_fields=["clocks"])


def connect() -> None:
    from django.apps import apps

    for name in REPLICATED:
        post_save.connect(_saved, sender=apps.get_model(name), dispatch_uid=f"sync-{name}")
