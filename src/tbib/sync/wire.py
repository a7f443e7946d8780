"""Batches on the wire: records as compact rows, msgpack, then zstd. Pure apart from the ORM's
field list.

A batch: {"batch": 16 bytes, "origin": node, "upto": last seq included, "changes":
[[model, hlc, {column: value}], ...]}. Values are typed for msgpack: UUIDs as 16 bytes,
datetimes, dates and times as ISO 8601 text, decimals as text (exact), JSON as it is.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import msgpack
import zstandard
from django.apps import apps
from django.db import models

ZSTD_LEVEL = 10  # measured: a good ratio on rows, a few ms per batch (docs/benchmarks.md)


class WireError(ValueError):
    """A batch that cannot be read: the whole batch is refused, nothing is applied."""


def row_of(instance: models.Model) -> dict[str, Any]:
    """The record's concrete columns, typed for the wire."""
    return {
        field.attname: _out(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
    }


def _out(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def values_for(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """A wire row back to Python values for the model's fields; unknown columns refused."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    unknown = set(row) - set(fields)
    if unknown:
        raise WireError(f"{model._meta.label}: unknown column(s) {sorted(unknown)}.")
    values: dict[str, Any] = {}
    for name, raw in row.items():
        field = fields[name]
        target = field.target_field if isinstance(field, models.ForeignKey) else field
        try:
            if raw is None:
                values[name] = None
            elif isinstance(target, models.UUIDField):
                values[name] = uuid.UUID(bytes=raw)
            elif isinstance(field, models.DateTimeField):
                values[name] = datetime.datetime.fromisoformat(raw)
            elif isinstance(field, models.DateField):
                values[name] = datetime.date.fromisoformat(raw)
            elif isinstance(field, models.TimeField):
                values[name] = datetime.time.fromisoformat(raw)
            elif isinstance(field, models.DecimalField):
                values[name] = decimal.Decimal(raw)
            else:
                values[name] = raw
        except (TypeError, ValueError, decimal.InvalidOperation) as error:
            raise WireError(f"{model._meta.label}.{name}: {error}") from error
    return values


def encode(batch: dict[str, Any]) -> bytes:
    packed = msgpack.packb(batch, use_bin_type=True)
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(packed)


def decode(blob: bytes, *, max_bytes: int = 64 * 1024 * 1024) -> dict[str, Any]:
    try:
        packed = zstandard.ZstdDecompressor().decompress(blob, max_output_size=max_bytes)
        batch = msgpack.unpackb(packed, raw=False, strict_map_key=True)
    except (zstandard.ZstdError, ValueError, msgpack.UnpackException) as error:
        raise WireError(f"Unreadable batch: {error}") from error
    if not isinstance(batch, dict) or not isinstance(batch.get("changes"), list):
        raise WireError("A batch is a map with a list of changes.")
    try:
        batch["batch"] = uuid.UUID(bytes=batch["batch"])
        batch["origin"] = str(batch["origin"])
    except (KeyError, TypeError, ValueError) as error:
        raise WireError(f"Batch header: {error}") from error
    return batch


def model_of(name: object) -> type[models.Model]:
    from tbib.sync.registry import REPLICATED

    if not isinstance(name, str) or name not in REPLICATED:
        raise WireError(f"{name!r} is not a replicated record type.")
    return apps.get_model(name)
