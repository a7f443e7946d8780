"""One model instance from a hand-written query, without RawQuerySet's work on every call.

RawQuerySet reads the cursor's description and matches its columns to fields each time; on
the busiest reads (a bearer token's user, one patient) that was a fifth of the request
(benchmarks/fhir_api.py). Here the query selects the model's columns in field order
(`select_list`, or an ORM query without deferred fields or joins), and each field's
converters (the backend's and the field's own) are looked up once per model.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]


def select_list(model: type[models.Model], alias: str) -> str:
    """The model's columns, in field order, qualified by the table's alias in the query."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def fetch_one(model: type[M], sql: str, params: Sequence[Any]) -> M | None:
    """The first row of `sql` as an instance of `model`, or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        width = len(cursor.description or ())
    if row is None:
        return None
    names, converters = _loading(model, connection.vendor)
    if width != len(names):
        raise ValueError(f"The query selects {width} columns, not {model.__name__}'s {len(names)}.")
    values = list(row)
    for index, expression, convert in converters:
        values[index] = convert(values[index], expression, connection)
    return model.from_db(connection.alias, names, values)


def fetch_one_and_insert(model: type[M], sql: str, params: Sequence[Any],
                         new: models.Model) -> M | None:  # fmt: skip
    """`fetch_one`, and `new` inserted (with its change-log row, core.bulk.insert_new) when
    the query finds a row: in the same statement on PostgreSQL, one round trip where the read
    and the write took two. For a read and its audit event."""
    from tbib.core import bulk

    guarded = bulk.insert_new_where(new, "EXISTS (SELECT 1 FROM found)")
    if guarded is None:
        found = fetch_one(model, sql, params)
        if found is not None:
            bulk.insert_new(new)
        return found
    inserts, values = guarded
    # The data-modifying WITH items run once, whether or not the final SELECT reads them.
    # The caller's query and the inserts are the code's own SQL; every value is bound.
    combined = f"WITH found AS ({sql}), {inserts} SELECT * FROM found"  # noqa: S608
    found = fetch_one(model, combined, [*params, *values])
    if found is not None:
        bulk.mark_inserted(new)
    return found


@functools.cache
def _loading(
    model: type[models.Model], vendor: str
) -> tuple[list[str], list[tuple[int, Any, Converter]]]:
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        expression = field.get_col(model._meta.db_table)
        # As SQLCompiler.get_converters: the backend's (SQLite's UUIDs, say), then the field's.
        found = connection.ops.get_db_converters(expression)
        for convert in found + expression.get_db_converters(connection):
            converters.append((index, expression, convert))
    return [f.attname for f in fields], converters
