"""Before a command touches the database: is it there, and is it set up?

A new user's first command is often ``load`` or ``createsuperuser`` before
``migrate``; Django's answer is a 70-line traceback ending in "no such
table". :func:`database_problem` says instead, in one line, what is wrong and
which command mends it. Commands that need no database (``migrate`` itself,
``help``, ``makemigrations`` …) are not checked.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

# Commands that run without a set-up database; every other command is checked first.
NO_DATABASE = frozenset(
    {
        "help", "version", "check", "migrate", "makemigrations", "showmigrations", "sqlmigrate", "squashmigrations",
        "optimizemigration", "startapp", "startproject", "collectstatic", "compilemessages", "makemessages",
        "diffsettings", "dbshell", "shell", "test", "sendtestemail",
    }
)
MIGRATE = "shopcrier-hub migrate"


def needs_database(argv: list[str]) -> bool:
    """Whether the command line names a command that needs the database (a bare
    ``shopcrier-hub`` or ``--help`` does not)."""
    words = argv[1:]
    if not words or words[0].startswith("-") or "--help" in words or "-h" in words:
        return False
    return words[0] not in NO_DATABASE


def database_problem(alias: str = "default") -> str:
    """One line saying why commands cannot use the database yet; "" when they can."""
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[alias]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return unreachable(exc)
    if not pending:
        return ""
    if not executor.loader.applied_migrations:
        return f"the database is not set up yet: run `{MIGRATE}` first (it creates the tables and the default configuration)"
    return f"the database is not up to date ({len(pending)} migration(s) to apply): run `{MIGRATE}` first"


def unreachable(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot use the database ({first}): check DATABASE_URL and that the database server is running"


def explain(exc: DatabaseError) -> str:
    """A database error met while a command ran, in one line (a missing table means no migrate)."""
    text = str(exc)
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return f"the database is not set up ({text.strip().splitlines()[0]}): run `{MIGRATE}` first"
    return unreachable(exc)
