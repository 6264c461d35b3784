"""The fill as a process, on SQLite and on PostgreSQL: killed midway and run again, it
writes exactly the rows a fill from scratch writes, and counts equal the raw messages."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.stats.triggers import TRIGGERS
from tests.processes import hub_command, hub_env
from tests.test_intake_postgres import pg_database  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e

# Forty past days of orders, relative to the fill's own "now": some played, some acknowledged.
GENERATE = """
import uuid
from datetime import timedelta
from django.utils import timezone
from hub.attention.models import Acknowledgement
from hub.intake.models import Message, Source
from hub.outbox.models import Delivery, Receipt
from hub.rules.models import Category
source = Source.objects.create(name="shop", url="http://127.0.0.1:1/")
order = Category.objects.get(slug="order")
start = timezone.now() - timedelta(days=41)
messages = Message.objects.bulk_create([
    Message(source=source, dedup_key=str(i), content=f"客户{i}提交了订单{i}", category=order, app=("web", "app")[i % 2],
            received_at=start + timedelta(minutes=37 * i))
    for i in range(1500)
])
Delivery.objects.bulk_create([
    Delivery(message=m, announcement_id=uuid.uuid4().hex, topic=("shopcrier/announce/ops/orders", "shopcrier/announce/ops/finance/201")[m.pk % 3 == 0],
             payload=b"{}", status="sent", created_at=m.received_at) for m in messages
])
Receipt.objects.bulk_create([
    Receipt(announcement_id=str(m.pk), node_id="spk-1", status="played", message=m, at=m.received_at + timedelta(seconds=m.pk % 97))
    for m in messages if m.pk % 4
])
Acknowledgement.objects.bulk_create([
    Acknowledgement(message=m, by="101", at=m.received_at + timedelta(seconds=7 * (m.pk % 300))) for m in messages if m.pk % 5
])
"""
SNAPSHOT = """
import json
from hub.intake.models import Message
from hub.stats.models import DailyCount
rows = DailyCount.objects.order_by("day", "department", "staff", "dimension", "value").values()
print("ROWS", json.dumps([[str(v) for k, v in r.items() if k != "id"] for r in rows]))
print("RAW", Message.objects.count())
"""
FORGET = ("from hub.stats.models import DailyCount, FillState, HourlyCount, MessageFact; DailyCount.objects.all().delete(); "
          "HourlyCount.objects.all().delete(); MessageFact.objects.all().delete(); FillState.objects.all().delete()")
# Late outcomes after a fill, each noted by the database's own triggers: acknowledgements hours
# later (across the shop's midnight), late receipts, no speaker, a re-classification.
LATE = """
from datetime import timedelta
from hub.attention.models import Acknowledgement
from hub.intake.models import Message
from hub.outbox.models import Delivery, Receipt
from hub.rules.models import Category
from hub.stats import triggers
assert triggers.missing() == [], triggers.missing()
open_ones = list(Message.objects.filter(acknowledgement__isnull=True).order_by("pk"))
Acknowledgement.objects.bulk_create([Acknowledgement(message=m, by="102", at=m.received_at + timedelta(hours=5)) for m in open_ones[::2]])
for m in open_ones[1::4]:
    d = Delivery.objects.filter(message=m).first()
    Receipt.objects.create(announcement_id=d.announcement_id, node_id="spk-2", status="played", message=m,
                           at=m.received_at + timedelta(hours=9))
Delivery.objects.filter(message__in=open_ones[3::8]).update(status="no_speaker")
Message.objects.filter(pk__in=[m.pk for m in open_ones[5::16]]).update(category=Category.objects.get(slug="refund"))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    extra = {"DATABASE_URL": request.getfixturevalue("pg_database")} if request.param == "postgresql" else {}
    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", extra)
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=300)
    shell(env, GENERATE)
    yield env


def shell(env: dict[str, str], code: str) -> str:
    return subprocess.run(hub_command("shell", "-c", code), env=env, check=True, timeout=300, capture_output=True, text=True).stdout


def snapshot(env: dict[str, str]) -> tuple[list[list[str]], int]:
    out = shell(env, SNAPSHOT).splitlines()
    rows = json.loads(next(line for line in out if line.startswith("ROWS "))[5:])
    raw = int(next(line for line in out if line.startswith("RAW "))[4:])
    return rows, raw


def test_a_fill_killed_midway_and_run_again_writes_what_a_fill_from_scratch_writes(database: dict[str, str]) -> None:
    env = database
    fill = subprocess.Popen(hub_command("stats", "-v2", "fill"), env=env, stdout=subprocess.PIPE, text=True)
    assert fill.stdout is not None
    written = [fill.stdout.readline() for _ in range(10)]
    fill.send_signal(signal.SIGKILL)
    fill.wait(timeout=30)
    assert all(line.startswith("day ") for line in written), written
    subprocess.run(hub_command("stats", "fill"), env=env, check=True, timeout=300)
    resumed, raw = snapshot(env)
    subprocess.run(hub_command("stats", "fill"), env=env, check=True, timeout=300)
    assert snapshot(env)[0] == resumed  # a rerun changes nothing

    shell(env, FORGET)
    subprocess.run(hub_command("stats", "fill"), env=env, check=True, timeout=300)
    scratch, _ = snapshot(env)
    assert resumed == scratch
    assert sum(int(row[5]) for row in scratch if row[3] == "") == raw == 1500  # day, department, staff, dimension, value, messages
    assert {row[1] for row in scratch} == {"orders", "finance"}


def rounded(rows: list[list[str]]) -> list[list[str]]:
    return [[f"{float(cell):.3f}" if "." in cell and cell.replace(".", "", 1).isdigit() else cell for cell in row] for row in rows]


def test_late_outcomes_noted_by_the_triggers_give_what_a_fill_from_scratch_gives(database: dict[str, str]) -> None:
    env = database
    subprocess.run(hub_command("stats", "fill"), env=env, check=True, timeout=300)
    shell(env, LATE)
    subprocess.run(hub_command("stats", "fill"), env=env, check=True, timeout=300)
    incremental, raw = snapshot(env)
    shell(env, FORGET)
    subprocess.run(hub_command("stats", "fill"), env=env, check=True, timeout=300)
    scratch, _ = snapshot(env)
    assert rounded(incremental) == rounded(scratch)  # sums of seconds: added in another order
    assert sum(int(row[5]) for row in scratch if row[3] == "") == raw == 1500
    assert any(row[3] == "category" and row[4] == "refund" for row in scratch)


KEEP_ORDERS_TWO_WEEKS = """
from hub.rules.models import Category
from hub.stats.models import CategoryTarget
CategoryTarget.objects.create(category=Category.objects.get(slug="order"), retention_days=14)
"""


def test_counts_equal_the_raw_messages_before_a_purge_and_are_unchanged_after_it(database: dict[str, str]) -> None:
    env = database
    subprocess.run(hub_command("stats", "fill"), env=env, check=True, timeout=300)
    before, raw = snapshot(env)
    assert sum(int(row[5]) for row in before if row[3] == "") == raw == 1500
    shell(env, KEEP_ORDERS_TWO_WEEKS)
    dry = subprocess.run(hub_command("purge", "--dry-run"), env=env, check=True, timeout=300, capture_output=True, text=True)
    assert dry.stdout.startswith("would remove: ") and snapshot(env)[1] == 1500
    subprocess.run(hub_command("purge"), env=env, check=True, timeout=300)
    after, left = snapshot(env)
    assert 0 < left < 600  # about 14 of 41 days kept
    assert after == before
    subprocess.run(hub_command("stats", "fill", "--since", "2000-01-01"), env=env, check=True, timeout=300)
    assert snapshot(env)[0] == before


def test_migrating_back_before_the_notes_takes_the_triggers_away_and_forward_puts_them_back(tmp_path: Path) -> None:
    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1")
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=300)
    subprocess.run(hub_command("migrate", "-v0", "stats", "0001"), env=env, check=True, timeout=300)
    out = shell(env, "from hub.stats import triggers; print('MISSING', len(triggers.missing()));" + GENERATE.replace("range(1500)", "range(3)"))
    assert f"MISSING {len(TRIGGERS)}" in out  # and storing messages still works without them
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=300)
    assert "MISSING 0" in shell(env, "from hub.stats import triggers; print('MISSING', len(triggers.missing()))")


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_notes_are_merged_to_one_per_message_forward_and_plain_again_backward(vendor: str, tmp_path: Path,
                                                                              request: pytest.FixtureRequest) -> None:
    extra = {"DATABASE_URL": request.getfixturevalue("pg_database")} if vendor == "postgresql" else {}
    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", extra)
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=300)
    subprocess.run(hub_command("migrate", "-v0", "stats", "0003"), env=env, check=True, timeout=300)
    count = ("from django.db.models import Count; from hub.stats.models import Changed; from hub.stats import triggers; "
             "print('NOTES', Changed.objects.count(), 'MOST', max(Changed.objects.values('message_id').annotate(n=Count('id'))"
             ".values_list('n', flat=True)), 'ONCE', triggers.unique_notes(), 'MISSING', len(triggers.missing()))")
    # before 0004 each write notes again: three messages, each stored, announced, played, acknowledged
    out = shell(env, GENERATE.replace("range(1500)", "range(3)") + "\n" + count)
    assert "ONCE False MISSING 0" in out and "MOST 4" in out, out
    subprocess.run(hub_command("migrate", "-v0", "stats"), env=env, check=True, timeout=300)
    assert "NOTES 3 MOST 1 ONCE True MISSING 0" in shell(env, count)
    out = shell(env, "from hub.intake.models import Message; Message.objects.update(priority='high')\n" + count)
    assert "NOTES 3 MOST 1" in out  # noted already: nothing more written, and the write worked
    subprocess.run(hub_command("migrate", "-v0", "stats", "0003"), env=env, check=True, timeout=300)
    out = shell(env, "from hub.intake.models import Message; Message.objects.update(priority='normal')\n" + count)
    assert "NOTES 6 MOST 2 ONCE False MISSING 0" in out  # plain notes again, and writes still work


def test_on_postgresql_a_round_waits_for_a_writer_whose_message_was_already_noted(pg_database: str, tmp_path: Path) -> None:
    """The writer finds its message noted and writes nothing; the round that deletes that note
    must read the raw tables after the writer commits, or the change would be lost."""
    import threading

    import psycopg

    from hub.stats.incremental import HOLD_OFF_NOTES

    env = hub_env(tmp_path / "hub", "mqtt://127.0.0.1:1", {"DATABASE_URL": pg_database})
    subprocess.run(hub_command("migrate", "-v0"), env=env, check=True, timeout=300)
    shell(env, GENERATE.replace("range(1500)", "range(1)"))
    with psycopg.connect(pg_database) as writer, psycopg.connect(pg_database, autocommit=True) as watcher:
        (pk,) = writer.execute("SELECT id FROM intake_message").fetchone() or (None,)
        assert writer.execute("SELECT count(*) FROM stats_changed WHERE message_id = %s", [pk]).fetchone() == (1,)
        writer.execute("UPDATE intake_message SET priority = 'high' WHERE id = %s", [pk])  # noted already: nothing written
        seen: list[object] = []

        def a_round() -> None:
            with psycopg.connect(pg_database) as fill:
                fill.execute(HOLD_OFF_NOTES)
                fill.execute("DELETE FROM stats_changed WHERE message_id = %s", [pk])
                seen.append((fill.execute("SELECT priority FROM intake_message WHERE id = %s", [pk]).fetchone() or ("",))[0])

        thread = threading.Thread(target=a_round)
        thread.start()
        for _ in range(600):  # the round is waiting for the writer's lock (not a timing assertion: a state)
            if watcher.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'stats_changed'::regclass")\
                    .fetchone() == (1,):
                break
            thread.join(0.05)
        assert thread.is_alive() and not seen
        writer.commit()
        thread.join(60)
    assert seen == ["high"]
