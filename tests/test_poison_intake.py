"""One poison item never blocks its page, its webhook batch or its source — on SQLite and PostgreSQL.

The poison is what the attack run found: a NUL character (PostgreSQL refuses
it in text and jsonb), an id that with its type appended overflows the
200-character dedup key (PostgreSQL refuses; the mapper allows 200), a
``created_at`` whose UTC conversion overflows, and on the webhook path a lone
surrogate escape. Each sits between good items; the good ones are stored, the
bad one is quarantined with its reason, the cursor moves, and later items flow.
The hub runs as its real commands (``poll --once``; daphne for webhooks).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.platform_servers import Answer, GenericServer
from tests.poison_helpers import DATABASES, HubDb, hub_database

pytestmark = pytest.mark.e2e

SECRET_ENV = "SHOPCRIER_POISON_WEBHOOK_SECRET"
SECRET = "poison-test-secret"
LONG_ID = "x" * 200  # the mapper's limit; "id:<it>:order.created" is 217 characters
OVERFLOW = "9999-12-31T23:59:59-14:00"


@pytest.fixture(params=DATABASES)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubDb]:
    with hub_database(request.param, tmp_path, extra={SECRET_ENV: SECRET}) as found:
        yield found


def quarantined(hub: HubDb) -> list[str]:
    return [row[0] for row in hub.rows("SELECT reason FROM intake_quarantine ORDER BY id")]


def stored_ids(hub: HubDb) -> list[str]:
    return [row[0] for row in hub.rows("SELECT external_id FROM intake_message ORDER BY id")]


def test_a_poison_item_in_a_polled_page_is_quarantined_and_the_good_ones_beside_it_stored(hub: HubDb) -> None:
    with GenericServer() as platform:
        platform.add(1, content="Customer 1 placed order #1001")
        platform.add(1, content="Customer 2 placed order \x00#1002")
        platform.add(1, id=LONG_ID)
        platform.add(1, created_at=OVERFLOW)
        platform.add(1, content="Customer 5 placed order #1005")
        hub.manage("source", "shop", "--url", f"{platform.base}/api/messages", "--interval", "1s")

        hub.manage("poll", "--once")
        assert stored_ids(hub) == ["1", "5"]
        reasons = quarantined(hub)
        assert len(reasons) == 3, reasons
        assert "content holds a NUL character at position 24" in reasons[0]
        assert "is too long to keep" in reasons[1] and "the column holds 200" in reasons[1]
        assert f"platform_created_at {OVERFLOW}" in reasons[2] and "outside the years 1..9999" in reasons[2]
        assert hub.value("SELECT cursor FROM intake_source WHERE name = 'shop'") == "5"

        # later messages flow, and the bad ones are not fetched (nor quarantined) again
        platform.add(1, content="Customer 6 placed order #1006")
        hub.manage("poll", "--once")
        assert stored_ids(hub) == ["1", "5", "6"]
        assert len(quarantined(hub)) == 3
        assert hub.value("SELECT consecutive_failures FROM intake_source WHERE name = 'shop'") == 0


def signed(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-ShopCrier-Timestamp": stamp, "X-ShopCrier-Signature": f"sha256={digest}"}


def post(base: str, batch: Any, name: str = "shop") -> requests.Response:
    body = json.dumps(batch).encode()  # ASCII: a lone surrogate goes as the escape \ud800, as JSON allows
    return requests.post(f"{base}/hooks/{name}/", data=body, headers=signed(body), timeout=20)


def item(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"w-{n}", "user": {"id": f"u{n}", "name": f"Customer {n}"}, "content": f"Customer {n} placed order #{n}",
            "type": "order.created", **fields}


def webhook_source(hub: HubDb) -> None:
    hub.manage("source", "shop", "--url", "http://127.0.0.1:1/unused", "--interval", "1h")
    hub.shell(f"from hub.intake.models import Source; Source.objects.filter(name='shop').update(webhook={{'secret_env': {SECRET_ENV!r}}})")


def test_a_poison_item_in_a_webhook_batch_is_quarantined_and_the_batch_stored(hub: HubDb) -> None:
    webhook_source(hub)
    with hub.web() as base:
        batch = [
            item(1),
            item(2, content="Customer 2 placed order \x00#2"),
            item(3, id=LONG_ID),
            item(4, created_at=OVERFLOW),
            item(5, content="Customer 5 placed order \ud800#5"),
            item(6),
        ]
        answer = post(base, batch)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"stored": 2, "duplicates": 0, "quarantined": 4}
        reasons = quarantined(hub)
        assert ["NUL character" in reasons[0], "too long to keep" in reasons[1],
                "outside the years 1..9999" in reasons[2], "unpaired surrogate (\\ud800)" in reasons[3]] == [True] * 4

        later = post(base, [item(7)])
        assert later.json() == {"stored": 1, "duplicates": 0, "quarantined": 0}
        assert stored_ids(hub) == ["w-1", "w-6", "w-7"]


def test_every_answer_under_hooks_is_json_naming_the_problem(hub: HubDb) -> None:
    webhook_source(hub)
    with hub.web() as base:
        answers = {
            "GET": requests.get(f"{base}/hooks/shop/", timeout=10),
            "unknown source": post(base, [item(1)], name="nope"),
            "not a slug": requests.post(f"{base}/hooks/a.b/", data=b"[]", timeout=10),
            "no slash": requests.post(f"{base}/hooks/shop", data=b"[]", timeout=10),
            "deeper": requests.post(f"{base}/hooks/shop/extra/", data=b"[]", timeout=10),
            "too big": requests.post(f"{base}/hooks/shop/", data=b"[" + b" " * (2 * 1024 * 1024) + b"]", timeout=30),
        }
        # a source whose field mapping is broken makes the view itself fail: still JSON, never HTML
        hub.shell("from hub.intake.models import Source; Source.objects.filter(name='shop').update(fields=['id'])")
        answers["internal error"] = post(base, [item(1)])
    statuses = {name: a.status_code for name, a in answers.items()}
    assert statuses == {"GET": 405, "unknown source": 404, "not a slug": 404, "no slash": 404, "deeper": 404,
                        "too big": 413, "internal error": 500}
    for name, answer in answers.items():
        assert answer.headers["Content-Type"] == "application/json", (name, answer.text[:200])
        assert answer.json()["error"], name
    assert "no enabled source named 'nope'" in answers["unknown source"].json()["error"]
    assert "POST to /hooks/<source>/" in answers["deeper"].json()["error"]
    assert "internal error (AttributeError)" in answers["internal error"].json()["error"]
    assert hub.value("SELECT count(*) FROM intake_message") == 0


def test_a_failing_reply_holding_a_nul_is_recorded_as_a_failure_and_quarantined(hub: HubDb) -> None:
    with GenericServer() as platform:
        platform.add(1)
        hub.manage("source", "shop", "--url", f"{platform.base}/api/messages", "--interval", "1s")
        platform.fail_next(Answer(500, b"upstream \x00 broke", {"Content-Type": "text/plain"}))
        hub.manage("poll", "--once")
        failures, error = hub.rows("SELECT consecutive_failures, last_error FROM intake_source WHERE name = 'shop'")[0]
        assert failures == 1 and error == "HTTP 500 Internal Server Error: upstream \\x00 broke"
        assert quarantined(hub) == [error]
        hub.manage("poll", "--once")  # the platform answers again
        assert stored_ids(hub) == ["1"]
