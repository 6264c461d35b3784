"""People at their screens, in Debian's Chromium, against the real stack (tests/browser_helpers.py).

An orders clerk logs in; an order posted to the webhook appears without a
reload and its sound plays; the clerk acknowledges it and the manager's open
page (a phone) shows that at once; a finance clerk never sees it; a speaker
killed mid-test shows as down. Screenshots land in tests/screenshots/.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from mqtt.broker import Mosquitto
from mqtt.broker import free_port, wait_listening
from tests.browser_helpers import (
    DESKTOP, LOCALES, PHONE, SECRET, SECRET_ENV, Stack, chromium, log_in, shoot, start_stack, stop_stack,
)
from tests.conftest import AlsaSink
from tests.processes import Proc, hub_command, hub_env

pytestmark = pytest.mark.e2e

ORDER = {"id": "b-1", "user": {"id": "u-501", "name": "张三"}, "content": "客户张三提交了订单10023，金额¥128.00", "app": "web"}


@pytest.fixture
def stack(tmp_path: Path, broker: Mosquitto, alsa_sink: AlsaSink) -> Iterator[Stack]:
    running = start_stack(tmp_path, broker.url, alsa_sink.env)
    try:
        yield running
    finally:
        stop_stack(running)


@pytest.fixture
def browser() -> Iterator[Browser]:
    yield from chromium()


def test_an_order_reaches_the_orders_clerk_live_with_its_sound_and_the_acknowledgement_reaches_the_manager(
    stack: Stack, browser: Browser
) -> None:
    clerk = log_in(browser, stack.url, "li", "pw-li-orders", DESKTOP, notifications=True)
    manager = log_in(browser, stack.url, "chen", "pw-chen-manager", PHONE)
    finance = log_in(browser, stack.url, "zhao", "pw-zhao-finance", DESKTOP)
    clerk.click("#enable-sound")
    clerk.evaluate("window.__pretendHidden = true")  # the clerk is in another tab

    reply = stack.post_order(ORDER)
    assert reply.status_code == 200 and reply.json()["stored"] == 1, reply.text
    row = "li.msg:has-text('订单10023')"
    clerk.wait_for_selector(row, timeout=20000)
    manager.wait_for_selector(row, timeout=20000)
    assert clerk.evaluate("window.ShopCrier.openCount") == 1
    assert clerk.title().startswith("(1) ")
    clerk.wait_for_function("window.ShopCrier.sound.played.length === 1", timeout=10000)
    assert clerk.evaluate("window.ShopCrier.sound.played[0].src").endswith("/sounds/order-normal.wav")
    assert clerk.evaluate("window.ShopCrier.sound.errors") == []
    assert clerk.evaluate("window.__notes") == [{"title": "消息 — 店铺播报", "body": ORDER["content"]}]
    clerk.evaluate("window.__pretendHidden = false")
    # the day filter is named in the page's language (the browser, in the person's locale, draws 年/月/日 in it)
    assert clerk.inner_text("form.filters label.day") == "日期"
    assert clerk.evaluate("navigator.language") == "zh-CN"
    shoot(clerk, "feed-desktop-new-order")

    clerk.click(f"{row} button.ack")
    manager.wait_for_selector(f"{row}[data-state='acknowledged']", timeout=10000)
    assert "101" in manager.inner_text(row)
    clerk.wait_for_selector(f"{row}[data-state='acknowledged']", timeout=10000)
    assert not clerk.title().startswith("(")
    shoot(manager, "feed-phone-acknowledged")
    manager.click("#filter-box > summary")  # on a phone the filters fold away
    manager.wait_for_selector("form.filters label.day", state="visible")
    assert manager.inner_text("form.filters label.day") == "日期"
    shoot(manager, "feed-phone-filters")

    # the finance clerk's page heard nothing, and a reload (from the database) agrees
    assert finance.query_selector(row) is None
    finance.reload()
    finance.wait_for_selector("#rows")
    assert finance.query_selector(row) is None
    assert "订单10023" not in finance.content()

    clerk.click(f"{row} a.text")
    # the story reloads itself when its message changes: wait for the speaker's receipt to be on it
    clerk.wait_for_selector(".timeline td.st-played", timeout=20000)
    story = clerk.inner_text(".timeline")
    assert "已接收" in story and "已识别" in story and "订单部门" in story
    assert "101" in story.split("已确认")[-1]
    shoot(clerk, "story-desktop")
    manager.goto(clerk.url)
    manager.wait_for_selector(".timeline td.st-played")
    for page in (clerk, manager):  # the receipts' table stays on the screen (it became cards on the phone)
        assert fits_sideways(page)
    shoot(manager, "story-phone")


def test_an_english_reader_in_an_english_browser_gets_the_feed_in_english(stack: Stack) -> None:
    """A clerk who chose English, in Chromium running en-US: the category, the day field's name and
    the browser's own mm/dd/yyyy in it are all English (screenshots feed-en-*)."""
    order = {**ORDER, "id": "b-en-1"}
    for browser in chromium(LOCALES["en"]):
        clerk = log_in(browser, stack.url, "li", "pw-li-orders", DESKTOP, locale=LOCALES["en"])
        clerk.click("header .who button[name=language]")
        clerk.wait_for_selector("html[lang=en]")
        clerk.wait_for_function("window.ShopCrier && window.ShopCrier.connected === true")
        phone = log_in(browser, stack.url, "li", "pw-li-orders", PHONE, locale=LOCALES["en"])
        assert phone.get_attribute("html", "lang") == "en"
        reply = stack.post_order(order)
        assert reply.status_code == 200 and reply.json()["stored"] == 1, reply.text
        row = "li.msg:has-text('订单10023')"
        for page in (clerk, phone):
            page.wait_for_selector(row, timeout=20000)
            assert page.inner_text(f"{row} .cat") == "Order"
            assert page.evaluate("navigator.language") == "en-US"
        assert clerk.inner_text("form.filters label.day") == "Day"
        shoot(clerk, "feed-en-desktop")
        phone.click("#filter-box > summary")
        phone.wait_for_selector("form.filters label.day", state="visible")
        shoot(phone, "feed-en-phone-filters")


def fits_sideways(page: Page) -> bool:
    """Nothing runs off the screen sideways (asked again if the page reloaded itself meanwhile)."""
    for _ in range(3):
        try:
            return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
        except PlaywrightError:
            page.wait_for_load_state()
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_speaker_killed_mid_test_shows_as_down_on_the_fleet_page(stack: Stack, browser: Browser) -> None:
    manager = log_in(browser, stack.url, "chen", "pw-chen-manager", DESKTOP)
    manager.goto(stack.url + "/fleet/")
    manager.wait_for_selector("tr[data-node='spk-orders-1'][data-status='up']", timeout=60000)
    # the speaker's heartbeat names who speaks each language (its real speech engine describes itself)
    manager.wait_for_function("document.querySelector(\"tr[data-node='spk-orders-1'] td.voices\").innerText.includes('English: piper')",
                              timeout=30000)
    assert "中文: " in manager.inner_text("tr[data-node='spk-orders-1'] td.voices")
    shoot(manager, "fleet-desktop-up")
    manager.click("tr[data-node='spk-orders-1'] form.cmd:has(input[value='identify']) button")
    manager.wait_for_selector("tr[data-node='spk-orders-1'] output.reply.ok", timeout=20000)
    stack.procs["node"].kill()
    manager.wait_for_selector("tr[data-node='spk-orders-1'][data-status='down']", timeout=60000)
    manager.wait_for_selector(".banner", timeout=20000)
    shoot(manager, "fleet-desktop-down")
    phone = log_in(browser, stack.url, "chen", "pw-chen-manager", PHONE)
    phone.goto(stack.url + "/fleet/")
    phone.wait_for_selector("tr[data-node='spk-orders-1'][data-status='down']")
    shoot(phone, "fleet-phone-down")


def test_an_admin_tries_a_sentence_and_drags_a_rule_to_the_top_on_the_settings_page(stack: Stack, browser: Browser) -> None:
    boss = log_in(browser, stack.url, "boss", "pw-boss-admin", DESKTOP)
    boss.goto(stack.url + "/settings/")
    boss.fill("form.try input[name=text]", "用户李四申请了提现，请及时审核")
    boss.click("form.try button")
    boss.wait_for_selector("#trial")
    assert "财务部门" in boss.inner_text("#trial")
    shoot(boss, "settings-desktop-try-it")
    rows = boss.query_selector_all("#rules tbody tr")
    last_rule = rows[-1].get_attribute("data-rule")
    # a person's drag: the table in view, press on the last rule's grip, move over the first rule's upper half, let go
    boss.evaluate("document.getElementById('rules').scrollIntoView()")
    boss.hover(f"#rules tr[data-rule='{last_rule}'] td.grip")
    boss.mouse.down()
    first = boss.query_selector("#rules tbody tr:first-child td.grip")
    assert first is not None
    box = first.bounding_box()
    assert box is not None
    for step in range(1, 6):
        boss.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * step / 20)
    boss.mouse.up()
    boss.wait_for_selector("#rules-saved.ok", timeout=10000)
    boss.goto(stack.url + "/settings/")
    assert boss.query_selector("#rules tbody tr").get_attribute("data-rule") == last_rule  # type: ignore[union-attr]
    phone = log_in(browser, stack.url, "boss", "pw-boss-admin", PHONE)
    phone.goto(stack.url + "/settings/")
    shoot(phone, "settings-phone")
    # the Django admin stays for everything else, and is styled (its static files are served)
    boss.goto(stack.url + "/admin/org/staff/")
    boss.wait_for_selector("#changelist")
    header = boss.evaluate("getComputedStyle(document.getElementById('header')).backgroundColor")
    assert header not in ("rgba(0, 0, 0, 0)", "transparent")
    shoot(boss, "admin-desktop-staff")


def test_the_login_page_in_chinese_on_a_phone_and_a_pc(stack: Stack, browser: Browser) -> None:
    for name, viewport in (("login-desktop", DESKTOP), ("login-phone", PHONE)):
        page = browser.new_context(viewport=viewport, locale=LOCALES["zh"]).new_page()  # type: ignore[arg-type]
        page.goto(stack.url + "/")
        page.wait_for_selector("input[name=username]")
        assert "用户名" in page.inner_text("form")
        shoot(page, name)
        page.fill("input[name=username]", "li")
        page.fill("input[name=password]", "wrong")
        page.click("button.primary")
        assert "用户名和密码不匹配" in page.inner_text(".login")


def test_installed_on_a_phone_it_shows_a_useful_page_when_the_hub_cannot_be_reached(stack: Stack, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE, locale=LOCALES["zh"])  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(stack.url + "/login/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the worker controls the page from here on
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone"
    context.set_offline(True)
    page.goto(stack.url + "/")
    assert "无法连接到中心" in page.inner_text("main")
    shoot(page, "offline-phone")
    context.set_offline(False)


def test_with_redis_two_web_processes_each_show_a_new_order_once(tmp_path: Path, broker: Mosquitto, alsa_sink: AlsaSink, browser: Browser) -> None:
    redis = {"SHOPCRIER_REDIS_URL": "redis://127.0.0.1:6379/0", "SHOPCRIER_REDIS_PREFIX": f"shopcrier-test-{uuid.uuid4().hex[:8]}"}
    stack = start_stack(tmp_path, broker.url, alsa_sink.env, redis)
    port = free_port()
    stack.procs["serve-2"] = Proc("serve-2", hub_command("serve", f"127.0.0.1:{port}", "--no-collectstatic"),
                                  hub_env(tmp_path / "hub", broker.url, {SECRET_ENV: SECRET, **redis}), tmp_path)
    try:
        wait_listening("127.0.0.1", port, 60)
        one = log_in(browser, stack.url, "li", "pw-li-orders", DESKTOP)
        two = log_in(browser, f"http://127.0.0.1:{port}", "chen", "pw-chen-manager", DESKTOP)
        assert stack.post_order(ORDER).status_code == 200
        row = "li.msg:has-text('订单10023')"
        one.wait_for_selector(row, timeout=20000)
        two.wait_for_selector(row, timeout=20000)
        one.wait_for_timeout(1000)  # time for a duplicate to arrive, if one were coming
        message_id = one.get_attribute(row, "data-id")
        assert one.evaluate(f"window.ShopCrier.heard[{message_id}]") == 1
        assert two.evaluate(f"window.ShopCrier.heard[{message_id}]") == 1
    finally:
        stop_stack(stack)
