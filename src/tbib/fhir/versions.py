"""Resource versions of Patient and Encounter: the change log's sequence number is the
versionId (fhir.snapshots keeps the past versions of every type that changes)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import UUIDField

LABELS = {
    "Patient": "patients.patient",
    "Encounter": "clinical.encounter",
    "Observation": "clinical.observation",
}
_UUID: Any = UUIDField()  # binds ids in the database's own format (_rows)


def versions_of(resource_type: str, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each record's current versionId (records never logged count as version 1)."""
    from tbib.sync.models import Change

    ids = list(ids)
    if not ids:
        return {}
    table, quote = Change._meta.db_table, connection.ops.quote_name
    found = dict(
        _rows(
            f"SELECT record_id, seq FROM {quote(table)} WHERE model = %s AND record_id IN ",  # noqa: S608
            [LABELS[resource_type]],
            ids,
        )
    )
    return {i: found.get(i, 1) for i in ids}


def _rows(sql: str, params: list[Any], ids: list[uuid.UUID]) -> list[tuple[Any, ...]]:
    """Rows of a small lookup by record ids, as (UUID, ...) tuples.

    Hand-written because every FHIR read renders through here: the ORM spent more CPU
    compiling these two one-line queries than the database spent answering them. `sql` ends
    with `IN `; the ids are bound in the database's own UUID format (text on SQLite).
    """
    prepared = [_UUID.get_db_prep_value(i, connection) for i in ids]
    with connection.cursor() as cursor:
        cursor.execute(sql + "(" + ", ".join(["%s"] * len(ids)) + ")", [*params, *prepared])
        rows = cursor.fetchall()
    return [(r[0] if isinstance(r[0], uuid.UUID) else uuid.UUID(r[0]), *r[1:]) for r in rows]


def versions_and_identifiers(
    resource_type: str, ids: Iterable[uuid.UUID]
) -> tuple[dict[uuid.UUID, int], dict[uuid.UUID, list[Any]]]:
    """versions_of and extra_identifiers in one round trip (a FHIR read renders both)."""
    from tbib.fhir.models import ExternalIdentifier
    from tbib.sync.models import Change

    ids = list(ids)
    if not ids:
        return {}, {}
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT record_id, seq, NULL, NULL FROM {quote(Change._meta.db_table)} "  # noqa: S608
        f"WHERE model = %s AND record_id IN ({marks}) UNION ALL "
        f"SELECT resource_id, NULL, system, value FROM {quote(ExternalIdentifier._meta.db_table)} "
        f"WHERE resource_type = %s AND resource_id IN ({marks})"
    )
    prepared = [_UUID.get_db_prep_value(i, connection) for i in ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, [LABELS[resource_type], *prepared, resource_type, *prepared])
        rows = cursor.fetchall()
    found: dict[uuid.UUID, int] = {}
    pairs: dict[uuid.UUID, list[Any]] = {}
    for record_id, seq, system, value in rows:
        key = record_id if isinstance(record_id, uuid.UUID) else uuid.UUID(record_id)
        if seq is not None:
            found[key] = seq
        else:
            pairs.setdefault(key, []).append((system, value))
    return {i: found.get(i, 1) for i in ids}, pairs


def version_of(resource_type: str, record_id: uuid.UUID) -> int:
    return versions_of(resource_type, [record_id])[record_id]


def extra_identifiers(resource_type: str, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    from tbib.fhir.models import ExternalIdentifier

    ids = list(ids)
    if not ids:
        return {}
    table, quote = ExternalIdentifier._meta.db_table, connection.ops.quote_name
    pairs: dict[uuid.UUID, list[Any]] = {}
    rows = _rows(
        f"SELECT resource_id, system, value FROM {quote(table)} "  # noqa: S608
        "WHERE resource_type = %s AND resource_id IN ",
        [resource_type],
        ids,
    )
    for resource_id, system, value in rows:
        pairs.setdefault(resource_id, []).append((system, value))
    return pairs
