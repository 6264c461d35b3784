"""A manager and an admin open the statistics pages in Chromium, in Chinese, and the charts
are drawn (by the vendored Chart.js, nothing fetched from elsewhere); screenshots are kept
in tests/screenshots/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_helpers import DESKTOP, PEOPLE, PHONE, chromium, serve_only, shoot

pytestmark = pytest.mark.e2e

# Five weeks of work relative to the hub's own "now": orders, withdrawals and refunds, spread over
# the hours of a working day, to the orders and finance departments; most played, many acknowledged.
HISTORY = """
import random, uuid
from datetime import timedelta
from django.utils import timezone
from hub.attention.models import Acknowledgement
from hub.intake.models import Message, Source
from hub.outbox.models import Delivery, Receipt
from hub.rules.models import Category
rng = random.Random(7)
source = Source.objects.get(name="shop")
kinds = [("order", "orders", "101"), ("withdrawal", "finance", "201"), ("refund", "orders", "101")]
cats = {c.slug: c for c in Category.objects.filter(slug__in=[k[0] for k in kinds])}
now = timezone.now()
rows = []
for i in range(1400):
    slug, dept, staff = kinds[min(rng.randrange(5), 2)]
    at = now - timedelta(days=rng.randrange(35), hours=rng.choice([1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 10]), minutes=rng.randrange(60))
    rows.append(Message(source=source, dedup_key=uuid.uuid4().hex, content=f"客户{i}提交了订单{i}", category=cats[slug],
                        app=rng.choice(["web", "app", "mini"]), received_at=at))
Message.objects.bulk_create(rows)
deliveries, receipts, acks = [], [], []
for m in rows:
    dept = "finance" if m.category.slug == "withdrawal" else "orders"
    staff = "/201" if dept == "finance" and rng.random() < 0.5 else ""
    a = uuid.uuid4().hex
    deliveries.append(Delivery(message=m, announcement_id=a, topic=f"shopcrier/announce/ops/{dept}{staff}", payload=b"{}", status="sent"))
    if rng.random() < 0.9:
        receipts.append(Receipt(announcement_id=a, node_id="spk-orders-1", status="played", message=m, at=m.received_at + timedelta(seconds=rng.randrange(2, 40))))
    if rng.random() < 0.7:
        acks.append(Acknowledgement(message=m, by="101", at=m.received_at + timedelta(seconds=rng.randrange(20, 1500))))
Delivery.objects.bulk_create(deliveries)
Receipt.objects.bulk_create(receipts)
Acknowledgement.objects.bulk_create(acks)
"""


@pytest.fixture
def hub_url(tmp_path: Path) -> Iterator[str]:
    with serve_only(tmp_path, HISTORY, then=[["stats", "fill"]]) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    yield from chromium()


def logged_in(browser: Browser, url: str, user: str, viewport: dict[str, int]) -> Page:
    password = next(p for name, p, *_ in PEOPLE if name == user)
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()  # type: ignore[arg-type]
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(url) and not r.url.startswith("data:") else None)
    page.goto(url + "/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(url + "/")
    page.outside = outside  # type: ignore[attr-defined]
    return page


def drawn(page: Page, canvas: str) -> bool:
    """Chart.js drew on the canvas: it has a chart and non-blank pixels."""
    return bool(page.evaluate(
        """(id) => { const c = document.getElementById(id); if (!c || !Chart.getChart(c)) return false;
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; } return false; }""", canvas))


def test_an_admin_reads_the_trends_in_chinese_with_every_chart_drawn(hub_url: str, browser: Browser) -> None:
    page = logged_in(browser, hub_url, "boss", DESKTOP)
    page.click("nav >> text=统计")
    page.wait_for_selector("#report-chart")
    assert drawn(page, "report-chart")
    assert "按部门" in page.inner_text("#report-kinds") and "消息" in page.inner_text("#report-table thead")
    shoot(page, "stats-by-day-desktop")
    page.click("#report-kinds >> text=趋势")
    page.wait_for_selector("#heat-map td")
    for canvas in ("chart-today", "chart-category", "chart-response", "chart-outages", "chart-departments", "chart-people"):
        assert drawn(page, canvas), canvas
    assert page.locator("#heat-map td").count() == 7 * 24
    assert "周一" in page.inner_text("#heat-map") and "最忙的部门" in page.inner_text("main")
    shoot(page, "stats-trends-desktop")
    page.locator("#heat-map").scroll_into_view_if_needed()
    shoot(page, "stats-heatmap-desktop")
    assert page.outside == []  # type: ignore[attr-defined]  # no CDN, nothing fetched from elsewhere


def test_a_manager_on_a_phone_sees_their_department_only(hub_url: str, browser: Browser) -> None:
    page = logged_in(browser, hub_url, "chen", PHONE)
    page.goto(hub_url + "/stats/department/")
    page.wait_for_selector("#report-chart")
    assert drawn(page, "report-chart")
    names = page.locator("#report-table tbody td:first-child").all_inner_texts()
    assert names == ["订单部门"]
    shoot(page, "stats-department-phone")
    page.goto(hub_url + "/stats/trends/")
    page.wait_for_selector("#heat-map td")
    assert drawn(page, "chart-category")
    shoot(page, "stats-trends-phone")
