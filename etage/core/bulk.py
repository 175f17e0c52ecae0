"""Writing many rows at once on PostgreSQL: ``COPY … FROM STDIN`` (psycopg 3).

Several times faster than the ``INSERT`` of ``bulk_create`` for the same rows, which matters
where ETAGE writes hundreds of thousands of rows in one go: the synthetic data of the
generator, the monthly arrears extract, the nightly indicator store (docs/performance.md).

The rows are plain tuples in the order of ``attnames`` (never model instances: building
millions of them was most of the time before). psycopg adapts the values itself (strings,
numbers, booleans, dates, aware datetimes, decimals); JSON values are serialised as
``JSONField`` would (``json.dumps`` with the field's encoder) and parsed by the server into
``jsonb``. As with ``bulk_create``: no ``save()``, no signals; and, unlike it, no
``pre_save`` or default either: the caller gives a value for every column (the key may be
left to its sequence), so that a field added to a model later cannot be left empty without a
word. The statement runs in the caller's transaction.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models


def can_copy() -> bool:
    """Whether the default database takes ``COPY`` (PostgreSQL); elsewhere, ``bulk_create``."""
    return connection.vendor == "postgresql"


def copy_rows(
    model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write ``rows`` (tuples of the values of ``attnames``, in that order) into ``model``'s
    table through one ``COPY``. Returns the number of rows written."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    pk = model._meta.pk
    required = {n for n, f in by_attname.items() if not (f is pk and n not in attnames)}
    if set(attnames) != required or len(attnames) != len(required):
        raise ImproperlyConfigured(
            f"COPY into {model.__name__}: columns {sorted(attnames)} ≠ fields {sorted(required)}"
        )
    fields = [by_attname[name] for name in attnames]
    quote = connection.ops.quote_name
    # Table and column names come from the models' metadata, quoted; values go through COPY.
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(str(f.column)) for f in fields)
    )
    json_columns = [
        (i, functools.partial(json.dumps, cls=f.encoder))
        for i, f in enumerate(fields)
        if isinstance(f, models.JSONField)
    ]
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        write = copy.write_row
        if not json_columns:
            for row in rows:
                write(row)
                written += 1
            return written
        for row in rows:
            values = list(row)
            for i, dumps in json_columns:
                values[i] = dumps(values[i])
            write(values)
            written += 1
    return written
