"""Strict readers of the environment.

Every setting that comes from the environment goes through one of these helpers, so that a
malformed value stops start-up with one clear line instead of a traceback deep in Django.
``manage.py``, ``wsgi.py`` and ``asgi.py`` catch :class:`EnvError` and print its message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

_TRUE = {"1", "true", "yes", "on", "oui", "vrai"}
_FALSE = {"0", "false", "no", "off", "non", "faux"}
_DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


class EnvError(Exception):
    """A variable of the environment is malformed; the message names it and says why."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None:
        if required or default is None:
            raise EnvError(f"{name} est obligatoire mais n'est pas défini (voir .env.example).")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name}={value!r} n'est pas un booléen (attendu : true/false, 1/0, yes/no).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name}={value!r} n'est pas un nombre entier.") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name}={number} doit être supérieur ou égal à {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(item == "" for item in items):
        raise EnvError(
            f"{name}={value!r} contient un élément vide (liste séparée par des virgules)."
        )
    return items


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    return Path(value).expanduser().resolve() if value is not None else default


def env_database(name: str, *, sqlite_path: Path) -> dict[str, Any]:
    """Return Django's DATABASES["default"]: SQLite under ``sqlite_path`` unless ``name`` is set.

    SQLite runs in WAL mode with IMMEDIATE transactions: readers never block the writer and
    two writers queue instead of failing half-way with "database is locked".
    """
    value = _raw(name)
    if value is None:
        return sqlite_config(sqlite_path)
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme not in _DB_SCHEMES:
        raise EnvError(
            f"{name}={value!r} n'est pas une URL de base de données reconnue "
            "(attendu : postgres://utilisateur@hôte:5432/base ou sqlite:///chemin/fichier.sqlite3)."
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(value, conn_max_age=60))
    except ValueError as exc:
        raise EnvError(f"{name}={value!r} est mal formé : {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return sqlite_config(Path(config["NAME"]))
    if not config.get("NAME"):
        raise EnvError(f"{name}={value!r} ne nomme pas de base (…:5432/nom_de_la_base).")
    config["CONN_HEALTH_CHECKS"] = True
    return config


def sqlite_config(path: Path) -> dict[str, Any]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvError(f"Impossible de créer le dossier de données {path.parent} : {exc}") from None
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }


_RATE_UNITS = {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}


def env_rate(name: str, default: str) -> str:
    """A request rate for the API's throttling: ``<number>/<unit>`` (unit s, min, h or day)."""
    value = _raw(name) or default
    number, _sep, unit = value.partition("/")
    if not number.isdigit() or int(number) < 1 or unit not in _RATE_UNITS:
        raise EnvError(
            f"{name}={value!r} n'est pas un débit (attendu : nombre/unité, par ex. 60/min ; "
            "unités : s, min, h, day)."
        )
    return value


def env_cache(name: str) -> dict[str, Any]:
    """Django's CACHES["default"] from a URL: ``locmem://`` (default, one per process),
    ``db://<table>`` (database cache; ``manage.py createcachetable``) or ``redis://…``."""
    value = _raw(name) or "locmem://"
    scheme, _sep, rest = value.partition("://")
    scheme = scheme.lower()
    if scheme == "locmem" and _sep:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if scheme == "db" and rest.strip("/"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest.strip("/"),
        }
    if scheme in {"redis", "rediss"} and rest:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}
    raise EnvError(
        f"{name}={value!r} n'est pas un cache reconnu (attendu : locmem://, db://nom_de_table "
        "ou redis://hôte:6379/0)."
    )
