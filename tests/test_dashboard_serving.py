"""Serving it for real: ``shopcrier-hub serve`` (daphne + static files), production checks, demo logins,
the Redis channel layer for several web processes."""

from __future__ import annotations

import io
import json
import subprocess
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer

from dashboard.demo import ensure_demo_logins
from hub import env
from mqtt.broker import free_port, wait_listening
from tests.processes import Proc, hub_command, hub_env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    environ = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", {"SHOPCRIER_DASHBOARD_FOLLOW_MQTT": "0"})
    subprocess.run(hub_command("migrate", "-v0"), env=environ, check=True, timeout=180)
    port = free_port()
    proc = Proc("serve", hub_command("serve", f"127.0.0.1:{port}"), environ, tmp_path)
    try:
        wait_listening("127.0.0.1", port, 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()


def test_serve_answers_pages_and_serves_the_admins_and_dashboards_static_files(served: str) -> None:
    assert requests.get(served + "/", allow_redirects=False, timeout=10).headers["Location"].startswith("/login/")
    for path in ("/static/admin/css/base.css", "/static/dashboard/dashboard.css", "/static/dashboard/live.js",
                 "/static/dashboard/icon-192.png"):
        assert requests.get(served + path, timeout=10).status_code == 200, path


def test_the_web_app_manifest_service_worker_and_offline_page_make_it_installable(served: str) -> None:
    manifest = requests.get(served + "/manifest.webmanifest", timeout=10)
    assert manifest.headers["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["display"] == "standalone" and data["start_url"] == "/"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in data["icons"]}
    worker = requests.get(served + "/sw.js", timeout=10)
    assert worker.headers["Content-Type"].startswith("text/javascript") and "/offline/" in worker.text
    assert "无法连接到中心" in requests.get(served + "/offline/", timeout=10).text


def test_each_category_and_priority_has_its_own_sound_and_a_made_up_one_is_404(served: str) -> None:
    normal = requests.get(served + "/sounds/order-normal.wav", timeout=10)
    urgent = requests.get(served + "/sounds/order-urgent.wav", timeout=10)
    assert normal.headers["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(normal.content)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000) and w.getnframes() > 4000
    assert normal.content != urgent.content
    assert requests.get(served + "/sounds/order-loud.wav", timeout=10).status_code == 404


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    environ = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", {"SHOPCRIER_TLS": "1", "SHOPCRIER_ALLOWED_HOSTS": "shop.example"})
    done = subprocess.run(hub_command("check", "--deploy", "--fail-level", "WARNING"), env=environ, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    plain = subprocess.run(hub_command("check", "--deploy", "--fail-level", "WARNING"), env=hub_env(tmp_path / "hub2", "mqtt://127.0.0.1:1"),
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0 and "SESSION_COOKIE_SECURE" in plain.stderr + plain.stdout


@pytest.mark.django_db
def test_demo_logins_are_made_once_and_kept_between_runs(tmp_path: Path) -> None:
    first = ensure_demo_logins(tmp_path)
    again = ensure_demo_logins(tmp_path)
    assert first == again
    names = [login.username for login in first]
    assert names[0] == "admin" and {"orders", "finance", "service", "tech"} <= set(names)
    finance = next(login for login in first if login.username == "finance")
    assert "003" in finance.what  # finance's login is 王芳, staff 003
    assert json.loads((tmp_path / "demo-logins.json").read_text())["orders"] == next(l.password for l in first if l.username == "orders")
    assert (tmp_path / "demo-logins.json").stat().st_mode & 0o077 == 0


def test_a_malformed_redis_url_is_refused_naming_the_setting() -> None:
    with pytest.raises(env.EnvError, match="SHOPCRIER_REDIS_URL"):
        env.channel_layers("http://127.0.0.1:6379")
    assert env.channel_layers("")["default"]["BACKEND"].endswith("InMemoryChannelLayer")


def test_with_redis_a_group_send_from_one_web_process_reaches_a_socket_on_another() -> None:
    config = env.channel_layers("redis://127.0.0.1:6379/0", f"shopcrier-test-{uuid.uuid4().hex[:8]}")["default"]["CONFIG"]

    async def exchange() -> dict[str, object]:
        sender, receiver = RedisChannelLayer(**config), RedisChannelLayer(**config)
        channel = await receiver.new_channel()
        await receiver.group_add("feed.dept.orders", channel)
        await sender.group_send("feed.dept.orders", {"type": "feed.message", "id": 7})
        got: dict[str, object] = await receiver.receive(channel)
        await receiver.flush()
        return got

    assert async_to_sync(exchange)() == {"type": "feed.message", "id": 7}
