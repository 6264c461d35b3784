"""``shopcrier-hub``: the hub's Django management entry point."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    from django.core.management import execute_from_command_line

    from hub.env import EnvError

    try:
        execute_from_command_line(argv or sys.argv)
    except EnvError as exc:
        sys.exit(f"shopcrier-hub: configuration error: {exc}")


if __name__ == "__main__":
    main()
