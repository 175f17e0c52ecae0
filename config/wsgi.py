"""WSGI entry point. A malformed environment stops the worker with one clear line."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from config.env import EnvError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

try:
    application = get_wsgi_application()
except EnvError as exc:
    sys.stderr.write(f"Configuration invalide : {exc}\n")
    raise SystemExit(2) from None
