"""A sender SIGKILLed between sending and marking: after a restart nothing is lost, and the repeat carries its id.

The receiving server holds its answer to the first notification, so the kill
lands while that send is in flight (received by the other side, not yet
marked sent). A fresh sender takes the rows over once their lease runs out.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from mqtt.broker import Mosquitto
from tests.notify_helpers import receiver
from tests.processes import Proc, hub_command, hub_env, wait_until

pytestmark = pytest.mark.e2e

ORDERS = 20
SETUP = (
    "from hub.intake.adapters.base import Item, Page\n"
    "from hub.intake.models import Source\n"
    "from hub.intake.store import store_page\n"
    "from hub.notify.models import Target\n"
    "from hub.org.models import Department\n"
    "from hub.pipeline import Pipeline\n"
    "Target.objects.create(kind='apprise', name='orders-group', url_env='ORDERS_BOT', per_minute=100,\n"
    "                      department=Department.objects.get(slug='orders'))\n"
    "source = Source.objects.create(name='shop', url='http://127.0.0.1:1/')\n"
    f"items = [Item(content=f'客户张三提交了订单{{10000 + i}}', external_id=f'o-{{i}}') for i in range({ORDERS})]\n"
    "store_page(source, Page(items=items, rejects=[], cursor=None, more=False), Pipeline.from_db())\n"
)


def statuses(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path, timeout=30) as db:
        return dict(db.execute("SELECT status, count(*) FROM notify_notification GROUP BY status").fetchall())


def test_a_sender_killed_between_sending_and_marking_loses_nothing_and_repeats_with_the_same_id(
    tmp_path: Path, broker: Mosquitto
) -> None:
    with receiver() as hook:
        env = hub_env(tmp_path / "hub", broker.url, {"ORDERS_BOT": hook.url, "SHOPCRIER_LOG_LEVEL": "DEBUG"})
        db_path = tmp_path / "hub" / "hub.sqlite3"
        subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=120)
        subprocess.run(hub_command("shell", "-c", SETUP), env=env, check=True, timeout=120)

        hook.delay = 30  # the first send hangs: received here, never answered
        first = Proc("notify-1", hub_command("notify", "--lease", "2"), env, tmp_path)
        try:
            assert wait_until(lambda: len(hook.posts) >= 1, 60), first.log()
            first.process.kill()  # SIGKILL, mid-send
            first.process.wait()
        finally:
            first.kill()
        assert statuses(db_path).get("sending", 0) >= 1  # claimed, not marked

        hook.delay = 0
        second = Proc("notify-2", hub_command("notify", "--lease", "2"), env, tmp_path)
        try:
            assert wait_until(lambda: statuses(db_path) == {"sent": ORDERS}, 60), (statuses(db_path), second.log())
        finally:
            assert second.terminate() == 0

    ids = Counter(p.notification_id for p in hook.posts)
    assert len(ids) == ORDERS  # every notification reached the other side
    repeated = [i for i, n in ids.items() if n > 1]
    assert repeated == [hook.posts[0].notification_id]  # only the one in flight at the kill, and recognisable by its id
    assert "sending them again" in second.log()
