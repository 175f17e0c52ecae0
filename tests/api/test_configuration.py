"""The API's settings come from the environment through strict helpers."""

from __future__ import annotations

import pytest

from config.env import EnvError, env_cache, env_rate


def test_rates_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETAGE_API_WRITE_RATE", raising=False)
    assert env_rate("ETAGE_API_WRITE_RATE", "60/min") == "60/min"
    monkeypatch.setenv("ETAGE_API_WRITE_RATE", "10/s")
    assert env_rate("ETAGE_API_WRITE_RATE", "60/min") == "10/s"
    for bad in ("beaucoup", "0/min", "60/week", "60"):
        monkeypatch.setenv("ETAGE_API_WRITE_RATE", bad)
        with pytest.raises(EnvError, match="ETAGE_API_WRITE_RATE"):
            env_rate("ETAGE_API_WRITE_RATE", "60/min")


def test_the_cache_is_chosen_by_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETAGE_CACHE_URL", raising=False)
    assert env_cache("ETAGE_CACHE_URL")["BACKEND"].endswith("LocMemCache")
    monkeypatch.setenv("ETAGE_CACHE_URL", "db://etage_cache")
    assert env_cache("ETAGE_CACHE_URL") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "etage_cache",
    }
    monkeypatch.setenv("ETAGE_CACHE_URL", "redis://127.0.0.1:6379/1")
    assert env_cache("ETAGE_CACHE_URL")["LOCATION"] == "redis://127.0.0.1:6379/1"
    monkeypatch.setenv("ETAGE_CACHE_URL", "memcached://x")
    with pytest.raises(EnvError, match="ETAGE_CACHE_URL"):
        env_cache("ETAGE_CACHE_URL")
