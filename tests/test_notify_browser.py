"""Web Push in Debian's Chromium: the dashboard's service worker shows a pushed message with an acknowledge action.

The push arrives through the DevTools protocol (``ServiceWorker.deliverPushMessage``),
which stands in for the browser's push service (Google's, for Chrome: out of
reach here, and in mainland China). The payload is what hub/notify's Web Push
transport sends.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser

from hub.notify.base import Notice
from hub.notify.channels.webpush.transport import payload
from tests.browser_helpers import DESKTOP, Stack, log_in, shoot
from tests.test_dashboard_browser import browser, stack

pytestmark = pytest.mark.e2e
__all__ = ["browser", "stack"]  # fixtures, used by name


def test_a_pushed_order_shows_as_a_notification_with_an_acknowledge_action(stack: Stack, browser: Browser) -> None:
    page = log_in(browser, stack.url, "li", "pw-li-orders", DESKTOP, notifications=True)
    # the dashboard's worker installed and activated: `ready` resolves while it may still be activating, and
    # a push delivered then was lost once in a loaded CI run
    for _ in range(100):
        if page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)") == "activated":
            break
        page.wait_for_timeout(200)
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)") == "activated"
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(500)
    [registration] = [r for r in registrations if not r.get("isDeleted")]

    notice = Notice(id="4f1c0de0-0000-4000-8000-000000000001", title="【重要】提现 · ¥3,000.00",
                    body="用户李四申请了提现，请及时审核\n李四 · web", category="withdrawal", priority="high",
                    url=f"{stack.url}/m/1/", ack_url=f"{stack.url}/notify/ack/token")
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": stack.url, "registrationId": registration["registrationId"], "data": json.dumps(payload(notice)),
    })

    shown = None
    for _ in range(100):  # the worker shows it asynchronously
        shown = page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n => ({"
            "title: n.title, body: n.body, tag: n.tag, actions: n.actions.map(a => a.title), data: n.data})))"
        )
        if shown:
            break
        page.wait_for_timeout(200)
    assert shown == [{
        "title": "【重要】提现 · ¥3,000.00", "body": "用户李四申请了提现，请及时审核\n李四 · web", "tag": notice.id,
        "actions": ["确认"], "data": {"url": notice.url, "ack_url": notice.ack_url},
    }]
    shoot(page, "push-received-desktop")
