"""Commands on node/{id}/cmd, each answered with a Reply echoing its id (real broker, piper, ALSA sink)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mqtt import Command, Heartbeat, Receipt, Reply
from mqtt.broker import Mosquitto
from node.agent import Agent
from tests.conftest import AlsaSink
from tests.node_agents import NODE, connect, make_agent, speech, step_until
from tests.node_helpers import Observer, announcement, settled_size, write_config

__all__ = ["make_agent", "speech"]  # fixtures, used by name

REPLIES = Reply.topic(node_id=NODE)


def command(agent: Agent, observer: Observer, cmd: Command, timeout: float = 20) -> Reply:
    """Send ``cmd`` and turn the agent until its reply comes back."""
    observer.publish(Command.topic(node_id=NODE), cmd.to_json())

    def answered() -> list[Reply]:
        return [r for r in (Reply.from_json(p) for p in observer.on(REPLIES)) if r.id == cmd.id]

    assert step_until(agent, lambda: bool(answered()), timeout), f"no reply to {cmd.id}"
    return answered()[0]


def test_volume_changes_the_level_at_once_and_the_heartbeat_shows_it(
    make_agent: Callable[..., Agent], broker: Mosquitto
) -> None:
    agent = make_agent(heartbeat_interval=5)
    connect(agent)
    with Observer(broker.url, REPLIES, Heartbeat.topic(node_id=NODE)) as observer:
        reply = command(agent, observer, Command(id="vol-1", cmd="volume", args={"level": 35}))
        agent._next_heartbeat = 0.0  # the next turn sends one
        assert step_until(agent, lambda: bool(observer.on(Heartbeat.topic(node_id=NODE))), 10)

    assert reply.ok and agent.player.volume == 35
    assert Heartbeat.from_json(observer.on(Heartbeat.topic(node_id=NODE))[-1]).volume == 35


def test_replay_says_the_last_announcements_again_without_new_receipts(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    agent = make_agent()
    connect(agent)
    with Observer(broker.url, REPLIES, Receipt.topic(node_id=NODE)) as observer:
        for n in (1, 2, 3):
            observer.announce(announcement(f"order-{n}", text=f"Order {n} was placed."))
        assert step_until(agent, lambda: len(observer.receipts(NODE)) == 3, 30)
        before = settled_size(alsa_sink)
        last_two = before * 2 // 3  # three announcements of near the same length

        reply = command(agent, observer, Command(id="replay-1", cmd="replay", args={"count": 2}))
        heard = settled_size(alsa_sink) - before

    assert reply.ok and reply.detail == "replayed 2"
    assert abs(heard - last_two) < 0.2 * last_two
    assert len(observer.receipts(NODE)) == 3
    assert [p.announcement_id for p in agent.store.recent_played(5)] == ["order-1", "order-2", "order-3"]


def test_identify_plays_a_chime_and_says_its_id(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink
) -> None:
    agent = make_agent(language="en")
    connect(agent)
    with Observer(broker.url, REPLIES) as observer:
        reply = command(agent, observer, Command(id="who-1", cmd="identify"))

    assert reply.ok
    assert settled_size(alsa_sink) > 2 * 22050 * 0.36  # more than the chime alone


def test_a_retained_command_is_ignored_with_a_log_line(
    make_agent: Callable[..., Agent], broker: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    with Observer(broker.url, REPLIES) as observer:
        ghost = Command(id="ghost-1", cmd="volume", args={"level": 5})
        observer.publish(Command.topic(node_id=NODE), ghost.to_json(), retain=True)
        agent = make_agent()
        connect(agent)

        reply = command(agent, observer, Command(id="live-1", cmd="volume", args={"level": 60}))
        replies = [Reply.from_json(p).id for p in observer.on(REPLIES)]

    assert reply.ok and replies == ["live-1"]
    assert agent.player.volume == 60
    assert any("ignored a retained command" in r.getMessage() for r in caplog.records)


def test_reload_rereads_the_files_audio_settings_and_keeps_its_identity(
    make_agent: Callable[..., Agent], broker: Mosquitto, tmp_path: Path
) -> None:
    path = write_config(tmp_path / "node.toml", node_id=NODE, broker_url=broker.url, extra="volume = 80")
    agent = make_agent(config_path=path)
    connect(agent)
    write_config(path, node_id="someone-else", broker_url=broker.url,
                 extra='volume = 55\nlanguage = "en"\nlink_down_after = 9')
    with Observer(broker.url, REPLIES) as observer:
        reply = command(agent, observer, Command(id="reload-1", cmd="reload"))
        path.write_text("volume = = 1\n")
        broken = command(agent, observer, Command(id="reload-2", cmd="reload"))

    assert reply.ok and reply.detail == "changed: volume, language, link_down_after"
    assert agent.player.volume == 55 and agent.settings.language == "en"
    assert agent.settings.id == NODE
    assert not broken.ok and broken.detail and "not valid TOML" in broken.detail
