"""The generated mosquitto.conf, and the Mosquitto process the tests and demo own."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from mqtt.broker import INSTALL_HINT, BrokerConfig, BrokerError, Mosquitto, free_port


def conf_lines(config: BrokerConfig) -> list[str]:
    return config.render().splitlines()


def test_the_config_keeps_messages_and_sessions_deliberately(tmp_path: Path) -> None:
    lines = conf_lines(BrokerConfig(port=18830, data_dir=tmp_path))
    assert "persistence true" in lines
    assert f"persistence_location {tmp_path}/" in lines
    assert "max_queued_messages 100000" in lines
    assert "persistent_client_expiration 14d" in lines
    assert "listener 18830 127.0.0.1" in lines
    assert "allow_anonymous true" in lines


def test_the_config_carries_the_limits_it_is_given(tmp_path: Path) -> None:
    config = BrokerConfig(
        port=1883,
        data_dir=tmp_path,
        bind="0.0.0.0",
        persistence=False,
        max_queued_messages=5000,
        persistent_client_expiration="2d",
    )
    lines = conf_lines(config)
    assert "persistence false" in lines
    assert "max_queued_messages 5000" in lines
    assert "persistent_client_expiration 2d" in lines
    assert "listener 1883 0.0.0.0" in lines


def test_a_password_file_turns_anonymous_access_off(tmp_path: Path) -> None:
    config = BrokerConfig(
        port=1883, data_dir=tmp_path, password_file=tmp_path / "passwd", acl_file=tmp_path / "acl"
    )
    lines = conf_lines(config)
    assert "allow_anonymous false" in lines
    assert f"password_file {tmp_path}/passwd" in lines
    assert f"acl_file {tmp_path}/acl" in lines
    assert not any(line.startswith(("password_file", "acl_file")) for line in conf_lines(BrokerConfig(1883, tmp_path)))


def test_start_without_mosquitto_installed_says_how_to_install_it(tmp_path: Path) -> None:
    mosquitto = Mosquitto(BrokerConfig(port=free_port(), data_dir=tmp_path), binary="definitely-not-mosquitto")
    with pytest.raises(BrokerError) as caught:
        mosquitto.start()
    assert str(caught.value) == INSTALL_HINT
    assert "apt-get install mosquitto" in str(caught.value)
    assert mosquitto.process is None


def test_a_broker_that_refuses_its_config_fails_fast_with_its_own_words(tmp_path: Path) -> None:
    config = BrokerConfig(port=free_port(), data_dir=tmp_path, persistent_client_expiration="fortnight")
    mosquitto = Mosquitto(config)
    started = time.monotonic()
    with pytest.raises(BrokerError) as caught:
        mosquitto.start(timeout=10)
    assert time.monotonic() - started < 5  # it noticed the exit, not the timeout
    assert "persistent_client_expiration" in str(caught.value)
    assert mosquitto.process is not None and mosquitto.process.poll() is not None


def test_the_broker_fixture_listens_and_writes_its_config(broker: Mosquitto) -> None:
    assert broker.url == f"mqtt://127.0.0.1:{broker.config.port}"
    assert broker.conf_path.read_text() == broker.config.render()
    with socket.create_connection(("127.0.0.1", broker.config.port), timeout=2):
        pass


def test_stop_and_start_again_on_the_same_port(broker: Mosquitto) -> None:
    broker.stop()
    assert broker.process is not None and broker.process.poll() is not None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", broker.config.port), timeout=1).close()
    broker.start()
    with socket.create_connection(("127.0.0.1", broker.config.port), timeout=2):
        pass
    broker.restart()
    with socket.create_connection(("127.0.0.1", broker.config.port), timeout=2):
        pass
