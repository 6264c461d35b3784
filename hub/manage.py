"""``shopcrier-hub``: the hub's Django management entry point."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django
    from django.db import DatabaseError

    from hub.cli_help import HubUtility
    from hub.env import EnvError
    from hub.first_steps import database_problem, explain, needs_database

    argv = argv or sys.argv
    try:
        if needs_database(argv):
            django.setup()
            problem = database_problem()
            if problem:
                sys.exit(f"shopcrier-hub: {problem}")
        HubUtility(argv).execute()
    except EnvError as exc:
        sys.exit(f"shopcrier-hub: configuration error: {exc}")
    except DatabaseError as exc:  # no traceback for a user: say what is wrong and what mends it
        sys.exit(f"shopcrier-hub: {explain(exc)}")


if __name__ == "__main__":
    main()
