"""Many INSERTs in one `executemany`, for the hot paths that write thousands of rows a second.

`QuerySet.bulk_create` builds a model instance per row and prepares every value through its
field (about 0.3 ms per device reading on this machine, measured in
benchmarks/device_ingest.py). Here rows are plain mappings; each column is prepared by its
field once per distinct value, and rows go to the driver in one call. Callers own the
invariants the model's `save()` would check (the device gateway checks the encounter lock
under a row lock first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone


def insert_rows(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, log: bool = True
) -> None:
    """INSERT the rows (field name → Python value; timestamps filled in) into the model's table.

    `log=False`: the caller logs the changes itself (replication, with the writer's clocks).
    """
    if not rows:
        return
    now = timezone.now()
    names = list(rows[0])
    timestamps = [
        f.name for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]  # fmt: skip
    names += [name for name in timestamps if name not in names]
    fields = [cast(models.Field, model._meta.get_field(name)) for name in names]
    prepare: list[Callable[[Any], Any]] = [_memoised(field) for field in fields]
    quote = connection.ops.quote_name
    # Table and column names come from the model, quoted by the backend; values are bound.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(str(field.column)) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    values = [
        [adapt(row.get(name, now)) for name, adapt in zip(names, prepare, strict=True)]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
    # These rows bypass post_save: the change log (replication) is told here, in the same
    # transaction as the caller's.
    from tbib.sync.capture import record_changes

    if log and "id" in names:
        record_changes(model, [row["id"] for row in rows], created=True)


def _memoised(field: models.Field) -> Callable[[Any], Any]:
    """The field's database preparation, computed once per distinct value (timestamps, codes)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.UUIDField) and not connection.features.has_native_uuid_field:
        # Every id is distinct: memoising would only cost. Django stores them as 32 hex digits.
        return lambda value: None if value is None else value.hex
    if type(field) in (models.CharField, models.TextField):
        return _as_is  # a str goes to the driver as it is
    seen: dict[Any, Any] = {}

    def adapt(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dict | list):  # JSON: unhashable, prepared each time
            return field.get_db_prep_save(value, connection=connection)
        key = (type(value), value)
        if key not in seen:
            seen[key] = field.get_db_prep_save(value, connection=connection)
        return seen[key]

    return adapt


def _as_is(value: Any) -> Any:
    return value
