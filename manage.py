#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.environment import settings_or_exit

    settings_or_exit()  # a wrong setting: one line naming it, no traceback

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
