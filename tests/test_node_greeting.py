"""What a speaker says about itself: connected and whom it serves, or why the broker refuses it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mqtt import BrokerSettings, DepartmentName, NodeConfig, Route
from mqtt.broker import BrokerConfig, Mosquitto, free_port
from mqtt.passwd import hash_password, render_passwd
from node.agent import Agent
from node.config import ConfigError, load
from node.greeting import GREET_AFTER_S, Greeter, connected_text, refused_text
from node.speech import Speech
from node.tts_probe import foreign_switches
from tests.conftest import AlsaSink
from tests.node_agents import NODE, make_agent, speech
from tests.node_helpers import ORDERS, Observer, occurrences, settled_size
from tests.processes import wait_until

__all__ = ["make_agent", "speech"]  # fixtures, used by name


def test_connected_names_each_department_once_in_route_order() -> None:
    routes = [Route("ops", "orders"), Route("ops", "finance", "003"), Route("ops", "orders")]
    assert connected_text(routes, "zh") == ("已连接服务器，服务部门：orders、finance 003。", "zh")
    assert connected_text(routes, "en-GB") == ("Connected. Serving orders, finance 003.", "en")


NAMES = {"orders": DepartmentName("订单部"), "finance": DepartmentName("财务部门", "Finance")}


def test_connected_says_the_hubs_department_names_not_their_slugs() -> None:
    routes = [Route("ops", "orders"), Route("ops", "finance", "003")]
    assert connected_text(routes, "zh", NAMES) == ("已连接服务器，服务部门：订单部、财务部门 003。", "zh")


def test_an_english_speaker_says_the_english_name_else_a_name_without_han_characters_else_the_slug() -> None:
    routes = [Route("ops", "finance"), Route("ops", "orders")]
    assert connected_text(routes, "en", NAMES) == ("Connected. Serving Finance, orders.", "en")
    assert connected_text(routes, "en", {"orders": DepartmentName("Order desk")})[0] == (
        "Connected. Serving finance, Order desk.")


def test_a_department_the_hub_did_not_name_is_said_by_its_slug() -> None:
    routes = [Route("ops", "orders"), Route("ops", "tech")]
    assert connected_text(routes, "zh", NAMES)[0] == "已连接服务器，服务部门：订单部、tech。"
    assert connected_text(routes, "zh", None)[0] == "已连接服务器，服务部门：orders、tech。"  # a hub before names
    assert connected_text(routes, "zh", {})[0] == "已连接服务器，服务部门：orders、tech。"


def test_connected_without_a_department_says_none_is_assigned() -> None:
    assert connected_text([Route()], "zh") == ("已连接服务器，尚未分配部门。", "zh")


def test_a_refused_password_is_named_as_such_and_other_refusals_quote_the_broker() -> None:
    assert refused_text("Bad user name or password", "zh")[0] == "无法连接服务器：用户名或密码错误。"
    assert refused_text("Not authorized", "en")[0] == "Cannot connect to the server: the user name or password is wrong."
    assert refused_text("Server unavailable", "en")[0] == (
        "Cannot connect to the server: the server refused the connection (Server unavailable).")


def test_a_language_without_texts_falls_back_to_english() -> None:
    assert connected_text([Route("ops", "orders")], "fr")[1] == "en"


def test_the_greeting_is_due_once_shortly_after_the_first_connection() -> None:
    greeter = Greeter()
    assert not greeter.due(100.0)
    greeter.connected(100.0)
    assert not greeter.due(100.0 + GREET_AFTER_S - 0.1)
    assert greeter.due(100.0 + GREET_AFTER_S)
    assert not greeter.due(200.0)
    greeter.connected(300.0)  # a reconnect later in the same run: no second greeting
    assert not greeter.due(300.0 + GREET_AFTER_S)


def test_greet_is_off_unless_the_node_file_turns_it_on(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    path.write_text('id = "spk-1"\nbroker = "mqtt://127.0.0.1:1883"\n')
    assert load(path).greet is False
    path.write_text('greet = true\nid = "spk-1"\nbroker = "mqtt://127.0.0.1:1883"\n')
    assert load(path).greet is True
    path.write_text('greet = "yes"\nid = "spk-1"\nbroker = "mqtt://127.0.0.1:1883"\n')
    with pytest.raises(ConfigError, match="greet: must be true or false"):
        load(path)


# -- the agent, with a real broker, real speech and the ALSA file sink -----------------------------


def heard_once_settled(agent: Agent, sink: AlsaSink, settle: bool = True) -> int:
    """Run ``agent`` until ``sink`` hears something (and, with ``settle``, until it is quiet again),
    then stop it; returns the sink's size then."""
    runner = threading.Thread(target=agent.run, daemon=True)
    runner.start()
    try:
        assert wait_until(lambda: sink.size() > 0, 30, 0.05), "nothing said"
        return settled_size(sink) if settle else sink.size()
    finally:
        agent.request_stop()
        runner.join(20)


def test_a_greeting_node_says_it_is_connected_and_its_department_once(
    make_agent: Callable[..., Agent], alsa_sink: AlsaSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="node.agent")
    said = heard_once_settled(make_agent(greet=True), alsa_sink)
    assert said > 22050  # more than half a second of speech
    greetings = [r.getMessage() for r in caplog.records if r.getMessage().startswith("saying ")]
    assert greetings == ["saying '已连接服务器，服务部门：orders。'"]


def test_a_greeting_node_names_its_department_as_the_hub_calls_it_in_mandarin(
    make_agent: Callable[..., Agent], alsa_sink: AlsaSink, broker: Mosquitto, speech: Speech,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="node.agent")
    config = NodeConfig(routes=(ORDERS,), volume=100, department_names={"orders": DepartmentName("订单部门")})
    with Observer(broker.url) as observer:  # retained, as the hub leaves it: there before the speaker connects
        observer.publish(NodeConfig.topic(node_id=NODE), config.to_json(), retain=True)
    heard_once_settled(make_agent(greet=True), alsa_sink)
    text = "已连接服务器，服务部门：订单部门。"
    greetings = [r.getMessage() for r in caplog.records if r.getMessage().startswith("saying ")]
    assert greetings == [f"saying {text!r}"]
    # What was heard is that text through the announcements' path (normalised, the zh voice), sample for sample,
    heard = np.frombuffer(alsa_sink.read(), dtype="<i2").astype(np.int16)
    assert [occurrences(heard, pcm.samples) for pcm in speech.synthesize(text, "zh")] == [1]
    # and that voice reads the name as Mandarin, not a switch to English rules as for the slug "orders".
    phonemes = speech.phonemes(text, "zh")
    assert foreign_switches(phonemes, "cmn") == [] and "(en)" not in phonemes, phonemes


def test_a_greeting_is_in_the_hubs_language_like_the_speakers_other_prompts(
    make_agent: Callable[..., Agent], alsa_sink: AlsaSink, broker: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="node.agent")
    config = NodeConfig(routes=(ORDERS,), language="en", department_names={"orders": DepartmentName("订单部门", "Orders")})
    with Observer(broker.url) as observer:
        observer.publish(NodeConfig.topic(node_id=NODE), config.to_json(), retain=True)
    heard_once_settled(make_agent(greet=True, language="zh"), alsa_sink, settle=False)
    greetings = [r.getMessage() for r in caplog.records if r.getMessage().startswith("saying ")]
    assert greetings == ["saying 'Connected. Serving Orders.'"]


def test_a_node_whose_password_is_refused_says_so_and_keeps_trying(
    make_agent: Callable[..., Agent], alsa_sink: AlsaSink, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="node.agent")
    passwd = tmp_path / "passwd"
    passwd.write_text(render_passwd({NODE: hash_password("the-right-one")}))
    guarded = Mosquitto(BrokerConfig(port=free_port(), data_dir=tmp_path / "guarded", password_file=passwd))
    guarded.start()
    try:
        wrong = BrokerSettings.from_url(f"mqtt://{NODE}:the-wrong-one@127.0.0.1:{guarded.config.port}")
        agent = make_agent(greet=True, broker=wrong, link_down_after=1)
        heard_once_settled(agent, alsa_sink, settle=False)
    finally:
        guarded.stop()
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("saying ")]
    assert said[0] == "saying '无法连接服务器：用户名或密码错误。': the broker link is down"
    assert not agent.link.connected.is_set()
