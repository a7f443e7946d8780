"""Reference data for an edge: what the hub authors and a unit needs to work offline.

Sent whole (it is small: a few thousand rows, tens of kilobytes compressed) at enrolment and
again whenever its tag changes. The geography is not sent: every node imports it from the HCP
package. Staff accounts travel with their password hashes only for the unit's own team, so
that they can sign in offline; every other account (specialists who answer, coordinators)
arrives without a usable password, as a name on the records it signed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from redis.exceptions import RedisError

from tbib.sync import wire

logger = logging.getLogger(__name__)
# What a cache that cannot be reached raises (Redis restarting, say): the snapshot is then
# built without it, and saves of reference rows go on (tests/faults).
CACHE_DOWN: tuple[type[Exception], ...] = (RedisError, OSError)

REFERENCE = [
    "network.specialty",
    "network.hub",
    "network.telemedicineplatform",
    "network.healthfacility",
    "network.mobileunit",
    "network.device",
    "pharmacy.medicine",
    "accounts.user",
    "pharmacy.unitstock",
]
# Columns that change without meaning anything to an edge (and would resend the snapshot).
_VOLATILE = {"last_login"}
_CACHE_SECONDS = 300
_VERSION_KEY = "sync-reference-version"


def reference_changed(*, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    """A reference row was saved: every unit's snapshot is built again on its next pull."""
    if update_fields is not None and update_fields <= _VOLATILE:
        # A sign-in (Django saves last_login alone): nothing an edge receives changed. Under
        # load, staff signing in made every unit's next pull rebuild its snapshot (issue 11).
        return
    try:
        try:
            cache.incr(_VERSION_KEY)
        except ValueError:
            cache.set(_VERSION_KEY, 1, None)
    except CACHE_DOWN:
        # The save itself must not fail with the cache: a Redis restart empties the cache
        # anyway, and a snapshot cached before lives at most _CACHE_SECONDS.
        logger.warning("Cache unreachable: reference snapshots not invalidated")


def connect() -> None:
    from django.db.models.signals import post_save

    for name in REFERENCE:
        post_save.connect(reference_changed, sender=apps.get_model(name),
                          dispatch_uid=f"sync-reference-{name}")  # fmt: skip


def snapshot(unit_id: uuid.UUID) -> tuple[str, bytes]:
    """The unit's reference data, encoded, and its tag (cached briefly: pulls ask often)."""
    try:
        version = cache.get_or_set(_VERSION_KEY, 0)
        key = f"sync-reference-{unit_id}-{version}"
        cached = cache.get(key)
    except CACHE_DOWN:
        logger.warning("Cache unreachable: reference snapshot built without it")
        return _build(unit_id)
    if cached is None:
        cached = _build(unit_id)
        with contextlib.suppress(*CACHE_DOWN):
            cache.set(key, cached, _CACHE_SECONDS)
    return cached


def _build(unit_id: uuid.UUID) -> tuple[str, bytes]:
    tables: list[list[Any]] = []
    for name in REFERENCE:
        model = apps.get_model(name)
        query = model._default_manager.order_by("pk")
        if name == "pharmacy.unitstock":
            query = query.filter(unit_id=unit_id)
        rows = []
        for record in query:
            row = wire.row_of(record)
            for column in _VOLATILE & row.keys():
                del row[column]
            if name == "accounts.user" and record.unit_id != unit_id:
                row["password"] = "!"  # noqa: S105  (an unusable password: no offline sign-in)
            rows.append(row)
        tables.append([name, rows])
    packed = wire.encode({"batch": uuid.uuid4().bytes, "origin": "hub", "changes": tables})
    tag = hashlib.sha256(repr(tables).encode()).hexdigest()
    return tag, packed


def apply_snapshot(blob: bytes) -> int:
    """Insert or overwrite the reference rows (the hub is their only author); one transaction."""
    batch = wire.decode(blob)
    count = 0
    with transaction.atomic():
        for table in batch["changes"]:
            if not isinstance(table, list) or len(table) != 2 or table[0] not in REFERENCE:
                raise wire.WireError(f"Not a reference table: {str(table)[:60]}")
            model = apps.get_model(table[0])
            for row in table[1]:
                values = wire.values_for(model, row)
                instance = model(**values)
                existing = model._default_manager.filter(pk=instance.pk).first()
                if existing is not None:
                    for column in _VOLATILE:
                        if hasattr(existing, column):
                            setattr(instance, column, getattr(existing, column))
                instance._state.adding = existing is None
                Model.save_base(instance, raw=True, force_insert=existing is None)
                count += 1
    return count
