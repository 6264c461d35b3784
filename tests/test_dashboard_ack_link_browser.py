"""The page a chat app's acknowledge link opens, as a person on a phone or a PC sees it, in
Chromium against a real HTTP server (pytest-django's live server): valid (a button), done
(who and when), already acknowledged by someone else, expired and forged, in Chinese and
English. Everything it needs comes from the hub itself. Screenshots: tests/screenshots/ack-*.png.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from django.core import signing
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from hub.attention.models import Acknowledgement
from hub.intake.adapters.base import Item, Page as PlatformPage
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.notify.links import SALT, ack_link
from hub.notify.models import Target
from hub.pipeline import Pipeline
from hub.sounds.language import set_hub_language
from tests.browser_helpers import DESKTOP, LOCALES, PHONE, chromium, shoot
from tests.notify_helpers import bot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = {"phone": PHONE, "desktop": DESKTOP}
WORDS = {
    "zh": {"headline": "订单 · ¥128.00", "button": "确认", "done": "已由 orders-group 于", "other": "已由 101 于 2026-11-28 09:30",
           "expired": "此确认链接已过期", "forged": "此确认链接无效"},
    "en": {"headline": "Order · ¥128.00", "button": "Acknowledge", "done": "Acknowledged by orders-group at", "other": "Acknowledged by 101 at 2026-11-28 09:30",
           "expired": "This acknowledge link has expired", "forged": "This acknowledge link is not valid"},
}


def stored(content: str, external_id: str) -> Message:
    source, _ = Source.objects.get_or_create(name="shop", defaults={"url": "http://127.0.0.1:1/"})
    store_page(source, PlatformPage(items=[Item(content=content, external_id=external_id)], rejects=[], cursor=None, more=False),
               Pipeline.from_db())
    return Message.objects.get(source=source, external_id=external_id)


def path(url: str) -> str:
    """The part of a link after /notify/ (its host is the public URL, not the test's server)."""
    return url.split("/notify/", 1)[1]


def week_old(message: Message, target: Target) -> str:
    class WeekOld(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)

    return str(WeekOld(salt=SALT).sign_object({"m": message.pk, "t": target.pk}, compress=True))


def opened(browser: Browser, url: str, size: dict[str, int], foreign: list[str], base: str, lang: str) -> Page:
    """The link opened in a browser of the hub language's locale (a Chinese shop's phones run zh-CN)."""
    page = browser.new_context(viewport=size, locale=LOCALES[lang]).new_page()  # type: ignore[arg-type]
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) else None)
    page.goto(url)
    return page


def looks_right(page: Page) -> None:
    """Nothing runs off the screen sideways, and the main text is big enough to read on a phone."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_state_of_the_acknowledge_page_on_a_phone_and_a_pc(lang: str, live_server: LiveServer,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    set_hub_language(lang)
    target = bot("orders-group", "ORDERS_BOT", department="orders")
    words = WORDS[lang]
    fresh = {size: stored(f"客户张三提交了订单1002{n}，金额¥128.00", f"o-{size}") for n, size in enumerate(SIZES)}
    taken = stored("用户李四申请退款，订单10019，金额¥56.00", "o-2")
    Acknowledgement.objects.create(message=taken, by="101", at=datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc))
    links = {size: {
        "valid": f"{live_server.url}/notify/{path(ack_link(fresh[size].pk, target))}",
        "other": f"{live_server.url}/notify/{path(ack_link(taken.pk, target))}",
        "expired": f"{live_server.url}/notify/ack/{week_old(fresh[size], target)}",
        "forged": f"{live_server.url}/notify/{path(ack_link(fresh[size].pk, target))[:-3]}xyz",
    } for size in SIZES}
    # Playwright's sync API keeps an event loop in this thread; the test's few database reads
    # between its calls are plain synchronous code, which Django's guard cannot tell apart
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    foreign: list[str] = []
    for browser in chromium(LOCALES[lang]):
        for size_name, size in SIZES.items():
            check_one_size(browser, lang, size_name, size, links[size_name], foreign, live_server.url)
            assert Acknowledgement.objects.get(message=fresh[size_name]).by == "orders-group"
    assert foreign == []
    assert Acknowledgement.objects.get(message=taken).by == "101"  # the first acknowledgement stands


def check_one_size(browser: Browser, lang: str, size_name: str, size: dict[str, int], links: dict[str, str],
                   foreign: list[str], base: str) -> None:
    """valid → the button → done; the link opened again says the same; then the other states."""
    words = WORDS[lang]
    page = opened(browser, links["valid"], size, foreign, base, lang)
    assert page.inner_text("button") == words["button"] and "订单1002" in page.inner_text("main")
    assert page.inner_text("h1") == words["headline"]  # the category in the page's language
    looks_right(page)
    shoot(page, f"ack-{lang}-{size_name}-valid")
    page.click("button")
    page.wait_for_selector(".done")
    assert words["done"] in page.inner_text(".done")
    looks_right(page)
    shoot(page, f"ack-{lang}-{size_name}-done")
    page.goto(links["valid"])  # the link used again: who and when, no button
    assert page.query_selector("button") is None and words["done"] in page.inner_text(".done")
    for state in ("other", "expired", "forged"):
        page.goto(links[state])
        looks_right(page)
        assert words[state] in page.inner_text("main"), (state, page.inner_text("main"))
        assert page.query_selector("button") is None
        shoot(page, f"ack-{lang}-{size_name}-{state}")
    page.context.close()
