"""Test settings: the same code paths as production, with fast hashing and in-memory mail."""

import os

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ETAGE_ALLOW_DEMO_ACCOUNTS = True
# Demo accounts skip the second factor, so that tests logging them in keep working; the
# second-factor tests turn this off.
ETAGE_DEMO_WAIVE_SECOND_FACTOR = True
# Background tasks run at once, in the request or command that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# On SQLite the test database is a file (not the default in-memory one) so that threads in
# the concurrency tests get real, separate connections that queue on the write lock exactly
# as production processes do. One file per process, so parallel runs never share it.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(DATA_DIR / "tests" / f"test-etage-{os.getpid()}.sqlite3")  # noqa: F405
    }
    (DATA_DIR / "tests").mkdir(parents=True, exist_ok=True)  # noqa: F405

# Analytics snapshots of the tests (etage_demo writes one) stay out of var/snapshots.
ETAGE_SNAPSHOT_DIR = DATA_DIR / "tests" / f"snapshots-{os.getpid()}"  # noqa: F405
