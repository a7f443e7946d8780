"""Build a batch from the change log, and apply a peer's batch: atomic and idempotent.

Applying is all or nothing (one transaction), and a batch already applied (same id) changes
nothing. Each change merges by its kind (sync.registry, sync.merge): facts are inserted if
absent; mutable records (a case included, for now) merge field by field by HLC with the
losers kept in `FieldClock` history. Applied records enter the local change log with
the peer's HLC, so the hub passes them on.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import Model

from tbib.sync import wire
from tbib.sync.capture import clock, record_changes
from tbib.sync.hlc import Timestamp
from tbib.sync.models import AppliedBatch, Change, FieldClock
from tbib.sync.registry import ORDER, REPLICATED

MUTABLE_SKIP = {"id", "created_at", "updated_at"}


def build_batch(*, after: int, limit: int = 500) -> tuple[dict[str, Any], int]:
    """The next changes after cursor `after`, as a batch, and the cursor it reaches."""
    from django.apps import apps
    from django.conf import settings

    changes = list(Change.objects.filter(seq__gt=after).order_by("seq")[:limit])
    rows = []
    by_model: dict[str, list[Change]] = {}
    for change in changes:
        by_model.setdefault(change.model, []).append(change)
    for name in ORDER:
        wanted = by_model.get(name, [])
        if not wanted:
            continue
        model = apps.get_model(name)
        found = model._default_manager.in_bulk([c.record_id for c in wanted])
        for change in wanted:
            if change.record_id in found:
                rows.append([name, change.hlc, wire.row_of(found[change.record_id])])
    upto = changes[-1].seq if changes else after
    batch = {"batch": uuid.uuid4().bytes, "origin": settings.TBIB_NODE, "upto": upto,
             "changes": rows}  # fmt: skip
    return batch, upto


def apply_batch(blob: bytes) -> int:
    """Apply a peer's batch; returns how many changes it held (0 if already applied)."""
    batch = wire.decode(blob)
    with transaction.atomic():
        if AppliedBatch.objects.filter(batch_id=batch["batch"]).exists():
            return 0
        changes = batch["changes"]
        for change in sorted(changes, key=_apply_order):
            _apply(change)
        AppliedBatch.objects.create(
            batch_id=batch["batch"], origin=batch["origin"], changes=len(changes)
        )
    return len(changes)


def _apply_order(change: Any) -> int:
    try:
        return ORDER.index(change[0])
    except (ValueError, TypeError, IndexError, KeyError):
        return -1  # refused by _apply with its reason


def _apply(change: Any) -> None:
    if not isinstance(change, list) or len(change) != 3 or not isinstance(change[2], dict):
        raise wire.WireError("A change is [model, hlc, row].")
    name, encoded, row = change
    model = wire.model_of(name)
    try:
        at = Timestamp.decode(str(encoded))
    except ValueError as error:
        raise wire.WireError(f"Bad clock {encoded!r}.") from error
    clock().observe(at)
    values = wire.values_for(model, row)
    if "id" not in values or values["id"] is None:
        raise wire.WireError(f"{name}: a row without its id.")
    local = model._default_manager.filter(pk=values["id"]).first()
    kind = REPLICATED[name]
    if local is None:
        instance = model(**values)
        _save(instance)
        if kind == "mutable":
            fields = [f for f in values if f not in MUTABLE_SKIP]
            FieldClock.objects.update_or_create(
                model=name, record_id=values["id"],
                defaults={"clocks": dict.fromkeys(fields, at.encode())},
            )  # fmt: skip
    elif kind == "mutable":
        _merge_fields(name, local, values, at)
    # A fact already here is the same fact: nothing to do.
    record_changes(model, [values["id"]], at=at)


def _save(instance: Model) -> None:
    instance._sync_applying = True  # type: ignore[attr-defined]
    # Skip the models' own save() guards (signed-encounter lock): the origin enforced them,
    # and a replica must hold exactly what the origin holds.
    Model.save_base(instance, raw=True, force_insert=instance._state.adding)


def _merge_fields(name: str, local: Model, values: dict[str, Any], at: Timestamp) -> None:
    clocks, _ = FieldClock.objects.get_or_create(model=name, record_id=local.pk)
    changed = False
    for field, value in values.items():
        if field in MUTABLE_SKIP:
            continue
        mine = getattr(local, field)
        if mine == value:
            continue
        mine_at = Timestamp.decode(clocks.clocks[field]) if field in clocks.clocks else None
        if mine_at is None or (at, repr(value)) > (mine_at, repr(mine)):
            clocks.history.append([field, repr(mine), mine_at.encode() if mine_at else ""])
            setattr(local, field, value)
            clocks.clocks[field] = at.encode()
            changed = True
        else:
            clocks.history.append([field, repr(value), at.encode()])
    clocks.save()
    if changed:
        _save(local)
