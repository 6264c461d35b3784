"""An admin changes a rule and a route in Chromium, in Chinese, and the "try it" box shows the hub
doing what was set; a bad regular expression is refused beside its field. Screenshots at 1280×800
and 390×844 go to tests/screenshots/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_helpers import DESKTOP, PEOPLE, PHONE, chromium, serve_only, shoot

pytestmark = pytest.mark.e2e

UNKNOWN = "VIP客户XK-7788来电"  # no default rule knows it


@pytest.fixture
def hub_url(tmp_path: Path) -> Iterator[str]:
    """``shopcrier-hub serve`` on a fresh database with the browser tests' logins; no broker needed."""
    with serve_only(tmp_path) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    yield from chromium()


def logged_in(browser: Browser, url: str, user: str, viewport: dict[str, int]) -> Page:
    password = next(p for name, p, *_ in PEOPLE if name == user)
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()  # type: ignore[arg-type]
    page.goto(url + "/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(url + "/")
    return page


def tried(page: Page, url: str, text: str) -> str:
    """What the overview's "try it" box says about ``text``."""
    page.goto(url + "/settings/")
    page.fill("form.try input[name=text]", text)
    page.click("form.try button")
    page.wait_for_selector("#trial")
    return page.inner_text("#trial")


def test_an_admin_adds_a_rule_after_a_refused_regular_expression_and_the_hub_recognises_it(hub_url: str, browser: Browser) -> None:
    boss = logged_in(browser, hub_url, "boss", DESKTOP)
    assert "订单" not in tried(boss, hub_url, UNKNOWN)
    boss.click(".settings-nav >> text=识别规则")
    boss.click("a.button.primary")  # 添加
    boss.fill("#f-name", "VIP客户")
    boss.select_option("#f-kind", "regex")
    boss.fill("#f-patterns", "(a|aa)+$")
    boss.select_option("#f-category", "order")
    boss.click("#row-form button.primary")
    boss.wait_for_selector("[data-field=patterns] .field-error")
    assert "耗时极长" in boss.inner_text("[data-field=patterns] .field-error")
    shoot(boss, "settings-rule-refused-desktop")
    boss.fill("#f-patterns", "^VIP客户")
    boss.click("#row-form button.primary")
    boss.wait_for_selector(".notices .success")
    assert "VIP客户" in boss.inner_text(".notices")
    shoot(boss, "settings-rules-desktop")
    assert "订单" in tried(boss, hub_url, UNKNOWN)

    # the same refusal in English, for an admin who chose it
    boss.goto(hub_url + "/settings/rules/new")
    boss.click("header .who button[name=language]")
    boss.wait_for_selector("html[lang=en]")
    boss.fill("#f-name", "broken")
    boss.select_option("#f-kind", "regex")
    boss.fill("#f-patterns", "订单(\\d+")
    boss.select_option("#f-category", "order")
    boss.click("#row-form button.primary")
    boss.wait_for_selector("[data-field=patterns] .field-error")
    assert "not a usable regular expression" in boss.inner_text("[data-field=patterns] .field-error")
    shoot(boss, "settings-rule-refused-desktop-en")
    # the same form on a phone: the labels in sentence case, the five-link nav on one line
    boss.set_viewport_size(PHONE)  # type: ignore[arg-type]
    boss.goto(hub_url + "/settings/rules/new")  # loaded at phone width: the nav scrolled to the current page's link
    assert boss.inner_text("label[for=f-name]") == "Name"
    shoot(boss, "settings-rule-new-phone-en")
    boss.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    boss.click("header .who button[name=language]")  # back to Chinese: the choice is the login's, the phone below shares it
    boss.wait_for_selector("html[lang=zh-hans]")

    phone = logged_in(browser, hub_url, "boss", PHONE)
    phone.goto(hub_url + "/settings/rules/")
    phone.click("#rows tr:last-child >> text=编辑")
    phone.wait_for_selector("#row-form")
    assert phone.input_value("#f-name") == "VIP客户"
    shoot(phone, "settings-rule-edit-phone")


def test_an_admin_routes_orders_to_one_person_and_the_try_it_box_says_so(hub_url: str, browser: Browser) -> None:
    boss = logged_in(browser, hub_url, "boss", DESKTOP)
    assert "订单部门" in tried(boss, hub_url, "客户张三提交了订单10023")
    boss.goto(hub_url + "/settings/routes/")
    shoot(boss, "settings-routes-desktop")
    boss.click("#rows tbody tr:first-child >> text=编辑")
    boss.select_option("#f-target", "staff:101")
    boss.click("#row-form button.primary")
    boss.wait_for_selector(".notices .success")
    assert "101" in boss.inner_text("#rows tbody tr:first-child")
    heard = tried(boss, hub_url, "客户张三提交了订单10023")
    assert "101" in heard and "部门 订单部门" not in heard

    phone = logged_in(browser, hub_url, "boss", PHONE)
    phone.goto(hub_url + "/settings/routes/")
    shoot(phone, "settings-routes-phone")
    phone.click("#rows tbody tr:first-child >> text=编辑")
    phone.select_option("#f-staff_mode", "round_robin")
    phone.click("#row-form button.primary")
    phone.wait_for_selector("[data-field=staff_mode] .field-error")
    shoot(phone, "settings-route-refused-phone")
    for page, name in ((boss, "desktop"), (phone, "phone")):
        for slug in ("sounds", "staff", "categories", "escalation"):
            page.goto(hub_url + f"/settings/{slug}/")
            shoot(page, f"settings-{slug}-{name}")
        page.goto(hub_url + "/settings/sounds/#categories")
        shoot(page, f"settings-sounds-categories-{name}")
        page.goto(hub_url + "/settings/escalation/")
        page.click("#rows tbody tr:first-child >> text=编辑")  # the first category's escalation
        page.wait_for_selector("#row-form")
        shoot(page, f"settings-escalation-edit-{name}")
        page.goto(hub_url + "/settings/staff/")
        page.click("#rows tbody tr:first-child >> text=编辑")
        page.wait_for_selector("#row-form")
        shoot(page, f"settings-staff-edit-{name}")


def test_a_manager_is_refused_the_settings_pages_in_the_browser_and_sees_no_link(hub_url: str, browser: Browser) -> None:
    chen = logged_in(browser, hub_url, "chen", DESKTOP)
    assert chen.query_selector("a[href='/settings/']") is None
    response = chen.goto(hub_url + "/settings/routes/")
    assert response is not None and response.status == 403
