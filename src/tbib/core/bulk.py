"""Many INSERTs in one `executemany`, for the hot paths that write thousands of rows a second.

`QuerySet.bulk_create` builds a model instance per row and prepares every value through its
field (about 0.3 ms per device reading on this machine, measured in
benchmarks/device_ingest.py). Here rows are plain mappings; each column is prepared by its
field once per distinct value, and rows go to the driver in one call. Callers own the
invariants the model's `save()` would check (the device gateway checks the encounter lock
under a row lock first).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from django.db import connection, models, transaction
from django.db.models.fields import AutoFieldMixin
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


def insert_new(instance: models.Model) -> None:
    """INSERT a new record of an append-only model and its change-log row, without `save()`
    and its signals: one statement on PostgreSQL (a data-modifying WITH), one round trip where
    a save in a transaction takes four (BEGIN, two INSERTs, COMMIT). For the audit trail, which
    writes on every read of patient data; measured in benchmarks/fhir_api.py.

    The instance's auto_now_add fields are filled in; it is then as if loaded from the database.
    """
    from tbib.sync.capture import change_of_new, record_changes
    from tbib.sync.models import Change

    model = type(instance)
    record = _values(model, instance)
    try:
        change = change_of_new(instance)
    except LookupError:  # its unit needs a query: logged after the insert, like a save
        with transaction.atomic(savepoint=False):
            _execute(*record)
            record_changes(model, [instance.pk], created=True)
        change = None
    else:
        if change is None:
            _execute(*record)
        elif connection.vendor == "postgresql":
            sql, params = _values(Change, Change(**change))
            _execute(f"WITH written AS ({record[0]}) {sql}", record[1] + params)
        else:
            with transaction.atomic(savepoint=False):
                _execute(*record)
                _execute(*_values(Change, Change(**change)))
    mark_inserted(instance)


def mark_inserted(instance: models.Model) -> None:
    """The instance is now as if loaded from the database (it was inserted)."""
    instance._state.adding = False
    instance._state.db = connection.alias


def insert_new_where(instance: models.Model, condition: str) -> tuple[str, list[Any]] | None:
    """WITH items that insert a new record and its change-log row only where `condition`
    (SQL, on the statement's other WITH items) holds: `written AS (…), logged AS (…)`, for a
    statement that reads and records in one round trip (core.rows.fetch_one_and_insert).

    None where this cannot be one statement: not PostgreSQL, or the change-log row needs a
    query; the caller then inserts with `insert_new` (and `mark_inserted` is its to call).
    """
    from tbib.sync.capture import change_of_new
    from tbib.sync.models import Change

    if connection.vendor != "postgresql":
        return None
    try:
        change = change_of_new(instance)
    except LookupError:
        return None
    records = [("written", instance)]
    if change is not None:
        records.append(("logged", Change(**change)))
    items, params = [], []
    for name, record in records:
        model = type(record)
        columns, placeholders = _guarded_statement(model)
        # Table, columns, names and condition are the code's own; values are bound.
        items.append(
            f"{name} AS (INSERT INTO {columns} SELECT {placeholders} WHERE {condition})"  # noqa: S608
        )
        params += _values(model, record)[1]
    return ", ".join(items), params


@functools.cache
def _guarded_statement(model: type[models.Model]) -> tuple[str, str]:
    """`table (columns)` and the typed placeholders of an INSERT … SELECT of one record.

    In a SELECT a bare literal is text, not the column's type (an inet or a uuid column would
    refuse it): each value is cast to its column's type, without a length, so that a value
    too long is refused by the column as in an INSERT … VALUES, never cut by the cast.
    """
    _sql, fields = _insert_statement(model)
    quote = connection.ops.quote_name
    columns = "{} ({})".format(
        quote(model._meta.db_table), ", ".join(quote(str(field.column)) for field in fields)
    )
    types = [re.sub(r"\(\d+\)$", "", str(field.db_type(connection))) for field in fields]
    return columns, ", ".join(f"%s::{db_type}" for db_type in types)


def _values(model: type[models.Model], instance: models.Model) -> tuple[str, list[Any]]:
    """The INSERT of one instance: SQL and values prepared by each field, as Django's own."""
    sql, fields = _insert_statement(model)
    return sql, [
        field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
        for field in fields
    ]


@functools.cache
def _insert_statement(model: type[models.Model]) -> tuple[str, list[models.Field]]:
    # An auto-incremented key is the database's to number.
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    quote = connection.ops.quote_name
    # Table and column names come from the model, quoted by the backend; values are bound.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(str(field.column)) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    return sql, fields


def _execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
