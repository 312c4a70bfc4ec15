"""Rows of one model's table read by SQL written here, with every value converted as the ORM
converts it (a decimal from SQLite, say): for the few queries each dashboard page runs, where
building and compiling the ORM's query took as long as running it (docs/performance.md).

`where` is SQL over the table's column names with `%s` for each parameter; `any_of` writes a
column's test against a list.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


def any_of(column: str, values: Sequence) -> tuple[str, list]:
    """`column` equal to any of `values`, as the `__any` lookup writes it (ops.lookups): one
    array parameter on PostgreSQL, so the statement is the same for any number of values;
    `IN (…)` elsewhere; nothing matches no values."""
    values = list(values)
    if not values:
        return "1 = 0", []
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def select(
    model: type[models.Model],
    fields: Sequence[str],
    where: str,
    params: Sequence,
    make: Callable[[Sequence], Any] = tuple,
) -> list:
    """`SELECT fields FROM model's table WHERE where`, each row made by `make` (a tuple, or a
    named tuple's `_make`)."""
    sql, converters = _statement(model, tuple(fields), where, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not converters:
        return [make(row) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for i, steps, expression in converters:
            for convert in steps:
                values[i] = convert(values[i], expression, connection)
        out.append(make(values))
    return out


@functools.lru_cache(maxsize=64)
def _statement(model, fields: tuple[str, ...], where: str, vendor: str) -> tuple[str, list]:
    """The statement and, per column that needs them, the converters the ORM applies (the
    backend's and the field's); worked out once per process and database kind."""
    table = model._meta.db_table
    columns, converters = [], []
    for i, name in enumerate(fields):
        field = model._meta.get_field(name)
        columns.append(connection.ops.quote_name(field.column))
        column = field.get_col(table)
        steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if steps:
            converters.append((i, steps, column))
    # The table and columns are the model's; the values are parameters.
    sql = f"SELECT {', '.join(columns)} FROM {connection.ops.quote_name(table)} WHERE {where}"  # noqa: S608  # nosec B608
    return sql, converters
