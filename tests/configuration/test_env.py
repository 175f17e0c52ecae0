"""The strict environment helpers: a malformed value names the variable and says why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import EnvError, env_bool, env_database, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("Oui", True), ("0", False), ("off", False)]
)
def test_booleans_accept_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_unset_values_fall_back_to_default(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    monkeypatch.setenv("X_EMPTY", "   ")
    assert env_bool("X_FLAG", True) is True
    assert env_int("X_EMPTY", 7) == 7
    assert env_list("X_FLAG", ["a"]) == ["a"]


def test_malformed_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("X_FLAG", "peut-être")
    with pytest.raises(EnvError, match="X_FLAG='peut-être' n'est pas un booléen"):
        env_bool("X_FLAG", False)


def test_integer_below_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("X_N", "2")
    with pytest.raises(EnvError, match="supérieur ou égal à 5"):
        env_int("X_N", 30, minimum=5)
    monkeypatch.setenv("X_N", "trente")
    with pytest.raises(EnvError, match="n'est pas un nombre entier"):
        env_int("X_N", 30)


def test_list_with_empty_item_is_refused(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example,,b.example")
    with pytest.raises(EnvError, match="élément vide"):
        env_list("X_HOSTS", [])


def test_required_value_must_be_present(monkeypatch):
    monkeypatch.delenv("X_SECRET", raising=False)
    with pytest.raises(EnvError, match="X_SECRET est obligatoire"):
        env_str("X_SECRET", required=True)


def test_database_defaults_to_sqlite_in_wal_mode(monkeypatch, tmp_path):
    monkeypatch.delenv("X_DB", raising=False)
    config = env_database("X_DB", sqlite_path=tmp_path / "data" / "etage.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert "foreign_keys=ON" in config["OPTIONS"]["init_command"]
    assert (tmp_path / "data").is_dir()


def test_database_url_for_postgresql_is_parsed(monkeypatch):
    monkeypatch.setenv("X_DB", "postgres://etage@db.example:5433/etage_prod")
    config = env_database("X_DB", sqlite_path=Path("/unused"))
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "etage_prod")


@pytest.mark.parametrize("raw", ["nonsense", "mysql://root@localhost/x", "postgres://host:5432/"])
def test_unusable_database_url_is_refused(monkeypatch, raw):
    monkeypatch.setenv("X_DB", raw)
    with pytest.raises(EnvError, match="X_DB="):
        env_database("X_DB", sqlite_path=Path("/unused"))


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_URL", "nonsense"), ("DJANGO_DEBUG", "maybe"), ("ETAGE_SESSION_IDLE_MINUTES", "x")],
)
def test_malformed_environment_stops_start_up_with_one_line(variable, value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", variable: value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration invalide : {variable}=")
    assert "Traceback" not in result.stderr


def test_production_settings_refuse_demo_accounts_and_require_a_secret():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.ETAGE_ALLOW_DEMO_ACCOUNTS, settings.SESSION_COOKIE_SECURE)"
    )
    base_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env = {**base_env, "DJANGO_SETTINGS_MODULE": "config.settings.prod"}
    without_secret = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert without_secret.returncode == 2
    assert "DJANGO_SECRET_KEY est obligatoire" in without_secret.stderr

    env |= {
        "DJANGO_SECRET_KEY": "une-clé-secrète-de-test-assez-longue-0123456789-abcdefghij",
        "DJANGO_ALLOWED_HOSTS": "etage.example.org",
        "ETAGE_ALLOW_DEMO_ACCOUNTS": "true",
        "ETAGE_PSEUDONYM_KEY": "p" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["False", "True"], result.stderr
