"""``make demo`` (script/demo.py): it serves the dashboard, prints the URL and the logins, and a
second run keeps the data and the same logins."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mqtt.broker import free_port
from tests.paths import REPO

pytestmark = pytest.mark.e2e


def run_demo(data: Path, port: int, *extra: str) -> str:
    env = {**os.environ, "SHOPCRIER_DEMO_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([sys.executable, str(REPO / "script" / "demo.py"), "--seconds", "8", "--rate", "0", "--port", str(port), *extra],
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def logins(output: str) -> dict[str, str]:
    return dict(re.findall(r"^ {4}(\S+)\s+(\S+)\s+", output.split("logins (user, password, who):")[1], re.M))


def log_in(url: str, user: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(url + "login/", timeout=10)
    reply = session.post(url + "login/", data={"username": user, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                         headers={"Referer": url + "login/"}, timeout=10, allow_redirects=False)
    assert reply.status_code == 302, reply.text[:500]
    return session


def test_the_demo_prints_its_url_and_logins_and_keeps_them_between_runs(tmp_path: Path) -> None:
    port = free_port()
    first = run_demo(tmp_path / "demo", port)
    url = f"http://127.0.0.1:{port}/"
    assert f"dashboard           {url}" in first
    found = logins(first)
    assert {"admin", "orders", "finance", "service", "tech"} <= set(found)
    again = run_demo(tmp_path / "demo", port)
    assert logins(again) == found
    assert "updated source demo-shop" in again
    fresh = run_demo(tmp_path / "demo", port, "--reset")
    assert logins(fresh)["admin"] != found["admin"]


def test_a_demo_login_works_while_the_demo_runs(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SHOPCRIER_DEMO_DIR": str(tmp_path / "demo"), "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen([sys.executable, str(REPO / "script" / "demo.py"), "--rate", "0", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert demo.stdout is not None
        lines = []
        for line in demo.stdout:
            lines.append(line)
            if "Ctrl-C stops everything." in line:
                break
        output = "".join(lines)
        url = f"http://127.0.0.1:{port}/"
        session = log_in(url, "orders", logins(output)["orders"])
        page = session.get(url, timeout=10)
        assert page.status_code == 200 and 'id="feed"' in page.text
    finally:
        demo.terminate()
        demo.wait(60)
