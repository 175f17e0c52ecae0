"""``copy_rows`` (etage/core/bulk.py): the COPY writer of the generator, the arrears import and
the indicator store."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from etage.analytics.models import IndicatorValue
from etage.core.bulk import can_copy, copy_rows

pytestmark = pytest.mark.django_db

COLUMNS = [f.attname for f in IndicatorValue._meta.concrete_fields if not f.primary_key]


def test_a_column_left_out_is_refused_before_anything_is_written():
    """COPY gives no default: a field missing from the columns (one added to the model later,
    say) stops the writer instead of being stored empty."""
    with pytest.raises(ImproperlyConfigured, match="snapshot"):
        copy_rows(IndicatorValue, COLUMNS[:-1], [("x", "2026", "", "all", "", 1.0, 3, None)])
    assert not IndicatorValue.objects.exists()


def test_can_copy_is_postgresql_only():
    assert can_copy() is (connection.vendor == "postgresql")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copied_rows_read_back_as_the_orm_would_store_them():
    when = timezone.make_aware(dt.datetime(2026, 11, 27, 8, 30))
    rows = [
        ("id_month", "2026-10", "G001", "all", "", 12.5, 12, when, "abcd1234"),
        ("id_month", "2026-10", "", "all", "", None, 0, when, "abcd1234"),
    ]
    assert copy_rows(IndicatorValue, COLUMNS, iter(rows)) == 2
    stored = list(IndicatorValue.objects.order_by("territory").values_list(*COLUMNS))
    assert sorted(stored, key=lambda r: r[2]) == sorted(rows, key=lambda r: r[2])
