"""What a speaker says about itself: connected and whom it serves, or why the broker refuses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mqtt import Route
from node.config import ConfigError, load
from node.greeting import GREET_AFTER_S, Greeter, connected_text, refused_text


def test_connected_names_each_department_once_in_route_order() -> None:
    routes = [Route("ops", "orders"), Route("ops", "finance", "003"), Route("ops", "orders")]
    assert connected_text(routes, "zh") == ("已连接服务器，服务部门：orders、finance 003。", "zh")
    assert connected_text(routes, "en-GB") == ("Connected. Serving orders, finance 003.", "en")


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
