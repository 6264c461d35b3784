"""Two admins saving at once lose nothing: each save reads the ordered table and loads it back
whole, so without the table lock one admin's new rule would be pruned by the other's save.
Against a real ``shopcrier-hub serve`` on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from mqtt.broker import free_port, wait_listening
from tests.browser_helpers import PEOPLE, SETUP
from tests.postgres import postgres_database
from tests.processes import Proc, hub_command, hub_env

pytestmark = pytest.mark.e2e

COUNT_RULES = """
from hub.rules.models import Rule
rows = list(Rule.objects.order_by("position", "id").values_list("name", "position"))
print("RULES", ";".join(f"{n}={p}" for n, p in rows))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with postgres_database() if request.param == "postgresql" else _no_database() as url:
        extra = {"SHOPCRIER_DASHBOARD_FOLLOW_MQTT": "0", **({"DATABASE_URL": url} if url else {})}
        env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", extra)
        subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
        subprocess.run(hub_command("shell", "-c", SETUP.format(secret_env="UNUSED", node="spk-1", people=PEOPLE)),
                       env=env, check=True, timeout=180)
        port = free_port()
        serve = Proc("serve", hub_command("serve", "--no-collectstatic", f"127.0.0.1:{port}"), env, tmp_path)
        try:
            wait_listening("127.0.0.1", port, 60)
            yield f"http://127.0.0.1:{port}", env
        finally:
            serve.terminate()


class _no_database:
    def __enter__(self) -> str:
        return ""

    def __exit__(self, *exc: object) -> None:
        return None


def admin_session(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(url + "/login/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    session.post(url + "/login/", data={"csrfmiddlewaretoken": token.group(1), "username": "boss", "password": "pw-boss-admin"},
                 headers={"Referer": url + "/login/"}, timeout=30)
    return session


def add_rule(url: str, session: requests.Session, name: str) -> int:
    page = session.get(url + "/settings/rules/new", timeout=60).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = {"csrfmiddlewaretoken": token.group(1), "name": name, "kind": "keyword", "patterns": name, "category": "order",
            "enabled": "on"}
    return session.post(url + "/settings/rules/new", data=form, headers={"Referer": url + "/settings/rules/new"},
                        allow_redirects=False, timeout=120).status_code


def test_rules_added_by_two_admins_at_once_are_all_kept_in_one_order(served: tuple[str, dict[str, str]]) -> None:
    url, env = served
    sessions = [admin_session(url) for _ in range(2)]
    names = [f"并发规则{i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda i: add_rule(url, sessions[i % 2], names[i]), range(len(names))))
    assert codes == [302] * len(names)
    out = subprocess.run(hub_command("shell", "-c", COUNT_RULES), env=env, check=True, timeout=120, capture_output=True, text=True).stdout
    rules = [pair.split("=") for pair in out.split("RULES ", 1)[1].strip().split(";")]
    kept = [n for n, _ in rules]
    assert sorted(n for n in kept if n.startswith("并发规则")) == sorted(names)
    positions = [int(p) for _, p in rules]
    assert len(set(positions)) == len(positions)  # one order, no two rules in one place
