"""Settings for admins: the "try it" box, a page fetched from a source now, rules reordered."""

from __future__ import annotations

import pytest

from hub.intake.models import Message, Source
from hub.rules.models import Rule
from hub.simulator import SOURCE_PRESET
from hub.simulator.server import SimulatorServer
from tests.dashboard_helpers import admin, client_for, orders_manager

pytestmark = pytest.mark.django_db


def test_try_it_says_the_category_and_who_would_hear_it_and_stores_nothing() -> None:
    page = client_for(admin()).post("/settings/", {"text": "用户李四申请了提现，请及时审核"}).content.decode()
    trial = page.split('id="trial"')[1].split("</p>")[0]
    assert "提现" in trial and "财务部门" in trial
    assert not Message.objects.exists()


def test_fetch_one_page_now_shows_how_items_map_without_storing_or_moving_the_cursor(simulator: SimulatorServer) -> None:
    source = Source.objects.create(name="sim", adapter="simulator", url=simulator.url, **SOURCE_PRESET)
    page = client_for(admin()).post("/settings/", {"action": "fetch", "source": str(source.pk)}).content.decode()
    preview = page.split('id="preview"')[1]
    assert "withdrawal" in preview and "order" in preview
    source.refresh_from_db()
    assert source.cursor == "" and not Message.objects.exists()


def test_fetch_from_an_unreachable_source_gives_one_line_not_a_traceback() -> None:
    source = Source.objects.create(name="gone", url="http://127.0.0.1:1/api")
    page = client_for(admin()).post("/settings/", {"action": "fetch", "source": str(source.pk)}).content.decode()
    preview = page.split('id="preview"')[1]
    assert 'class="error"' in preview and "Traceback" not in page


def test_rules_take_a_new_order_only_when_it_names_every_rule_once() -> None:
    ids = list(Rule.objects.values_list("pk", flat=True))
    client = client_for(admin())
    wanted = list(reversed(ids))
    assert client.post("/settings/rules/order", {"order": ",".join(map(str, wanted))}).status_code == 200
    assert list(Rule.objects.order_by("position", "id").values_list("pk", flat=True)) == wanted
    assert client.post("/settings/rules/order", {"order": ",".join(map(str, wanted[:-1]))}).status_code == 409
    assert client.post("/settings/rules/order", {"order": "one,two"}).status_code == 400
    assert client_for(orders_manager()).post("/settings/rules/order", {"order": ",".join(map(str, ids))}).status_code == 403
    assert list(Rule.objects.order_by("position", "id").values_list("pk", flat=True)) == wanted


def test_an_admin_sets_a_sources_interval_and_switches_it_off_and_a_bad_interval_is_one_clear_line() -> None:
    source = Source.objects.create(name="shop", url="http://127.0.0.1:1/api", interval_seconds=5)
    client = client_for(admin())
    client.post("/settings/", {"action": "source", "source": str(source.pk), "interval": "2m"})
    source.refresh_from_db()
    assert (source.interval_seconds, source.enabled) == (120, False)
    page = client.post("/settings/", {"action": "source", "source": str(source.pk), "interval": "soon", "enabled": "on"}).content.decode()
    source.refresh_from_db()
    assert (source.interval_seconds, source.enabled) == (120, False)
    error = page.split("<p class=\"error\">")[1].split("</p>")[0]
    assert error.startswith("shop") and "soon" in error and "Traceback" not in page


@pytest.mark.clock
def test_an_admin_adds_and_removes_quiet_hours_and_a_bad_window_is_one_clear_line() -> None:
    from hub.attention.models import QuietHours

    client = client_for(admin())
    client.post("/settings/", {"action": "quiet-add", "department": "orders", "weekdays": ["mon", "tue"],
                               "start": "22:00", "end": "07:00", "timezone": "Asia/Shanghai"})
    window = QuietHours.objects.get()
    assert (window.department.slug, window.weekdays, f"{window.start:%H:%M}", f"{window.end:%H:%M}", window.timezone) == (
        "orders", "mon,tue", "22:00", "07:00", "Asia/Shanghai")
    page = client.post("/settings/", {"action": "quiet-add", "department": "orders", "weekdays": ["mon"],
                                      "start": "22:00", "end": "07:00", "timezone": "Mars/Olympus"}).content.decode()
    assert "Mars/Olympus" in page.split('id="quiet"')[1].split("</p>")[1] and QuietHours.objects.count() == 1
    page = client.post("/settings/", {"action": "quiet-add", "department": "orders", "weekdays": ["mon"],
                                      "start": "late", "end": "07:00"}).content.decode()
    assert 'class="error"' in page.split('id="quiet"')[1] and QuietHours.objects.count() == 1
    client.post("/settings/", {"action": "quiet-delete", "id": str(window.pk)})
    assert not QuietHours.objects.exists()
