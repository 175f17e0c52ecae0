#!/usr/bin/env python
"""Django's command-line utility for ETAGE."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    from config.env import EnvError

    try:
        execute_from_command_line(sys.argv)
    except EnvError as exc:
        # A malformed environment stops start-up with one line, not a traceback.
        sys.stderr.write(f"Configuration invalide : {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
