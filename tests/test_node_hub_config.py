"""The hub's retained node config, applied live by the agent (real Mosquitto, store, piper, ALSA sink)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mqtt import Announcement, NodeConfig, QuietHours, Receipt, Route
from mqtt.broker import Mosquitto
from node.agent import Agent
from tests.clocks import WORKDAY_NOON, ticking
from tests.node_agents import NODE, connect, make_agent, speech, step_until
from tests.node_helpers import ORDERS, Observer, announcement

__all__ = ["make_agent", "speech"]  # fixtures, used by name

FINANCE = Route("ops", "finance")
CONFIG = NodeConfig(routes=(FINANCE,), volume=40,
                    quiet_hours=(QuietHours(start="22:00", end="07:00", tz="Asia/Shanghai"),))


def publish_config(observer: Observer, config: NodeConfig | bytes) -> None:
    payload = config if isinstance(config, bytes) else config.to_json()
    observer.publish(NodeConfig.topic(node_id=NODE), payload, retain=True)


@pytest.mark.clock
def test_a_config_change_moves_the_node_to_its_new_department_without_a_restart(
    make_agent: Callable[..., Agent], broker: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    agent = make_agent(now=ticking(WORKDAY_NOON))  # the config's quiet hours (22:00-07:00 Shanghai) are not now
    connect(agent)
    with Observer(broker.url, Receipt.topic(node_id=NODE)) as observer:
        publish_config(observer, b'{"v": 1, "routes": "finance"}')
        publish_config(observer, CONFIG)
        assert step_until(agent, lambda: agent.hub_config == CONFIG, 10)

        observer.announce(announcement("to-orders-1", route=ORDERS))  # no longer followed
        observer.announce(announcement("to-finance-1", route=FINANCE))
        assert step_until(agent, lambda: bool(observer.receipts(NODE, "to-finance-1")), 20)

    assert agent.store.status("to-orders-1") is None
    assert announce_topic(ORDERS) not in agent.link.subscriptions
    assert announce_topic(FINANCE) in agent.link.subscriptions
    assert agent.player.volume == 40 and agent.quiet_hours == CONFIG.quiet_hours
    assert any("dropped an invalid node config" in r.getMessage() for r in caplog.records)


def test_the_last_config_is_used_after_a_reboot_without_the_broker(
    make_agent: Callable[..., Agent], broker: Mosquitto
) -> None:
    first = make_agent()
    connect(first)
    with Observer(broker.url) as observer:
        publish_config(observer, CONFIG)
        assert step_until(first, lambda: first.hub_config == CONFIG, 10)
    first.shutdown()
    broker.stop()

    rebooted = make_agent()

    assert rebooted.hub_config == CONFIG
    assert announce_topic(FINANCE) in rebooted.subscriptions()
    assert announce_topic(ORDERS) not in rebooted.subscriptions()
    assert rebooted.player.volume == 40


def test_until_a_config_arrives_the_files_routes_are_followed(make_agent: Callable[..., Agent]) -> None:
    agent = make_agent()

    assert agent.hub_config is None
    assert announce_topic(ORDERS) in agent.subscriptions()
    assert NodeConfig.topic(node_id=NODE) in agent.subscriptions()


def announce_topic(route: Route) -> str:
    return Announcement.topic_for(route)


