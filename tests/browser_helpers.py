"""The whole stack for browser tests, real parts only: private Mosquitto, ``shopcrier-hub run``,
``shopcrier-hub serve`` (daphne), one ``shopcrier-node``, and Debian's Chromium through Playwright."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from mqtt.broker import free_port, wait_listening
from tests.paths import REPO
from tests.processes import Proc, hub_command, hub_env, node_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SCREENSHOTS = REPO / "tests" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SECRET_ENV = "SHOPCRIER_BROWSER_WEBHOOK_SECRET"
SECRET = "browser-test-secret"
NODE = "spk-orders-1"

# Logins the tests use: (user name, password, staff number, department, manages); "boss" is the admin
PEOPLE = [
    ("li", "pw-li-orders", "101", "orders", ""),
    ("chen", "pw-chen-manager", "", "", "orders"),
    ("zhao", "pw-zhao-finance", "201", "finance", ""),
    ("boss", "pw-boss-admin", "", "", ""),
]

SETUP = """
from django.contrib.auth.models import User
from dashboard.models import DepartmentManager
from hub.intake.models import Source
from hub.org.models import Department, SpeakerNode, Staff
from hub.simulator import SOURCE_PRESET
Source.objects.create(name="shop", adapter="generic", url="http://127.0.0.1:1/unused",
                      interval_seconds=3600, **{{**SOURCE_PRESET, "webhook": {{"secret_env": "{secret_env}"}}}})
SpeakerNode.objects.create(node_id="{node}", department=Department.objects.get(slug="orders"), description="收银台旁")
for name, password, number, dept, manages in {people!r}:
    user = User.objects.create_user(name, password=password, is_superuser=name == "boss", is_staff=name == "boss")
    if number:
        Staff.objects.create(number=number, name=name, department=Department.objects.get(slug=dept), user=user)
    if manages:
        DepartmentManager.objects.create(user=user, department=Department.objects.get(slug=manages))
"""


@dataclass
class Stack:
    url: str
    procs: dict[str, Proc]
    node_config: Path
    log_dir: Path

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{p.log()[-2500:]}" for name, p in self.procs.items())

    def post_order(self, item: dict[str, Any]) -> requests.Response:
        body = json.dumps(item, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-ShopCrier-Timestamp": stamp, "X-ShopCrier-Signature": f"sha256={digest}"}
        return requests.post(f"{self.url}/hooks/shop/", data=body, headers=headers, timeout=10)


def node_toml(path: Path, broker_url: str, data_dir: Path) -> Path:
    path.write_text(
        f'id = "{NODE}"\nbroker = "{broker_url}?keepalive=5"\ndata_dir = "{data_dir}"\nheartbeat_interval = 5\n\n'
        '[[routes]]\nsubsystem = "ops"\ndepartment = "orders"\n'
    )
    return path


def start_stack(tmp_path: Path, broker_url: str, node_env: dict[str, str], extra_env: dict[str, str] | None = None) -> Stack:
    port = free_port()
    # where the speaker fetches prompt sounds: this serve (else it tries :8000 and every receipt carries that refusal)
    public = {"SHOPCRIER_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env = hub_env(tmp_path / "hub", broker_url, {**public, SECRET_ENV: SECRET, **(extra_env or {})})
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
    setup = SETUP.format(secret_env=SECRET_ENV, node=NODE, people=PEOPLE)
    subprocess.run(hub_command("shell", "-c", setup), env=env, check=True, timeout=120)
    procs = {
        "run": Proc("run", hub_command("run"), env, tmp_path),
        "serve": Proc("serve", hub_command("serve", f"127.0.0.1:{port}"), env, tmp_path),
    }
    config = node_toml(tmp_path / "node.toml", broker_url, tmp_path / "node")
    procs["node"] = Proc("node", node_command(config), node_env, tmp_path)
    wait_listening("127.0.0.1", port, 60)
    return Stack(f"http://127.0.0.1:{port}", procs, config, tmp_path)


@contextmanager
def serve_only(tmp_path: Path, setup_extra: str = "", then: Sequence[Sequence[str]] = ()) -> Iterator[str]:
    """``shopcrier-hub serve`` alone on a fresh database with the browser tests' logins (no broker,
    no ``run``); ``setup_extra`` is more shell code after the setup, ``then`` hub commands after it.
    Yields the URL."""
    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", {"SHOPCRIER_DASHBOARD_FOLLOW_MQTT": "0"})
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=180)
    setup = SETUP.format(secret_env="UNUSED_SECRET", node=NODE, people=PEOPLE)
    subprocess.run(hub_command("shell", "-c", setup + setup_extra), env=env, check=True, timeout=180)
    for args in then:
        subprocess.run(hub_command(*args), env=env, check=True, timeout=180)
    port = free_port()
    serve = Proc("serve", hub_command("serve", f"127.0.0.1:{port}"), env, tmp_path)
    try:
        wait_listening("127.0.0.1", port, 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        serve.terminate()


def stop_stack(stack: Stack) -> None:
    for proc in stack.procs.values():
        if proc.alive():
            proc.terminate()


# The locale a person's browser runs in, by the language of the page they read.
LOCALES = {"zh": "zh-CN", "en": "en-US"}


def chromium(locale: str = LOCALES["zh"]) -> Iterator[Browser]:
    """Chromium as a person of ``locale`` runs it. Chromium draws its own controls (a date field's
    年/月/日 or mm/dd/yyyy) in the language of its process (``LANGUAGE``, with Debian's
    chromium-l10n), which a context's ``locale=`` does not reach (microsoft/playwright#3934); so
    the browser is started in it, and contexts are opened with it too (:func:`log_in`)."""
    env: dict[str, str | float | bool] = {**os.environ, "LANGUAGE": locale.replace("-", "_")}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [f"--lang={locale}"], headless=True, env=env)
        try:
            yield browser
        finally:
            browser.close()


# Desktop notifications are the operating system's: the page's calls are recorded at the
# Notification constructor (the real one still runs), and "the tab is in the background"
# is what the test says it is.
NOTIFICATIONS_SEAM = """
(() => {
  const Real = window.Notification;
  window.__notes = [];
  function Recorded(title, options) { window.__notes.push({title, body: options && options.body}); return new Real(title, options); }
  Object.defineProperty(Recorded, "permission", {get: () => Real.permission});
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
  Object.defineProperty(Document.prototype, "hidden", {get: () => window.__pretendHidden === true});
})();
"""


def log_in(browser: Browser, url: str, user: str, password: str, viewport: dict[str, int] = DESKTOP,
           notifications: bool = False, locale: str = LOCALES["zh"]) -> Page:
    """A person opens the hub, lands on the login page and logs in with the form.

    ``notifications``: the person allowed desktop notifications (recorded in ``window.__notes``).
    ``locale``: the person's (the browser's, :func:`chromium`).
    """
    context = browser.new_context(viewport=viewport, locale=locale)  # type: ignore[arg-type]
    if notifications:
        context.grant_permissions(["notifications"], origin=url)
        context.add_init_script(NOTIFICATIONS_SEAM)
    page = context.new_page()
    page.on("console", lambda m: print(f"[{user} console] {m.type}: {m.text}"))  # in the test log when it fails
    page.on("response", lambda r: print(f"[{user}] {r.status} {r.request.method} {r.url}") if r.request.method == "POST" else None)
    page.goto(url + "/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_selector("#feed")
    page.wait_for_function("window.ShopCrier && window.ShopCrier.connected === true")
    return page


def shoot(page: Page, name: str, attempts: int = 8) -> Path:
    """The page as a person sees it, into tests/screenshots/ (the tab brought to the front first:
    headless Chromium sometimes refuses to capture a background tab while others are busy).

    Chromium also refuses ("Unable to capture screenshot") while the page is being replaced: a
    story page reloads itself on each change of its message, and on a loaded machine those can
    come one after another. So each try waits for the page to have loaded, and a refused one
    is tried again half a second later, up to ``attempts`` times."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    for _ in range(attempts - 1):
        page.bring_to_front()
        page.wait_for_load_state("load")
        try:
            page.screenshot(path=str(path), full_page=False)
            return path
        except PlaywrightError:
            page.wait_for_timeout(500)
    page.bring_to_front()
    page.wait_for_load_state("load")
    page.screenshot(path=str(path), full_page=False)  # the last try: its error is the test's
    return path
