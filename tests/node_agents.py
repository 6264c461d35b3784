"""Fixtures for tests that run the agent in this process with its real parts.

Import the fixtures into a test module by name (``from tests.node_agents import make_agent, speech``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mqtt import BrokerSettings
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.clock import Clock, utc_now
from node.config import NodeSettings
from node.player import Player, SoundDevicePlayer
from node.speech import Speech, make_speech
from node.store import Store
from tests.conftest import AlsaSink
from tests.node_helpers import ORDERS
from tests.processes import wait_until

NODE = "spk-test"


@pytest.fixture(scope="module")
def speech() -> Speech:
    return make_speech(NodeSettings(id=NODE, broker=BrokerSettings.from_url("mqtt://127.0.0.1")))


def sink_player(volume: int = 100) -> SoundDevicePlayer:
    sound = SoundDevicePlayer(volume=volume)
    sound.rescan()  # PortAudio started before the alsa_sink fixture moved HOME
    return sound


@pytest.fixture
def make_agent(
    tmp_path: Path, broker: Mosquitto, alsa_sink: AlsaSink, speech: Speech
) -> Iterator[Callable[..., Agent]]:
    """Builds the agent (not started); shuts it down after the test.

    Keyword arguments other than ``now``, ``player``, ``speech`` and
    ``config_path`` override :class:`NodeSettings` fields.
    """
    made: list[Agent] = []

    def make(
        *,
        now: Clock = utc_now,
        player: Player | None = None,
        speech_engine: Any = None,
        config_path: Path | None = None,
        **overrides: Any,
    ) -> Agent:
        settings = NodeSettings(
            id=NODE,
            broker=BrokerSettings.from_url(broker.url),
            data_dir=tmp_path / "node",
            routes=(ORDERS,),
            heartbeat_interval=30,
        )
        settings = replace(settings, **overrides)
        agent = Agent(settings, store=Store.open(settings.data_dir, now=now), speech=speech_engine or speech,
                      player=player or sink_player(), now=now, config_path=config_path)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        agent.request_stop()
        agent.shutdown()


def step_until(agent: Agent, condition: Callable[[], bool], timeout: float) -> bool:
    """Turn the agent's loop by hand until ``condition`` holds."""
    def turn() -> bool:
        agent.step()
        return condition()

    return wait_until(turn, timeout, 0)


def connect(agent: Agent) -> None:
    agent.start()
    assert step_until(agent, agent.link.subscribed.is_set, 10), "agent did not connect and subscribe"
