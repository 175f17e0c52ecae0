"""Local development and the demo (``make demo``): SQLite, console e-mail, debug pages."""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
