"""Production settings pass ``manage.py check --deploy`` with no warning (data-protection.md
#19; also run by .ci/run) and refuse to start on an unsafe environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "ETAGE_")) or k == "ETAGE_DATA_DIR"
    }
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "ETAGE_PSEUDONYM_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "etage.example.org",
        **overrides,
    }


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_settings_are_hardened():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.ETAGE_ALLOW_DEMO_ACCOUNTS, s.ETAGE_DEMO_WAIVE_SECOND_FACTOR, "
        "s.AUTHENTICATION_BACKENDS[0], s.MIDDLEWARE[-1], s.AXES_FAILURE_LIMIT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "True",
        "False",
        "False",
        "axes.backends.AxesStandaloneBackend",
        "axes.middleware.AxesMiddleware",
        "5",
    ], result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"ETAGE_DEMO_WAIVE_SECOND_FACTOR": "true"},
            "ETAGE_DEMO_WAIVE_SECOND_FACTOR=true est refusé",
        ),
        ({"DJANGO_SECRET_KEY": "trop-court"}, "DJANGO_SECRET_KEY est trop court"),
        ({"DJANGO_SECRET_KEY": "x" * 60}, "DJANGO_SECRET_KEY est trop court"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS est obligatoire"),
        ({"ETAGE_LOCKOUT_FAILURES": "0"}, "ETAGE_LOCKOUT_FAILURES=0"),
    ],
)
def test_production_refuses_to_start_on_an_unsafe_environment(overrides, message):
    result = manage("check", env=production_env(**overrides))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
