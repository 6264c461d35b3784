"""Round robin across hub processes on PostgreSQL: no turn is ever given out twice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.processes import hub_command, hub_env
from tests.test_intake_postgres import pg_database  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e

SETUP = """
from hub.rules.models import Category, Route
from hub.org.models import Department
route = Route.objects.create(position=1, category=Category.objects.get(slug="withdrawal"),
                             department=Department.objects.get(slug="finance"), staff_mode="round_robin")
print("PK", route.pk)
"""
# Each claim inside its own transaction, as store_page claims them.
CLAIM = """
from django.db import transaction
from hub.rules.routing import claim_turn_in_db
turns = []
for _ in range({n}):
    with transaction.atomic():
        turns.append(claim_turn_in_db({pk}))
print("TURNS", *turns)
"""


def test_processes_claiming_round_robin_turns_at_once_never_get_the_same_turn(
    tmp_path: Path, pg_database: str  # noqa: F811
) -> None:
    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", {"DATABASE_URL": pg_database})
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
    setup = subprocess.run(hub_command("shell", "-c", SETUP), env=env, check=True, timeout=60, capture_output=True, text=True)
    pk = int(marked(setup.stdout, "PK")[0])
    per_process, processes = 200, 4
    running = [
        subprocess.Popen(hub_command("shell", "-c", CLAIM.format(n=per_process, pk=pk)), env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    turns = []
    for p in running:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        turns += [int(t) for t in marked(out, "TURNS")]
    assert sorted(turns) == list(range(per_process * processes))


def marked(output: str, marker: str) -> list[str]:
    """The words after ``marker`` on its line (the shell may print other lines)."""
    line = next(line for line in output.splitlines() if line.startswith(marker + " "))
    return line.split()[1:]
