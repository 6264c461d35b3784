"""Admin pages for messages, deliveries and receipts never answer 500 over a stored time.

The value check keeps every stored instant a day inside Python's calendar, so
it shows in any time zone: the pages render rows at both edges, on SQLite and
PostgreSQL. PostgreSQL also keeps times Python cannot read at all (the attack
stored a receipt at 0001-01-01T00:00:00+14:00 and a created_at of
9999-12-31T23:59:59-14:00 before the check existed); rows holding those are
put back here by SQL, and the pages still render, showing the nearest time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.poison_helpers import DATABASES, HubDb, hub_database

pytestmark = pytest.mark.e2e

ROWS = """
from datetime import datetime, timezone
from hub import storable
from hub.intake.models import Message, Source
from hub.outbox.models import Delivery, Receipt
source = Source.objects.create(name="shop", url="http://127.0.0.1:1/x")
now = datetime(2026, 11, 25, tzinfo=timezone.utc)
m = Message.objects.create(source=source, dedup_key="id:1", external_id="1", content="Customer 1 placed order #1001",
                           platform_created_at=storable.LATEST, received_at=now)
Delivery.objects.create(message=m, announcement_id="a1", topic="shopcrier/announce/ops/orders", payload=b"{}",
                        expires_at=storable.LATEST, status="sent", sent_at=storable.EARLIEST)
Receipt.objects.create(announcement_id="a1", node_id="spk-a", status="played", message=m, at=storable.EARLIEST)
"""

UNREADABLE = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("UPDATE intake_message SET platform_created_at = '9999-12-31 23:59:59-14'")
    cursor.execute("UPDATE outbox_receipt SET at = '0001-01-01 00:00:00+14'")
    cursor.execute("UPDATE outbox_delivery SET expires_at = '9999-12-31 23:59:59-14', sent_at = '0001-01-01 00:00:00+14'")
    cursor.execute("SELECT count(*) FROM outbox_receipt WHERE at < '0001-01-01 00:00:00+00'")
    assert cursor.fetchone()[0] == 1  # PostgreSQL kept it
"""

PAGES = """
import json
from django.contrib.auth.models import User
from django.test import Client
from hub.intake.models import Message
from hub.outbox.models import Delivery, Receipt
client = Client()
client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
pages = {}
for model in (Message, Delivery, Receipt):
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for url in (base, f"{base}{model.objects.get().pk}/change/"):
        response = client.get(url)
        pages[url] = [response.status_code, response.content.decode()]
print("PAGES", json.dumps(pages))
"""


@pytest.fixture(params=DATABASES)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubDb]:
    with hub_database(request.param, tmp_path, extra={"SHOPCRIER_ALLOWED_HOSTS": "testserver"}) as found:
        yield found


def pages(hub: HubDb) -> dict[str, tuple[int, str]]:
    line = next(line for line in hub.shell(PAGES).splitlines() if line.startswith("PAGES "))
    return {url: (status, body) for url, (status, body) in json.loads(line.removeprefix("PAGES ")).items()}


def test_admin_pages_show_rows_at_both_ends_of_the_calendar(hub: HubDb) -> None:
    hub.shell(ROWS)
    shown = pages(hub)
    assert {url: status for url, (status, _) in shown.items()} == dict.fromkeys(shown, 200)
    assert 'value="9999-12-30"' in shown["/admin/intake/message/1/change/"][1]
    assert 'value="0001-01-02"' in shown["/admin/outbox/receipt/1/change/"][1]


def test_admin_pages_show_rows_holding_times_python_cannot_read(tmp_path: Path) -> None:
    with hub_database("postgres", tmp_path, extra={"SHOPCRIER_ALLOWED_HOSTS": "testserver"}) as hub:
        hub.shell(ROWS + UNREADABLE)
        shown = pages(hub)
    assert {url: status for url, (status, _) in shown.items()} == dict.fromkeys(shown, 200)
    assert len(shown) == 6
    # shown as the nearest time Python can hold
    assert 'value="9999-12-30"' in shown["/admin/intake/message/1/change/"][1]
    assert 'value="0001-01-02"' in shown["/admin/outbox/receipt/1/change/"][1]
