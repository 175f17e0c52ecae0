"""Audit completeness (issue 7, must-show): every page, download, export and API endpoint that
returns household data writes an access-log entry. Every URL pattern must be declared in
``tests/core/audit_registry.py``."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from etage.core.models import AccessLogEntry
from tests.core import audit_registry as registry

pytestmark = pytest.mark.django_db


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    """``namespace:name`` of every pattern of the project (``namespace:?`` when unnamed)."""
    names: list[str] = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name or '?'}")
    return names


def test_every_url_pattern_is_declared_nominative_or_not():
    declared = (
        set(registry.PROBES) | set(registry.NOMINATIVE_NOT_PROBED) | set(registry.NOT_NOMINATIVE)
    )
    missing = sorted(
        {
            name
            for name in url_names()
            if name not in declared
            and name.split(":", 1)[0] not in registry.NOT_NOMINATIVE_NAMESPACES
        }
    )
    assert not missing, (
        "These URL patterns are not declared in tests/core/audit_registry.py: "
        + ", ".join(missing)
        + ". Add each to PROBES (it returns household data: its view must call "
        "access_log_record, and the probe says which demo persona requests it) or to "
        "NOT_NOMINATIVE with the reason it holds none."
    )


def test_the_registry_names_only_existing_patterns():
    existing = set(url_names())
    stale = (
        set(registry.PROBES) | set(registry.NOMINATIVE_NOT_PROBED) | set(registry.NOT_NOMINATIVE)
    ) - existing
    assert not stale, f"Remove from tests/core/audit_registry.py: {sorted(stale)}"


@pytest.fixture
def context(refer, advance):
    return {"situation": advance(refer(), 5)}


@pytest.mark.parametrize("name", sorted(registry.PROBES))
def test_each_nominative_page_writes_an_access_log_entry(name, context, client_for, demo_reference):
    probe = registry.PROBES[name]
    user = demo_reference[probe.username]
    before = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client_for(probe.username).get(reverse(name, kwargs=probe.kwargs(context)))
    assert response.status_code == 200, (name, response.status_code)
    written = AccessLogEntry.objects.filter(id__gt=before, user=user)
    assert written.exists(), f"{name} returned household data without an access-log entry"
    if probe.about_situation:
        assert written.filter(situation_id=context["situation"].pk).exists(), name
