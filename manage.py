#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nocrm_site.settings")
    from django.core.management import execute_from_command_line

    from nocrm_site.embedded_pg.places import ClusterUnreachable

    try:
        execute_from_command_line(sys.argv)
    except ClusterUnreachable as error:
        sys.exit(str(error))  # a sentence saying what to do; a traceback would bury it


if __name__ == "__main__":
    main()
