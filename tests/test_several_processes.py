"""Two web processes and two ``run`` processes on one PostgreSQL database and one broker share
the work without doing any of it twice.

- webhooks to either web process are stored once (unique keys), from a bounded pool each;
- the platform is polled by one process only (the source's advisory lock);
- the outbox is sent by one publisher only (hub.outbox.lead's advisory lock): every
  delivery reaches the broker exactly once; when that process is SIGKILLed the other
  takes over and sends what comes next, once;
- heartbeats go to a ``$share`` group: a third member this test adds gets only part of
  them, so the two monitors are in the group, and every speaker's heartbeat is recorded.
"""

from __future__ import annotations

import collections
import itertools
import subprocess
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

import mqtt
from hub.simulator.server import SimulatorServer
from mqtt.broker import Mosquitto
from mqtt.client import Link
from mqtt.topics import shared
from tests.ack_helpers import pg_database, prepared_hub  # noqa: F401  (the fixture)
from tests.mqtt_helpers import Watcher
from tests.processes import Proc, hub_command, wait_until
from tests.webhook_load import fresh_messages, load, prepare, serve, signed

pytestmark = pytest.mark.e2e

POLL_LOCK, OUTBOX_LOCK = 0x5343504C, 0x53434F42
SPEAKERS = [f"spk-{n}" for n in range(5)]


def rows(url: str, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as db:
        return list(db.execute(query.encode(), params or []).fetchall())


def lock_holders(url: str, space: int, key: int) -> list[str]:
    return [r[0] for r in rows(
        url, "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
             "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.granted", [space, key])]


def settled(url: str, messages: int) -> bool:
    (stored, pending), = rows(url, "SELECT (SELECT count(*) FROM intake_message), "
                                   "(SELECT count(*) FROM outbox_delivery WHERE status = 'pending')")
    return bool(stored >= messages and pending == 0)


def published(url: str) -> list[tuple[str, bytes]]:
    return [(t, bytes(p)) for t, p in rows(
        url, "SELECT topic, payload FROM outbox_delivery WHERE status IN ('sent', 'no_speaker')")]


def send_webhooks(bases: list[str], messages: list[dict[str, Any]]) -> None:
    def send(session: requests.Session, i: int) -> str | None:
        body, headers = signed(messages[i])
        r = session.post(f"{bases[i % len(bases)]}/hooks/shop/", data=body, headers=headers, timeout=60)
        return None if r.status_code == 200 and r.json()["stored"] == 1 else f"HTTP {r.status_code}: {r.text[:200]}"

    run = load(send, 8, len(messages))
    assert run.errors == [], run.errors[:3]


def test_two_web_and_two_run_processes_share_the_work_and_send_nothing_twice(
    tmp_path: Path, broker: Mosquitto, simulator: SimulatorServer, pg_database: str,  # noqa: F811
) -> None:
    env = prepare(tmp_path, pg_database, broker.url)
    enrol = "from hub.org.models import Department, SpeakerNode\nd = Department.objects.get(slug='tech')\n" + "".join(
        f"SpeakerNode.objects.create(node_id={n!r}, department=d)\n" for n in SPEAKERS)
    prepared_hub(tmp_path, broker.url, pg_database, enrol)
    subprocess.run(hub_command("source", "platform", "--adapter", "simulator", "--url", simulator.url, "--interval", "1s"),
                   env=env, check=True, timeout=60, stdout=subprocess.DEVNULL)
    polled = len({item["id"] for item in simulator.feed.since(0, len(simulator.feed))})
    watcher = Watcher(broker.url, "shopcrier/events/+", "shopcrier/announce/#")
    runs = {name: Proc(f"run-{name}", hub_command("run"), {**env, "SHOPCRIER_HUB_INSTANCE": name}, tmp_path)
            for name in ("a", "b")}
    webs = [serve(env, tmp_path, f"serve-{i}") for i in range(2)]
    member = Link(mqtt.BrokerSettings.from_url(broker.url), f"share-{uuid.uuid4().hex[:6]}", clean_start=True,
                  session_expiry=0)
    member.subscribe(shared(mqtt.Heartbeat.subscription("shopcrier"), "hub"), qos=1)
    try:
        assert all(wait_until(lambda: "monitor started" in p.log(), 60) for p in runs.values())
        member.start()
        assert member.wait_connected(10)

        # webhooks through both web processes, while the platform is polled
        hooks = fresh_messages(120, seed=31)
        send_webhooks([base for _, base in webs], hooks)
        assert wait_until(lambda: settled(pg_database, polled + len(hooks)), 90), [p.log()[-1500:] for p in runs.values()]
        (platform,), = rows(pg_database, "SELECT id FROM intake_source WHERE name = 'platform'")
        assert len(lock_holders(pg_database, POLL_LOCK, platform)) == 1
        leaders = lock_holders(pg_database, OUTBOX_LOCK, 1)
        assert len(leaders) == 1, leaders
        (count, distinct), = rows(pg_database, "SELECT count(*), count(DISTINCT dedup_key) FROM intake_message")
        assert count == distinct == polled + len(hooks)

        # heartbeats: shared between the monitors (and the member this test added)
        beats = 60
        beat = mqtt.Heartbeat(uptime_s=1.0, queue_depth=0, volume=80, version="test", interval_s=30, free_disk_mb=100)
        publisher = Link(mqtt.BrokerSettings.from_url(broker.url), "beats", clean_start=True, session_expiry=0)
        publisher.start()
        assert publisher.wait_connected(10)
        infos = [publisher.publish(mqtt.Heartbeat.topic("shopcrier", node_id=n), beat.to_json(), qos=1)
                 for n in itertools.islice(itertools.cycle(SPEAKERS), beats)]
        mqtt.wait_all(infos, 10)
        publisher.stop()
        got = [e for e in iter_inbox(member) if isinstance(e, mqtt.Received)]
        assert wait_until(lambda: rows(pg_database, "SELECT count(*) FROM monitor_nodehealth "
                                                    "WHERE last_heartbeat_at IS NOT NULL")[0][0] == len(SPEAKERS), 20)
        got += [e for e in iter_inbox(member) if isinstance(e, mqtt.Received)]
        assert 0 < len(got) < beats, len(got)  # the broker split them among three members

        # the leading publisher dies; the other takes the outbox over
        leader = runs[next(name for name in runs if any(f"-{runs[name].process.pid}" in a for a in leaders))]
        leader.kill()
        more = fresh_messages(40, seed=32)
        for m in more:
            m["id"] = f"late-{m['id']}"
        send_webhooks([base for _, base in webs], more)
        assert wait_until(lambda: settled(pg_database, polled + len(hooks) + len(more)), 90)
        assert wait_until(lambda: len(watcher.drain()) >= len(published(pg_database)), 30)
        seen = collections.Counter((m.topic, m.payload) for m in watcher.drain())
        assert sorted(seen) == sorted(published(pg_database))
        assert max(seen.values()) == 1, [k for k, v in seen.items() if v > 1][:3]
    finally:
        member.stop()
        watcher.close()
        for web, _ in webs:
            web.terminate()
        for p in runs.values():
            if p.alive():
                p.terminate()


def iter_inbox(link: Link) -> list[mqtt.LinkEvent]:
    events = []
    while not link.inbox.empty():
        events.append(link.inbox.get_nowait())
    return events

