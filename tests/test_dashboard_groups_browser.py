"""A burst of orders on people's screens as one group (tests/browser_helpers.py: the real stack).

Orders posted to the webhook one after another become one group row on the orders
clerk's PC and the orders manager's phone, live; the clerk opens the group,
acknowledges one member (the manager sees "partly acknowledged 1/5"), then the
whole group (the manager sees it acknowledged); a reload shows the same, from the
database. Screenshots at 1280×800 and 390×844 land in tests/screenshots/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from dashboard.groups import WINDOW
from mqtt.broker import Mosquitto
from tests.browser_helpers import DESKTOP, PHONE, Stack, chromium, log_in, shoot, start_stack, stop_stack
from tests.conftest import AlsaSink

pytestmark = pytest.mark.e2e

GROUP = "li.msg.group:has-text('订单3000')"


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


def clear_of_a_slot_end(margin_s: float = 30) -> None:
    """The hub stamps messages with its own clock (a real process): a burst posted in the last
    seconds of a 10-minute slot would honestly become two groups, so start it in a fresh one."""
    into = time.time() % WINDOW.total_seconds()
    if into > WINDOW.total_seconds() - margin_s:
        time.sleep(WINDOW.total_seconds() - into + 0.5)


def test_a_burst_of_orders_is_one_group_that_the_clerk_acknowledges_and_the_manager_sees_live(
    stack: Stack, browser: Browser
) -> None:
    clerk = log_in(browser, stack.url, "li", "pw-li-orders", DESKTOP)
    manager = log_in(browser, stack.url, "chen", "pw-chen-manager", PHONE)
    clerk.on("dialog", lambda dialog: dialog.accept())
    clear_of_a_slot_end()
    first = {"id": "g-0", "user": {"id": "u-1", "name": "张三"}, "content": "客户张三提交了订单30000，金额¥58.00"}
    assert stack.post_order(first).status_code == 200
    clerk.wait_for_selector("li.msg:has-text('订单30000')", timeout=20000)
    assert clerk.query_selector(GROUP) is None  # alone, an order is an ordinary row
    for n in range(1, 5):
        order = {"id": f"g-{n}", "user": {"id": f"u-{n}", "name": f"客户{n}"}, "content": f"客户{n}提交了订单3000{n}，金额¥{n}8.00"}
        assert stack.post_order(order).status_code == 200
    for page in (clerk, manager):
        page.wait_for_selector(f"{GROUP}[data-size='5']", timeout=20000)
        assert page.locator("#rows > li").count() == 1, page.inner_html("#rows")
        assert "订单30004" in page.inner_text(GROUP)  # the newest text
    assert clerk.title().startswith("(5) ")
    shoot(clerk, "feed-desktop-group")
    shoot(manager, "feed-phone-group")

    clerk.click(f"{GROUP} button.expand")
    clerk.wait_for_function("document.querySelectorAll('li.group ul.members > li').length === 5")
    assert clerk.inner_text(f"{GROUP} button.expand") == "收起"
    clerk.click("li.group ul.members > li:has-text('订单30002') button.ack")
    manager.wait_for_selector(f"{GROUP}[data-status='partly']", timeout=10000)
    assert "部分已确认 1/5" in manager.inner_text(GROUP)
    clerk.wait_for_selector("li.group ul.members > li[data-state='acknowledged']:has-text('订单30002')", timeout=10000)
    assert clerk.locator("li.group ul.members > li").count() == 5
    assert clerk.title().startswith("(4) ")
    shoot(clerk, "feed-desktop-group-expanded")
    shoot(manager, "feed-phone-group-partly")

    clerk.click(f"{GROUP} button.ack-group")
    manager.wait_for_selector(f"{GROUP}[data-status='acknowledged']", timeout=10000)
    clerk.wait_for_function("document.querySelectorAll(\"li.group ul.members > li[data-state='acknowledged']\").length === 5",
                            timeout=10000)
    assert clerk.locator("li.group ul.members > li").count() == 5  # each member once
    assert not clerk.title().startswith("(")
    shoot(manager, "feed-phone-group-acknowledged")
    shoot(clerk, "feed-desktop-group-acknowledged")

    manager.reload()
    manager.wait_for_selector(f"{GROUP}[data-status='acknowledged'][data-size='5']")
    assert manager.locator("#rows > li").count() == 1
