"""The reference page of the web load benchmark (benchmarks/web.py): its address exists only
when ETAGE_BENCHMARK_REFERENCE is on, and then it sits behind the same login and second
factor as every page and renders exactly 50 rows of one table."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

import config.urls
import etage.core.urls
from etage.core.views_reference import REFERENCE_ROWS

PATH = "/banc-de-mesure/reference/"

pytestmark = pytest.mark.django_db


def _reload_urls() -> None:
    importlib.reload(etage.core.urls)
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def reference_on() -> Iterator[None]:
    """The URL configuration as a server started with ETAGE_BENCHMARK_REFERENCE=true has it;
    the default one afterwards."""
    try:
        with override_settings(ETAGE_BENCHMARK_REFERENCE=True):
            _reload_urls()
            yield
    finally:
        _reload_urls()


def test_off_by_default_the_address_is_not_registered(client_for):
    with pytest.raises(NoReverseMatch):
        reverse("core:benchmark_reference")
    assert client_for("t1-coordination").get(PATH).status_code == 404


def test_on_it_renders_fifty_rows_of_one_table(reference_on, client_for):
    assert reverse("core:benchmark_reference") == PATH
    response = client_for("t1-coordination").get(PATH)
    assert response.status_code == 200
    expected = list(Permission.objects.order_by("pk").values_list("codename", flat=True)[:50])
    assert REFERENCE_ROWS == 50
    assert len(expected) == 50
    html = response.content.decode()
    assert html.count('data-testid="row"') == 50
    assert all(codename in html for codename in expected)
    # The site's layout, as the pages it is compared with.
    assert "site-nav" in html


def test_on_it_needs_a_login(reference_on, demo_reference):
    response = Client().get(PATH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_on_it_needs_the_second_factor_like_every_page(reference_on, client_for, settings):
    settings.ETAGE_DEMO_WAIVE_SECOND_FACTOR = False
    response = client_for("t1-coordination").get(PATH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor_enrol"))
