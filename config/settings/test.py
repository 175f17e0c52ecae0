"""Test settings: the same code paths as production, with fast hashing and in-memory mail."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ETAGE_ALLOW_DEMO_ACCOUNTS = True
