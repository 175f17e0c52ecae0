"""A T1 situation identified by EMH (so EMH's rent-recovery officer is in its sharing group),
with a lease signed before the 2023 reform and a known rent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from etage.households.models import Tenancy
from etage.situations.models import Situation

#: "Today" for the services (the views use the real date).
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def situation(refer: Callable[..., Situation]) -> Situation:
    situation = refer()
    Tenancy.objects.filter(pk=situation.tenancy_id).update(
        lease_signed_on=dt.date(2015, 5, 1), monthly_rent=Decimal("500.00")
    )
    situation.refresh_from_db()
    return situation
