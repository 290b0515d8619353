#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mpoffice.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A deployment mistake: say which variable, without a traceback to wade through.
        sys.exit(f"Configuration error: {error}")


if __name__ == "__main__":
    main()
