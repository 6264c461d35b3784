"""Topic templates: ids can never add a level or a wildcard; filters match what format builds."""

from __future__ import annotations

import pytest
from paho.mqtt.client import topic_matches_sub

from mqtt import DEFAULT_BASE, Announcement, Command, NodeStatus, PayloadError, Route, Topic

STAFF = Topic("announce/{subsystem}/{department}/{staff}")
NODE = Topic("node/{node_id}/status")

BAD_IDS = [
    "a/b",
    "/",
    "spk/+",
    "+",
    "#",
    "spk-1/#",
    "",
    " ",
    "x" * 65,
    "spk-1\n",
    "spk 1",
    "$SYS",
    "音箱",
    "-spk",
    "spk.1",
    "spk\x00",
]


def test_the_default_base_is_shopcrier() -> None:
    assert DEFAULT_BASE == "shopcrier"
    assert NODE.format(node_id="spk-1") == "shopcrier/node/spk-1/status"


def test_an_id_of_64_characters_is_the_longest_allowed() -> None:
    assert NODE.format(node_id="x" * 64) == f"shopcrier/node/{'x' * 64}/status"


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_that_could_add_a_level_or_a_wildcard_is_refused_by_format(bad: str) -> None:
    with pytest.raises(PayloadError) as caught:
        NODE.format(node_id=bad)
    assert caught.value.field == "topic.node_id"
    with pytest.raises(PayloadError) as caught:
        STAFF.format(subsystem="ops", department="finance", staff=bad)
    assert caught.value.field == "topic.staff"


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_that_could_add_a_level_or_a_wildcard_is_refused_by_filter(bad: str) -> None:
    with pytest.raises(PayloadError) as caught:
        STAFF.filter(department=bad)
    assert caught.value.field == "topic.department"


def test_format_wants_exactly_the_templates_ids() -> None:
    with pytest.raises(TypeError):
        NODE.format()
    with pytest.raises(TypeError):
        NODE.format(node_id="spk-1", extra="x")
    with pytest.raises(TypeError):
        STAFF.format(subsystem="ops", department="finance")


def test_filter_puts_a_plus_wildcard_for_each_id_left_open() -> None:
    assert NODE.filter() == "shopcrier/node/+/status"
    assert STAFF.filter() == "shopcrier/announce/+/+/+"
    assert STAFF.filter(subsystem="ops") == "shopcrier/announce/ops/+/+"
    assert STAFF.filter(department="finance") == "shopcrier/announce/+/finance/+"
    assert NodeStatus.subscription() == "shopcrier/node/+/status"
    assert Command.subscription(node_id="spk-1") == "shopcrier/node/spk-1/cmd"


def test_filter_refuses_an_id_the_template_does_not_have() -> None:
    with pytest.raises(TypeError):
        NODE.filter(department="finance")


def test_a_filter_matches_the_topics_format_builds_and_no_others() -> None:
    """Checked with paho's own matcher."""
    sub = STAFF.filter(subsystem="ops")
    assert topic_matches_sub(sub, STAFF.format(subsystem="ops", department="finance", staff="003"))
    assert not topic_matches_sub(sub, STAFF.format(subsystem="sales", department="finance", staff="003"))
    assert not topic_matches_sub(sub, Announcement.topic_for(Route("ops", "finance")))
    assert topic_matches_sub(NodeStatus.subscription(), NodeStatus.topic(node_id="spk-1"))
    assert not topic_matches_sub(NodeStatus.subscription(), Command.topic(node_id="spk-1"))
    for route in (Route(), Route("ops", "finance"), Route("ops", "finance", "003")):
        assert topic_matches_sub(Announcement.all_filter(), Announcement.topic_for(route))
        for sub in Announcement.subscriptions(route):
            assert Announcement.parse_topic(sub) is not None


@pytest.mark.parametrize("base", ["acme", "acme/shop-eu", "a_b/c-d/e"])
def test_the_base_topic_is_configurable(base: str) -> None:
    topic = NODE.format(base, node_id="spk-1")
    assert topic == f"{base}/node/spk-1/status"
    assert NODE.parse(topic, base) == {"node_id": "spk-1"}
    assert NODE.parse(topic) is None
    assert NODE.parse("shopcrier/node/spk-1/status", base) is None
    assert NODE.filter(base) == f"{base}/node/+/status"
    assert NodeStatus.topic(base, node_id="spk-1") == topic
    assert NodeStatus.is_topic(topic, base)


@pytest.mark.parametrize("base", ["", "/", "/acme", "acme/", "acme//eu", "acme/+", "#", "acme/#", "ac me", "acme\n", "商店"])
def test_a_base_that_is_not_plain_levels_is_refused(base: str) -> None:
    with pytest.raises(PayloadError) as caught:
        NODE.format(base, node_id="spk-1")
    assert caught.value.field == "topic.base"
    with pytest.raises(PayloadError):
        NODE.filter(base)
    with pytest.raises(PayloadError):
        Announcement.all_filter(base)


def test_parse_reads_the_ids_back() -> None:
    assert STAFF.parse("shopcrier/announce/ops/finance/003") == {
        "subsystem": "ops",
        "department": "finance",
        "staff": "003",
    }
    assert Topic("alerts").parse("shopcrier/alerts") == {}


@pytest.mark.parametrize(
    "topic",
    [
        "shopcrier/node/+/status",
        "shopcrier/node/#",
        "shopcrier/node//status",
        "shopcrier/node/spk-1/status/extra",
        "shopcrier/node/spk-1",
        "shopcrier/node/spk-1/heartbeat",
        "shopcrier/nodes/spk-1/status",
        "shopcrierx/node/spk-1/status",
        "xshopcrier/node/spk-1/status",
        "/shopcrier/node/spk-1/status",
        "shopcrier/node/spk 1/status",
        "shopcrier/node/spk-1\n/status",
        "shopcrier",
        "",
    ],
)
def test_parse_of_a_foreign_or_malformed_topic_is_none(topic: str) -> None:
    assert NODE.parse(topic) is None
    assert not NodeStatus.is_topic(topic)
