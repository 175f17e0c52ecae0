"""Production: every secret from the environment, HTTPS only, demo accounts refused, second
factor for every strong role (``manage.py check --deploy`` passes with no warning: .ci/run)."""

from config.env import EnvError, env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise EnvError(
        "DJANGO_SECRET_KEY est trop court : au moins 50 caractères aléatoires "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise EnvError("DJANGO_ALLOWED_HOSTS est obligatoire en production (ex. : etage.example.org).")
ETAGE_ALLOW_DEMO_ACCOUNTS = False
ETAGE_PSEUDONYM_KEY = env_str("ETAGE_PSEUDONYM_KEY", required=True)
if ETAGE_PSEUDONYM_KEY == ETAGE_PSEUDONYM_DEV_KEY or len(ETAGE_PSEUDONYM_KEY) < 32:  # noqa: F405
    raise EnvError(
        "ETAGE_PSEUDONYM_KEY doit être un secret propre à l'installation, d'au moins "
        "32 caractères (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    )
if env_bool("ETAGE_DEMO_WAIVE_SECOND_FACTOR", False):
    raise EnvError(
        "ETAGE_DEMO_WAIVE_SECOND_FACTOR=true est refusé en production : "
        "le second facteur y est obligatoire."
    )
ETAGE_DEMO_WAIVE_SECOND_FACTOR = False

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
