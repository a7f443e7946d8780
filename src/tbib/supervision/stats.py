"""Durations and percentiles computed by the database, the same on SQLite and PostgreSQL.

PostgreSQL has PERCENTILE_CONT and SQLite has not, so the percentile is written once with
window functions both have (ROW_NUMBER, COUNT OVER): in a group of n values sorted
ascending, PERCENTILE_CONT(p) is the linear interpolation at rank h = (n - 1) · p (from 0),
which equals the sum over the rows of value · max(0, 1 − |rank − h|): the rows at floor(h)
and ceil(h) get weights 1 − frac and frac, every other row 0. One query, whatever the number
of rows, and no row travels to Python. On PostgreSQL the tests check it against
PERCENTILE_CONT itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import NotSupportedError, connections
from django.db.models import Expression, FloatField, Func, QuerySet
from django.db.models.sql.compiler import SQLCompiler


class Seconds(Func):
    """Whole seconds from `earlier` to `later` (both datetimes; fractions dropped)."""

    output_field = FloatField()

    def __init__(self, later: str | Expression, earlier: str | Expression) -> None:
        super().__init__(later, earlier)  # field names become F() expressions

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        later, earlier = self.get_source_expressions()
        later_sql, later_params = compiler.compile(later)
        earlier_sql, earlier_params = compiler.compile(earlier)
        params = [*later_params, *earlier_params]
        if connection.vendor == "postgresql":
            sql = (
                f"CAST(EXTRACT(EPOCH FROM DATE_TRUNC('second', {later_sql}) - "
                f"DATE_TRUNC('second', {earlier_sql})) AS DOUBLE PRECISION)"
            )
        elif connection.vendor == "sqlite":
            # Django keeps SQLite datetimes as UTC text; '%s' is seconds since the epoch.
            sql = (
                f"CAST(CAST(STRFTIME('%%s', {later_sql}) AS INTEGER) - "
                f"CAST(STRFTIME('%%s', {earlier_sql}) AS INTEGER) AS REAL)"
            )
        else:
            raise NotSupportedError(f"Seconds() is written for SQLite and PostgreSQL only, "
                                    f"not {connection.vendor}.")  # fmt: skip
        return sql, params


def percentiles(
    rows: QuerySet[Any], keys: Sequence[str], value: str, fractions: Sequence[float]
) -> dict[tuple[Any, ...], list[float]]:
    """{group key tuple: [percentile per fraction]} of `value` over `rows`, per group.

    `rows` must already be `.values(*keys, value)` (annotations allowed): its SQL becomes the
    innermost query. Empty groups do not appear.
    """
    inner = rows.query.get_compiler(using=rows.db)
    inner_sql, inner_params = inner.as_sql()
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    partition = ", ".join(quote(k) for k in keys) or "1"
    selected = ", ".join(quote(k) for k in keys)
    weighted = ", ".join(
        f"SUM(CASE WHEN ABS(rank_ - (n_ - 1) * {float(p)!r}) < 1 THEN "
        f"{quote(value)} * (1 - ABS(rank_ - (n_ - 1) * {float(p)!r})) ELSE 0 END)"
        for p in fractions
    )
    lead = f"{selected}, " if selected else ""
    ranks = (
        f"ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {quote(value)}) - 1 AS rank_, "
        f"COUNT(*) OVER (PARTITION BY {partition}) AS n_"
    )
    # Only quoted identifiers, formatted floats and Django's own compiled SQL go into the
    # text; every value stays a parameter.
    sql = "SELECT {}{} FROM (SELECT {}{}, {} FROM ({}) base_) ranked_{}".format(  # noqa: S608
        lead, weighted, lead, quote(value), ranks, inner_sql,
        f" GROUP BY {selected}" if selected else "",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, inner_params)
        found = cursor.fetchall()
    width = len(keys)
    return {
        # Rounded to the millisecond: the weights' floating-point noise is not a figure.
        tuple(row[:width]): [round(float(v), 3) for v in row[width:]]
        for row in found
        if row[width] is not None
    }
