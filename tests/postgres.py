"""A fresh PostgreSQL database for a test, on the local server (``SHOPCRIER_TEST_POSTGRES`` names another)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import psycopg

ADMIN_URL = os.environ.get("SHOPCRIER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def postgres_database(prefix: str = "shopcrier_test") -> Iterator[str]:
    """Creates a randomly named database (tests run side by side), yields its URL, drops it afterwards.

    A server that cannot be reached fails loudly, naming the URL and how to point elsewhere."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True)
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"PostgreSQL is needed at {ADMIN_URL} (set SHOPCRIER_TEST_POSTGRES to another admin URL): {exc}"
        ) from None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
