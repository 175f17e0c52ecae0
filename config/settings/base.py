"""Settings shared by every environment. Values that differ come from the environment,
read through the strict helpers of :mod:`config.env` (see ``.env.example``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_cache,
    env_database,
    env_int,
    env_list,
    env_path,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = env_path("ETAGE_DATA_DIR", BASE_DIR / "var")

SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789"
)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "etage.core",
    "etage.accounts",
    "etage.organisations",
    "etage.territories",
    "etage.households",
    "etage.situations",
    "etage.intake",
    "etage.procedures",
    "etage.references",
    "etage.support",
    "etage.demo",
    "etage.meetings",
    "etage.worklist",
    "etage.notifications",
    "etage.linkage",
    "etage.alerts",
    "etage.api",
    "etage.privacy",
    "etage.breakglass",
    "etage.analytics",
    "etage.evaluation",
    "etage.scenarios",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Slides the idle timeout, writing the session at most once a minute.
    "etage.accounts.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The person's own interface language, once they are known (LocaleMiddleware above only
    # knows the cookie and the browser).
    "etage.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Without a session (expired), a refusal is a request to log in; for HTMX, of the page.
    "etage.accounts.middleware.LoginRedirectMiddleware",
    "etage.accounts.middleware.SecondFactorMiddleware",
    # Reads of an archived situation need a stated reason (data-protection.md #12).
    "etage.situations.middleware.ArchiveReadMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the login page with its message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "etage.core.context_processors.platform",
                "etage.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", sqlite_path=DATA_DIR / "etage.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username + address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "etage.accounts.backends.EtageBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions expire after inactivity (data-protection.md #9): the expiry is pushed forward by
# the requests and the cookie dies with the browser.
SESSION_COOKIE_AGE = env_int("ETAGE_SESSION_IDLE_MINUTES", 30, minimum=5) * 60
# The idle timeout slides with each request, at most once a minute
# (etage.accounts.middleware.SessionIdleMiddleware): no session write per page.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# French by default; English as a second interface language, chosen per person (the field
# ``User.language``, applied after authentication by UserLanguageMiddleware). Pages seen before
# logging in follow the language cookie (set when a person saves their choice), then the
# browser's Accept-Language between these two, then French. Source strings are English, so
# English needs no catalogue (docs/architecture.md, "Translations").
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# The cookie only remembers the interface language for the login page: a preference the
# person set themselves (strictly necessary, no consent needed); scripts never read it.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# Uploaded documents live outside the web root and are served only through a permission check.
MEDIA_ROOT = env_path("ETAGE_MEDIA_DIR", DATA_DIR / "media")
# Pseudonymised Parquet snapshots that every analytics view reads (etage.analytics.store).
ETAGE_SNAPSHOT_DIR = env_path("ETAGE_SNAPSHOT_DIR", DATA_DIR / "snapshots")
# Largest document accepted (data-protection.md #20); checked before anything is stored.
ETAGE_MAX_UPLOAD_BYTES = env_int("ETAGE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1)
# Largest arrears extract accepted on the import page (docs/imports.md): a monthly extract of
# a large landlord runs to tens of megabytes.
ETAGE_MAX_IMPORT_BYTES = env_int("ETAGE_MAX_IMPORT_BYTES", 200 * 1024 * 1024, minimum=1)

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "etage@localhost")
# Address of this installation as people reach it: links in notification e-mails.
ETAGE_SITE_URL = env_str("ETAGE_SITE_URL", "http://127.0.0.1:8000")

# Content Security Policy (data-protection.md #19): no inline script, no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Procedure deadline rules (etage/procedures/deadlines.py, ``Rules``): the law's values are
# the defaults; override one here when the law or a prefectoral decision changes it. Dates
# are ISO strings, e.g. a winter truce extended to 15 April 2026:
# ETAGE_PROCEDURE_RULES = {"truce_end_overrides": ["2026-04-15"]}
ETAGE_PROCEDURE_RULES: dict[str, object] = {}

# Background work (architecture.md): the database backend of django-tasks, run by
# ``python manage.py db_worker`` (docs/operations.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# What runs after an arrears import has been written, in this order, each called with
# ``batch=<ArrearsImport>``: match the lines to known households, then evaluate the
# early-warning rules on them.
ETAGE_POST_IMPORT_STEPS: list[str] = [
    "etage.linkage.services.link_import",
    "etage.alerts.services.evaluate_import",
]

# Second factor (data-protection.md #9): TOTP for the roles of
# ``etage.accounts.roles.STRONG_AUTH_ROLES``, enrolled at first login (docs/operations.md).
OTP_TOTP_ISSUER = "ETAGE"
# django-otp's own per-device delay after a wrong code (1 s, 2 s, 4 s…) stays on; the lockout
# below counts wrong codes as failed logins too.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
#: Backup codes generated at enrolment, each usable once.
ETAGE_BACKUP_CODES = 10
# The demo may waive the second factor for demo accounts only (``User.is_demo``); production
# settings refuse to start when the environment asks for it.
ETAGE_DEMO_WAIVE_SECOND_FACTOR = env_bool("ETAGE_DEMO_WAIVE_SECOND_FACTOR", True)

# Lockout (django-axes): after ``AXES_FAILURE_LIMIT`` failed passwords or second-factor codes
# for one username from one address, that pair is refused for the cool-off; an administrator
# lifts it earlier with ``manage.py axes_reset_username <login>`` (docs/operations.md).
AXES_FAILURE_LIMIT = env_int("ETAGE_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("ETAGE_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "etage.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
# The client's address: REMOTE_ADDR, unless ETAGE_PROXY_COUNT says how many trusted reverse
# proxies add X-Forwarded-For (never trusted otherwise: a forged header would dodge the lockout).
_PROXY_COUNT = env_int("ETAGE_PROXY_COUNT", 0, minimum=0)
AXES_IPWARE_PROXY_COUNT = _PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if _PROXY_COUNT else ["REMOTE_ADDR"]
)

# Administrators' break-glass (data-protection.md #8): how long an emergency access lasts.
ETAGE_BREAK_GLASS_MINUTES = env_int("ETAGE_BREAK_GLASS_MINUTES", 30, minimum=5)

# Secret of the evaluators' pseudonymous identifiers (etage/privacy/pseudonymise.py,
# data-protection.md #7): HMAC key, never stored with the data. Production requires its own.
ETAGE_PSEUDONYM_DEV_KEY = "dev-only-pseudonym-key-do-not-use-in-production"
ETAGE_PSEUDONYM_KEY = env_str("ETAGE_PSEUDONYM_KEY", ETAGE_PSEUDONYM_DEV_KEY)

# How long access-log entries are kept, in months (data-protection.md #10; the CNIL advises
# six months to one year for traces): older entries are deleted by ``etage_retention``.
ETAGE_ACCESS_LOG_RETENTION_MONTHS = env_int("ETAGE_ACCESS_LOG_RETENTION_MONTHS", 12, minimum=6)

# The situations' life cycle (data-protection.md #12, #13), applied by ``etage_retention``:
# a closed situation without contact or action for ETAGE_ACTIVE_MONTHS moves to the
# intermediate archive (reads need a stated reason, valid ETAGE_ARCHIVE_READ_MINUTES); after
# ETAGE_ARCHIVE_MONTHS there it is irreversibly anonymised (unless a legal hold is set); the
# landlords' arrears lines and signals of a lease no situation concerns are deleted
# ETAGE_LANDLORD_SIGNAL_MONTHS after the lease's last line or signal.
ETAGE_ACTIVE_MONTHS = env_int("ETAGE_ACTIVE_MONTHS", 24, minimum=1)
ETAGE_ARCHIVE_MONTHS = env_int("ETAGE_ARCHIVE_MONTHS", 36, minimum=1)
ETAGE_LANDLORD_SIGNAL_MONTHS = env_int("ETAGE_LANDLORD_SIGNAL_MONTHS", 12, minimum=1)
ETAGE_ARCHIVE_READ_MINUTES = env_int("ETAGE_ARCHIVE_READ_MINUTES", 30, minimum=5)

# Demo accounts (created by ``etage_demo``) may log in only where this is true; production
# settings force it off whatever the environment says.
ETAGE_ALLOW_DEMO_ACCOUNTS = env_bool("ETAGE_ALLOW_DEMO_ACCOUNTS", True)

# The reference page of the web load benchmark (benchmarks/web.py, docs/performance.md): 50
# rows of one table behind the same middleware, session and login as every page, the floor
# the hot pages are measured against. Off by default: its address is then not registered.
ETAGE_BENCHMARK_REFERENCE = env_bool("ETAGE_BENCHMARK_REFERENCE", False)

# Cache: where the API's rate-limit counters live. The default (one memory per process) holds
# the limit only with a single process: production with several workers needs a shared one,
# ``db://etage_cache`` (after ``manage.py createcachetable``) or ``redis://…``.
CACHES = {"default": env_cache("ETAGE_CACHE_URL")}

# The landlords' REST API (etage.api, docs/api.md): bearer tokens only (no session, so no
# CSRF and no browser access), JSON only, French errors in one shape, per-token rate limits.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["etage.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["etage.api.permissions.HasToken"],
    "DEFAULT_THROTTLE_CLASSES": ["etage.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["etage.api.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "etage.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
}
#: Requests per token: pushes (POST) and reads (GET), ``<number>/<s|min|h|day>``.
ETAGE_API_RATES = {
    "write": env_rate("ETAGE_API_WRITE_RATE", "60/min"),
    "read": env_rate("ETAGE_API_READ_RATE", "600/min"),
}
#: Largest request body the API reads (bytes): 5,000 arrears lines fit with room to spare.
ETAGE_API_MAX_BODY_BYTES = env_int("ETAGE_API_MAX_BODY_BYTES", 8 * 1024 * 1024, minimum=1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "ETAGE — API des bailleurs",
    "DESCRIPTION": (
        "Les bailleurs sociaux envoient leurs lignes d'impayés et leurs faits datés (plaintes, "
        "étapes de procédure) et lisent l'état de leurs signalements. Authentification : "
        '`Authorization: Bearer <jeton>`. Erreurs : JSON `{"detail": …, "errors": [{"line", '
        '"field", "message"}]}` en français. Voir docs/api.md.\n\n'
        "Social landlords push arrears lines and dated signals and read the status of their "
        "referrals. Bearer-token authentication; errors are JSON with French messages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProcedureStageEnum": "etage.procedures.choices.EventKind",
        "ReferralStatusEnum": "etage.intake.models.ReferralStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ETAGE_LOG_LEVEL", "INFO")},
}

# Who receives the accessibility problems reported from the statement page (RGAA): the
# deployment sets a real, monitored address.
ETAGE_ACCESSIBILITY_CONTACT = env_str("ETAGE_ACCESSIBILITY_CONTACT", "accessibilite@localhost")
