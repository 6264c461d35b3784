"""The agent in this process with its real parts (Mosquitto, store, piper/espeak-ng, ALSA sink).

Here the test drives :meth:`Agent.step` itself or runs the loop in a thread,
which lets it stop the broker at a chosen moment and inject the clock;
tests/test_node_e2e.py runs the node as a real subprocess.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from mqtt import Command, Heartbeat, NodeStatus, Receipt, ReceiptKey, ReceiptsStored, Reply
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.player import SoundDevicePlayer
from tests.conftest import AlsaSink
from tests.node_agents import NODE, connect, make_agent, speech, step_until
from tests.node_helpers import Observer, announcement, settled_size
from tests.processes import wait_until

__all__ = ["make_agent", "speech"]  # fixtures, used by name

def test_receipts_made_while_the_broker_is_down_arrive_after_it_returns(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    broker.stop()
    agent = make_agent()
    agent.start()
    agent.store.accept(announcement("offline-1"))  # as if it had arrived just before the outage

    assert step_until(agent, lambda: agent.store.status("offline-1") == "played", 20)
    assert agent.store.outbox_size() == 1 and alsa_sink.size() > 0

    broker.start()
    with Observer(broker.url, Receipt.topic(node_id=NODE)) as observer:
        assert step_until(agent, lambda: bool(observer.receipts(NODE, "offline-1")), 30)
        assert observer.receipts(NODE, "offline-1")[0].status == "played"
        assert agent.store.outbox_size() == 1  # the broker took it; the hub has not said it stored it
        observer.publish(ReceiptsStored.topic(node_id=NODE),
                         ReceiptsStored((ReceiptKey("offline-1", "played"),)).to_json())
        assert step_until(agent, lambda: agent.store.outbox_size() == 0, 10)


def test_it_expires_an_announcement_by_its_clock_and_plays_nothing(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    def an_hour_ahead() -> datetime:
        return datetime.now(timezone.utc) + timedelta(hours=1)

    agent = make_agent(now=an_hour_ahead)
    connect(agent)
    with Observer(broker.url, Receipt.topic(node_id=NODE)) as observer:
        # Still valid for the broker (ten minutes left), past due for the node.
        observer.announce(announcement("late-1", expires_at=datetime.now(timezone.utc) + timedelta(minutes=10)))

        assert step_until(agent, lambda: bool(observer.receipts(NODE, "late-1")), 20)
        receipt = observer.receipts(NODE, "late-1")[0]

    assert receipt.status == "expired" and receipt.detail and "expired at" in receipt.detail
    assert agent.store.status("late-1") == "expired"
    assert alsa_sink.size() == 0


def test_an_audio_failure_gives_a_failed_receipt_and_a_heartbeat_error_not_a_crash(
    make_agent: Callable[..., Agent], broker: Mosquitto
) -> None:
    agent = make_agent(player=SoundDevicePlayer(device="no-such-speaker"), heartbeat_interval=1)
    connect(agent)
    heartbeats = Heartbeat.topic(node_id=NODE)
    with Observer(broker.url, Receipt.topic(node_id=NODE), heartbeats) as observer:
        observer.announce(announcement("mute-1"))

        assert step_until(agent, lambda: bool(observer.receipts(NODE, "mute-1")), 20)
        receipt = observer.receipts(NODE, "mute-1")[0]
        assert receipt.status == "failed" and receipt.detail and "no-such-speaker" in receipt.detail

        def reported() -> bool:  # after the last attempt: nothing left queued
            return any(b.audio_error and b.queue_depth == 0
                       for b in (Heartbeat.from_json(p) for p in observer.on(heartbeats)))

        assert step_until(agent, reported, 10)
    beat = [Heartbeat.from_json(p) for p in observer.on(heartbeats) if Heartbeat.from_json(p).audio_error][-1]
    assert beat.audio_error and "no-such-speaker" in beat.audio_error
    assert (beat.interval_s, beat.volume, beat.queue_depth) == (1, 80, 0)


def test_a_say_command_is_spoken_and_answered_without_being_stored(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    agent = make_agent()
    connect(agent)
    replies = Reply.topic(node_id=NODE)
    with Observer(broker.url, replies) as observer:
        say = Command(id="cmd-1", cmd="say", args={"text": "Testing the speaker.", "lang": "en"})
        observer.publish(Command.topic(node_id=NODE), say.to_json())

        assert step_until(agent, lambda: len(observer.on(replies)) == 1, 20)
        answer = Reply.from_json(observer.on(replies)[0])

    assert answer.id == "cmd-1" and answer.ok is True
    assert settled_size(alsa_sink) > 0
    assert agent.store.status("cmd-1") is None and agent.store.queue_depth() == 0


def test_an_unexpected_error_in_one_turn_is_logged_and_the_loop_carries_on(
    make_agent: Callable[..., Agent], broker: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    trip = threading.Event()

    def clock() -> datetime:
        if trip.is_set():
            trip.clear()
            raise RuntimeError("clock tripped")
        return datetime.now(timezone.utc)

    agent = make_agent(now=clock)
    runner = threading.Thread(target=agent.run)
    with Observer(broker.url, Receipt.topic(node_id=NODE), NodeStatus.topic(node_id=NODE)) as observer:
        runner.start()
        assert wait_until(lambda: observer.status(NODE) == b"online", 10)

        trip.set()  # the next turn that reads the clock fails (taking "first-1" in, or a heartbeat)
        observer.announce(announcement("first-1"))
        assert wait_until(lambda: not trip.is_set(), 10)
        observer.announce(announcement("after-1"))

        assert observer.wait_receipt(NODE, "after-1").status == "played"
        agent.request_stop()
        runner.join(10)
        assert not runner.is_alive()
        assert wait_until(lambda: observer.status(NODE) == b"offline", 10)

    assert any(r.exc_info and "clock tripped" in str(r.exc_info[1]) for r in caplog.records
               if r.levelno == logging.ERROR)


def test_a_stop_before_the_next_sentence_leaves_the_announcement_queued_to_play_in_full(
    make_agent: Callable[..., Agent], alsa_sink: AlsaSink
) -> None:
    agent = make_agent()
    agent.store.accept(announcement("cut-1", text="First sentence. Second sentence."))
    agent.request_stop()  # as SIGTERM does, here before the first sentence

    assert agent.play_next() is True

    assert agent.store.status("cut-1") == "queued"
    assert agent.store.outbox_size() == 0
    assert settled_size(alsa_sink) == 0


def test_a_failing_device_keeps_the_announcement_queued_and_plays_it_once_the_device_is_back(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    player = SoundDevicePlayer(device="no-such-speaker", volume=100)
    agent = make_agent(player=player)
    connect(agent)
    with Observer(broker.url, Receipt.topic(node_id=NODE)) as observer:
        observer.announce(announcement("retry-1"))
        assert step_until(agent, lambda: agent.telemetry.audio_error is not None, 20)
        assert agent.store.status("retry-1") == "queued"

        player.device = None  # the speaker is plugged back in
        assert step_until(agent, lambda: bool(observer.receipts(NODE, "retry-1")), 20)

    assert observer.receipts(NODE, "retry-1")[0].status == "played"
    assert agent.telemetry.audio_error is None and settled_size(alsa_sink) > 0


def test_across_a_broker_restart_each_announcement_plays_once(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    agent = make_agent()
    runner = threading.Thread(target=agent.run)
    runner.start()
    try:
        with Observer(broker.url, Receipt.topic(node_id=NODE), NodeStatus.topic(node_id=NODE)) as observer:
            assert wait_until(lambda: observer.status(NODE) == b"online", 10)
            observer.announce(announcement("before-restart"))
            assert observer.wait_receipt(NODE, "before-restart").status == "played"
        broker.restart()  # persistence on: the node's session and subscriptions survive
        with Observer(broker.url, Receipt.topic(node_id=NODE)) as observer:
            observer.announce(announcement("after-restart"))  # queued for the node's session until it is back
            assert observer.wait_receipt(NODE, "after-restart", 40).status == "played"
            # no hub confirms them here, so the receipts come again; the sound does not
            assert not wait_until(lambda: len(agent.store.recent_played(10)) > 2, 1.0)
            assert [p.announcement_id for p in agent.store.recent_played(10)] == ["before-restart", "after-restart"]
    finally:
        agent.request_stop()
        runner.join(20)
