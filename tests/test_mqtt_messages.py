"""The payloads of the MQTT contract: round trips, topics, and hostile input.

Every refusal is a PayloadError whose ``field`` names what is wrong, so a
receiver can log one line and drop the message.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import pytest

from mqtt import (
    Alert,
    Announcement,
    Command,
    DepartmentName,
    Event,
    Heartbeat,
    HubStatus,
    NodeConfig,
    NodeStatus,
    PayloadError,
    QuietHours,
    Receipt,
    Reply,
    Route,
)
from mqtt.fields import MAX_PAYLOAD_BYTES
from mqtt.topics import Topical

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


class Message(Protocol):
    def to_json(self) -> bytes: ...


ANNOUNCEMENT = Announcement(
    id="a1f3-10023",
    text="客户张三提交了订单10023",
    category="order",
    route=Route("ops", "orders"),
    lang="zh",
    priority="high",
    message_id=123,
    sound="order-chime",
    sound_url="http://hub/media/sounds/order.wav",
    sound_sha256=SHA,
    created_at=T0,
    expires_at=T0 + timedelta(minutes=30),
)

SAMPLES: dict[str, Message] = {
    "announcement": ANNOUNCEMENT,
    "announcement to one person": Announcement(
        id="a2", text="用户李四申请了提现请及时审核", category="withdrawal", route=Route("ops", "finance", "003"), created_at=T0
    ),
    "announcement to all": Announcement(
        id="a3", text="System maintenance at 22:00", category="system", route=Route(), lang="en", created_at=T0
    ),
    "event": Event(
        message_id=7,
        category="refund",
        priority="normal",
        rule="keyword:退款",
        text="客户王五申请退款¥35.00",
        source="main-shop",
        app="小程序",
        user="王五",
        created_at=T0,
    ),
    "alert": Alert(id="src-main-shop-down", state="opened", subject="平台接口无响应", text="main-shop: timeout", at=T0),
    "heartbeat": Heartbeat(
        uptime_s=3600.125,
        queue_depth=2,
        volume=80,
        version="0.1.0",
        interval_s=30,
        free_disk_mb=512,
        last_played="a1f3-10023",
        last_played_at=T0,
        audio_error="声卡忙",
        link_down_s=1.5,
        at=T0,
    ),
    "bare heartbeat": Heartbeat(uptime_s=0.0, queue_depth=0, volume=0, version="0.1.0", interval_s=1, free_disk_mb=0, at=T0),
    "receipt": Receipt(id="a1f3-10023", status="played", at=T0, detail="播放完毕"),
    "node config": NodeConfig(
        routes=(Route("ops", "orders"), Route("ops", "finance", "003")),
        volume=65,
        quiet_hours=(QuietHours(start="22:30", end="07:00", days=(0, 1, 2, 3, 4), tz="Asia/Shanghai"),),
        voices={"zh": "zh_CN-huayan-medium", "en": "en_US-lessac-medium"},
        language="zh",
        department_names={"orders": DepartmentName("订单部", "Orders"), "finance": DepartmentName("财务部门")},
    ),
    "say command": Command(id="c1", cmd="say", args={"text": "测试广播", "lang": "zh"}),
    "volume command": Command(id="c2", cmd="volume", args={"level": 100}),
    "replay command": Command(id="c3", cmd="replay", args={"count": 20}),
    "identify command": Command(id="c4", cmd="identify"),
    "reply": Reply(id="c1", ok=False, detail="音量超出范围"),
}


def parse(message: Message, data: bytes | str) -> Message:
    """``type(message).from_json(data)``, typed for the Protocol."""
    reader: Callable[[bytes | str], Message] = getattr(type(message), "from_json")
    return reader(data)


@pytest.mark.parametrize("name", SAMPLES)
def test_every_message_survives_a_json_round_trip(name: str) -> None:
    message = SAMPLES[name]
    assert parse(message, message.to_json()) == message


@pytest.mark.parametrize("name", SAMPLES)
def test_every_message_also_reads_from_a_str(name: str) -> None:
    message = SAMPLES[name]
    assert parse(message, message.to_json().decode()) == message


@pytest.mark.parametrize("name", SAMPLES)
def test_every_payload_carries_version_1(name: str) -> None:
    assert json.loads(SAMPLES[name].to_json())["v"] == 1


def test_chinese_text_is_written_as_utf8_not_escaped() -> None:
    data = ANNOUNCEMENT.to_json()
    assert "客户张三提交了订单10023".encode() in data
    assert b"\\u" not in data


def test_times_are_written_in_utc_with_a_z() -> None:
    shanghai = timezone(timedelta(hours=8))
    announcement = Announcement(
        id="a1", text="t", category="order", route=Route(), created_at=datetime(2026, 11, 25, 18, 0, tzinfo=shanghai)
    )
    obj = json.loads(announcement.to_json())
    assert obj["created_at"] == "2026-11-25T10:00:00.000Z"
    assert obj["expires_at"] is None
    assert Announcement.from_json(announcement.to_json()).created_at == announcement.created_at


def test_times_are_kept_to_the_millisecond() -> None:
    announcement = Announcement(
        id="a1", text="t", category="order", route=Route(), created_at=T0 + timedelta(microseconds=123_456)
    )
    assert json.loads(announcement.to_json())["created_at"] == "2026-11-25T10:00:00.123Z"
    assert Announcement.from_json(announcement.to_json()).created_at == T0 + timedelta(milliseconds=123)


def test_the_design_documents_example_announcement_is_read() -> None:
    data = json.dumps(
        {
            "v": 1,
            "id": "a1f3",
            "message_id": 123,
            "category": "order",
            "priority": "normal",
            "text": "客户张三提交了订单10023",
            "lang": "zh",
            "sound": "order-chime",
            "sound_url": "http://hub/media/sounds/order.wav",
            "sound_sha256": SHA,
            "created_at": "2026-11-25T10:00:00Z",
            "expires_at": "2026-11-25T10:30:00Z",
            "route": {"subsystem": "ops", "department": "orders", "staff": None},
        },
        ensure_ascii=False,
    ).encode()
    announcement = Announcement.from_json(data)
    assert announcement.route == Route("ops", "orders")
    assert announcement.created_at == T0
    assert announcement.expires_at == T0 + timedelta(minutes=30)
    assert announcement.is_expired(T0 + timedelta(minutes=30))
    assert not announcement.is_expired(T0 + timedelta(minutes=29))


# -- topics ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "topic"),
    [
        (Route("ops", "orders"), "shopcrier/announce/ops/orders"),
        (Route("ops", "finance", "003"), "shopcrier/announce/ops/finance/003"),
        (Route(), "shopcrier/announce/all"),
    ],
)
def test_an_announcement_topic_formats_and_parses_back_to_its_route(route: Route, topic: str) -> None:
    announcement = Announcement(id="a1", text="t", category="order", route=route)
    assert announcement.topic() == topic
    assert Announcement.parse_topic(topic) == route
    assert announcement.topic("acme/eu") == "acme/eu/" + topic.removeprefix("shopcrier/")
    assert Announcement.parse_topic(announcement.topic("acme/eu"), "acme/eu") == route


@pytest.mark.parametrize(
    "topic",
    [
        "other/announce/ops/orders",  # another base
        "shopcrier/announce",
        "shopcrier/announce/ops",
        "shopcrier/announce/ops/orders/003/extra",
        "shopcrier/announce/ops/orders/",
        "shopcrier/announce//orders",
        "shopcrier/announce/+/orders",
        "shopcrier/announce/ops/#",
        "shopcrier/announce/all/",
        "shopcrier/events/order",
        "shopcrier/node/spk-1/cmd",
        "shopcrier/announce/ops/orders\n",
        "",
    ],
)
def test_a_foreign_or_malformed_topic_is_no_announcement_topic(topic: str) -> None:
    assert Announcement.parse_topic(topic) is None


def test_a_speaker_subscribes_to_its_department_and_to_all() -> None:
    assert Announcement.subscriptions(Route("ops", "orders")) == [
        "shopcrier/announce/all",
        "shopcrier/announce/ops/orders",
    ]
    assert Announcement.subscriptions(Route()) == ["shopcrier/announce/all"]
    assert Announcement.all_filter("acme") == "acme/announce/#"


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (Event.topic(category="order"), "shopcrier/events/order"),
        (Alert.topic(), "shopcrier/alerts"),
        (HubStatus.topic(), "shopcrier/hub/status"),
        (NodeStatus.topic(node_id="spk-1"), "shopcrier/node/spk-1/status"),
        (Heartbeat.topic(node_id="spk-1"), "shopcrier/node/spk-1/heartbeat"),
        (Receipt.topic(node_id="spk-1"), "shopcrier/node/spk-1/receipt"),
        (NodeConfig.topic(node_id="spk-1"), "shopcrier/node/spk-1/config"),
        (Command.topic(node_id="spk-1"), "shopcrier/node/spk-1/cmd"),
        (Reply.topic(node_id="spk-1"), "shopcrier/node/spk-1/reply"),
    ],
)
def test_each_message_topic_formats_as_the_contract_says(topic: str, expected: str) -> None:
    assert topic == expected


TOPICAL: list[type[Topical]] = [Event, Alert, HubStatus, NodeStatus, Heartbeat, Receipt, NodeConfig, Command, Reply]


@pytest.mark.parametrize("cls", TOPICAL, ids=lambda cls: cls.__name__)
def test_each_message_topic_parses_back_to_its_ids_and_no_other_message_claims_it(cls: type[Topical]) -> None:
    ids = {name: "x-1" for name in cls.TOPIC.names}
    topic = cls.topic(**ids)
    assert cls.parse_topic(topic) == ids
    assert cls.is_topic(topic)
    assert [other for other in TOPICAL if other.is_topic(topic)] == [cls]
    assert Announcement.parse_topic(topic) is None
    assert cls.parse_topic(cls.topic("acme", **ids), "acme") == ids
    assert cls.parse_topic(topic, "acme") is None


def test_availability_is_plain_online_or_offline() -> None:
    assert NodeStatus.parse(b"online") is True
    assert HubStatus.parse(b"offline") is False
    with pytest.raises(PayloadError) as caught:
        NodeStatus.parse(b'{"v": 1, "online": true}')
    assert caught.value.field == "status"


# -- hostile input -----------------------------------------------------------

DROP = object()


def edit(message: Message, **changes: Any) -> bytes:
    """``message`` as JSON with top-level keys replaced (or removed, with DROP)."""
    obj = json.loads(message.to_json())
    for key, value in changes.items():
        if value is DROP:
            obj.pop(key, None)
        else:
            obj[key] = value
    return json.dumps(obj, ensure_ascii=False).encode()


def edit_route(**changes: Any) -> bytes:
    route = {**ANNOUNCEMENT.route.to_dict(), **changes}
    return edit(ANNOUNCEMENT, route=route)


def quiet(**changes: Any) -> bytes:
    """The sample node config with one quiet-hours window edited."""
    window = {"start": "22:00", "end": "07:00", "days": [0, 1], "tz": "UTC", **changes}
    return edit(CONFIG, quiet_hours=[window])


def bare(message: Message, key: str, literal: bytes) -> bytes:
    """``message`` with ``key`` set to a raw JSON literal (NaN, Infinity, an escape)."""
    return edit(message, **{key: "@@"}).replace(b'"@@"', literal)


HEARTBEAT = SAMPLES["heartbeat"]
CONFIG = SAMPLES["node config"]
SAY = SAMPLES["say command"]
A = ANNOUNCEMENT

# (what, message whose class reads it, payload, field named in the error)
HOSTILE: list[tuple[str, Message, bytes | str, str]] = [
    # not a JSON object of version 1
    ("not JSON", A, b"{not json", "announcement"),
    ("empty payload", A, b"", "announcement"),
    ("not UTF-8", A, b'{"v": 1, "text": "\xff\xfe"}', "announcement"),
    ("GBK instead of UTF-8", A, '{"v": 1, "text": "客户"}'.encode("gbk"), "announcement"),
    ("UTF-16 instead of UTF-8", A, A.to_json().decode().encode("utf-16"), "announcement"),
    ("a JSON array", A, b"[1, 2]", "announcement"),
    ("a JSON string", A, b'"hello"', "announcement"),
    ("JSON null", A, b"null", "announcement"),
    ("missing v", A, edit(A, v=DROP), "announcement.v"),
    ("v 2", A, edit(A, v=2), "announcement.v"),
    ("v true", A, edit(A, v=True), "announcement.v"),
    ("v 1.0", A, edit(A, v=1.0), "announcement.v"),
    ("v as text", A, edit(A, v="1"), "announcement.v"),
    ("over 64 KiB", A, edit(A, padding="x" * MAX_PAYLOAD_BYTES), "announcement"),
    ("over 64 KiB as str", A, edit(A, padding="字" * 30_000).decode(), "announcement"),
    ("an integer of 5000 digits", A, bare(A, "message_id", b"9" * 5000), "announcement"),
    ("nesting 30000 deep", A, b'{"v": 1, "x": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", "announcement"),
    # required fields
    ("missing id", A, edit(A, id=DROP), "announcement.id"),
    ("null id", A, edit(A, id=None), "announcement.id"),
    ("missing text", A, edit(A, text=DROP), "announcement.text"),
    ("missing category", A, edit(A, category=DROP), "announcement.category"),
    ("missing priority", A, edit(A, priority=DROP), "announcement.priority"),
    ("missing created_at", A, edit(A, created_at=DROP), "announcement.created_at"),
    ("missing route", A, edit(A, route=DROP), "announcement.route"),
    ("missing heartbeat volume", HEARTBEAT, edit(HEARTBEAT, volume=DROP), "heartbeat.volume"),
    ("missing reply ok", SAMPLES["reply"], edit(SAMPLES["reply"], ok=DROP), "reply.ok"),
    ("missing command id", SAY, edit(SAY, id=DROP), "command.id"),
    ("missing event message_id", SAMPLES["event"], edit(SAMPLES["event"], message_id=DROP), "event.message_id"),
    # wrong types
    ("bool message_id", A, edit(A, message_id=True), "announcement.message_id"),
    ("string message_id", A, edit(A, message_id="123"), "announcement.message_id"),
    ("float message_id", A, edit(A, message_id=1.5), "announcement.message_id"),
    ("int text", A, edit(A, text=42), "announcement.text"),
    ("int id", A, edit(A, id=42), "announcement.id"),
    ("list text", A, edit(A, text=["客户"]), "announcement.text"),
    ("route as a string", A, edit(A, route="ops/orders"), "announcement.route"),
    ("bool volume", HEARTBEAT, edit(HEARTBEAT, volume=False), "heartbeat.volume"),
    ("string uptime", HEARTBEAT, edit(HEARTBEAT, uptime_s="3600"), "heartbeat.uptime_s"),
    ("bool uptime", HEARTBEAT, edit(HEARTBEAT, uptime_s=True), "heartbeat.uptime_s"),
    ("NaN uptime", HEARTBEAT, bare(HEARTBEAT, "uptime_s", b"NaN"), "heartbeat.uptime_s"),
    ("infinite uptime", HEARTBEAT, bare(HEARTBEAT, "uptime_s", b"Infinity"), "heartbeat.uptime_s"),
    ("infinite link_down_s", HEARTBEAT, bare(HEARTBEAT, "link_down_s", b"-Infinity"), "heartbeat.link_down_s"),
    ("huge link_down_s", HEARTBEAT, edit(HEARTBEAT, link_down_s=10**400), "heartbeat.link_down_s"),
    ("int ok", SAMPLES["reply"], edit(SAMPLES["reply"], ok=1), "reply.ok"),
    ("string ok", SAMPLES["reply"], edit(SAMPLES["reply"], ok="true"), "reply.ok"),
    ("int voice", CONFIG, edit(CONFIG, voices={"zh": 1}), "node config.voices"),
    ("routes as an object", CONFIG, edit(CONFIG, routes={"subsystem": "ops"}), "node config.routes"),
    ("a route as a string", CONFIG, edit(CONFIG, routes=["ops/orders"]), "node config.routes[0]"),
    ("args as a list", SAY, edit(SAY, args=["hi"]), "command.args"),
    # out of range
    ("negative message_id", A, edit(A, message_id=-1), "announcement.message_id"),
    ("message_id past int64", A, edit(A, message_id=2**63), "announcement.message_id"),
    ("volume 101", HEARTBEAT, edit(HEARTBEAT, volume=101), "heartbeat.volume"),
    ("negative queue", HEARTBEAT, edit(HEARTBEAT, queue_depth=-1), "heartbeat.queue_depth"),
    ("interval 0", HEARTBEAT, edit(HEARTBEAT, interval_s=0), "heartbeat.interval_s"),
    ("interval over a day", HEARTBEAT, edit(HEARTBEAT, interval_s=86_401), "heartbeat.interval_s"),
    ("negative uptime", HEARTBEAT, edit(HEARTBEAT, uptime_s=-0.5), "heartbeat.uptime_s"),
    ("config volume -1", CONFIG, edit(CONFIG, volume=-1), "node config.volume"),
    ("eight quiet days", CONFIG, quiet(days=[0] * 8), "node config.quiet_hours[0].days"),
    ("weekday 7", CONFIG, quiet(days=[7]), "node config.quiet_hours[0].days"),
    ("weekday true", CONFIG, quiet(days=[True]), "node config.quiet_hours[0].days"),
    ("days as a string", CONFIG, quiet(days="weekdays"), "node config.quiet_hours[0].days"),
    ("quiet hour 24:00", CONFIG, quiet(start="24:00"), "node config.quiet_hours[0].start"),
    ("quiet hour 7:00", CONFIG, quiet(end="7:00"), "node config.quiet_hours[0].end"),
    ("quiet hour in Arabic digits", CONFIG, quiet(start="٢٢:٠٠"), "node config.quiet_hours[0].start"),
    ("quiet hour with a newline", CONFIG, quiet(end="07:00\n"), "node config.quiet_hours[0].end"),
    ("quiet hours without a zone", CONFIG, quiet(tz=None), "node config.quiet_hours[0].tz"),
    ("251 routes", CONFIG, edit(CONFIG, routes=[{"subsystem": "ops", "department": "orders"}] * 251), "node config.routes"),
    # too long, empty
    ("text of 2001 characters", A, edit(A, text="字" * 2001), "announcement.text"),
    ("blank text", A, edit(A, text="  \n"), "announcement.text"),
    ("id of 129 characters", A, edit(A, id="a" * 129), "announcement.id"),
    ("detail of 501 characters", SAMPLES["receipt"], edit(SAMPLES["receipt"], detail="x" * 501), "receipt.detail"),
    ("voice name of 101 characters", CONFIG, edit(CONFIG, voices={"zh": "v" * 101}), "node config.voices"),
    ("a lone surrogate in text", A, bare(A, "text", b'"\\ud800"'), "announcement.text"),
    ("a lone surrogate in a say command", SAY, bare(SAY, "args", b'{"text": "\\udfff", "lang": "zh"}'), "command.args.text"),
    # choices and patterns
    ("unknown priority", A, edit(A, priority="critical"), "announcement.priority"),
    ("unknown alert state", SAMPLES["alert"], edit(SAMPLES["alert"], state="closed"), "alert.state"),
    ("unknown receipt status", SAMPLES["receipt"], edit(SAMPLES["receipt"], status="skipped"), "receipt.status"),
    ("id with a space", A, edit(A, id="a 1"), "announcement.id"),
    ("id with a newline", A, edit(A, id="a1\n"), "announcement.id"),
    ("category with a slash", A, edit(A, category="order/x"), "announcement.category"),
    ("lang as a word", A, edit(A, lang="Chinese"), "announcement.lang"),
    ("lang with a newline", A, edit(A, lang="zh\n"), "announcement.lang"),
    ("voice for a bad language", CONFIG, edit(CONFIG, voices={"Chinese": "x"}), "node config.voices"),
    ("voice name with a newline", CONFIG, edit(CONFIG, voices={"zh": "x\n"}), "node config.voices"),
    ("last_played with a slash", HEARTBEAT, edit(HEARTBEAT, last_played="a/b"), "heartbeat.last_played"),
    # times
    ("naive created_at", A, edit(A, created_at="2026-11-25T10:00:00"), "announcement.created_at"),
    ("naive expires_at", A, edit(A, expires_at="2026-11-25T10:30:00"), "announcement.expires_at"),
    ("a date only", A, edit(A, created_at="2026-11-25"), "announcement.created_at"),
    ("not a time", A, edit(A, created_at="yesterday"), "announcement.created_at"),
    ("epoch seconds", A, edit(A, created_at=1795600000), "announcement.created_at"),
    ("month 13", A, edit(A, created_at="2026-13-01T00:00:00Z"), "announcement.created_at"),
    ("naive heartbeat time", HEARTBEAT, edit(HEARTBEAT, at="2026-11-25T10:00:00"), "heartbeat.at"),
    ("naive alert time", SAMPLES["alert"], edit(SAMPLES["alert"], at="2026-11-25 10:00"), "alert.at"),
    # sha256 and URLs
    ("sha256 in capitals", A, edit(A, sound_sha256=SHA.upper()), "announcement.sound_sha256"),
    ("sha256 of 63 digits", A, edit(A, sound_sha256=SHA[:-1]), "announcement.sound_sha256"),
    ("sha256 of 65 digits", A, edit(A, sound_sha256=SHA + "0"), "announcement.sound_sha256"),
    ("sha256 not hex", A, edit(A, sound_sha256="g" * 64), "announcement.sound_sha256"),
    ("sha256 with a newline", A, edit(A, sound_sha256=SHA + "\n"), "announcement.sound_sha256"),
    ("an ftp URL", A, edit(A, sound_url="ftp://hub/order.wav"), "announcement.sound_url"),
    ("a file URL", A, edit(A, sound_url="file:///etc/passwd"), "announcement.sound_url"),
    ("a javascript URL", A, edit(A, sound_url="javascript:alert(1)"), "announcement.sound_url"),
    ("a URL with no host", A, edit(A, sound_url="http://"), "announcement.sound_url"),
    ("a URL with a space", A, edit(A, sound_url="http://hub/a b.wav"), "announcement.sound_url"),
    ("a URL with a newline", A, edit(A, sound_url="http://hub/a.wav\n"), "announcement.sound_url"),
    ("a path, not a URL", A, edit(A, sound_url="/media/sounds/order.wav"), "announcement.sound_url"),
    # commands
    ("unknown command", SAY, edit(SAY, cmd="reboot"), "command.cmd"),
    ("missing command name", SAY, edit(SAY, cmd=DROP), "command.cmd"),
    ("say without text", SAY, edit(SAY, args={"lang": "zh"}), "command.args.text"),
    ("say with a bad lang", SAY, edit(SAY, args={"text": "hi", "lang": "zh/cn"}), "command.args.lang"),
    ("say with too long a text", SAY, edit(SAY, args={"text": "字" * 2001, "lang": "zh"}), "command.args.text"),
    ("volume 101", SAY, edit(SAY, cmd="volume", args={"level": 101}), "command.args.level"),
    ("volume -1", SAY, edit(SAY, cmd="volume", args={"level": -1}), "command.args.level"),
    ("volume true", SAY, edit(SAY, cmd="volume", args={"level": True}), "command.args.level"),
    ("volume as text", SAY, edit(SAY, cmd="volume", args={"level": "50"}), "command.args.level"),
    ("volume without a level", SAY, edit(SAY, cmd="volume", args=DROP), "command.args.level"),
    ("replay 0", SAY, edit(SAY, cmd="replay", args={"count": 0}), "command.args.count"),
    ("replay 21", SAY, edit(SAY, cmd="replay", args={"count": 21}), "command.args.count"),
]


@pytest.mark.parametrize(
    ("message", "payload", "field"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_a_hostile_payload_is_refused_naming_the_field(message: Message, payload: bytes | str, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse(message, payload)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ": ")


# Route fields go into topic levels: nothing in them may add a level or a wildcard.
BAD_SLUGS = ["a/b", "/", "+", "#", "orders/#", "ops/+", "", " ", "orders\n", "订单", "a b", "-x", "x" * 65, "../x"]


@pytest.mark.parametrize("name", ["subsystem", "department", "staff"])
@pytest.mark.parametrize("slug", BAD_SLUGS)
def test_a_bad_slug_in_a_route_field_is_refused_naming_the_field(name: str, slug: str) -> None:
    with pytest.raises(PayloadError) as caught:
        Announcement.from_json(edit_route(**{name: slug}))
    assert caught.value.field == f"announcement.route.{name}"
    with pytest.raises(PayloadError):
        Route(**{**ANNOUNCEMENT.route.to_dict(), name: slug})


@pytest.mark.parametrize("slug", BAD_SLUGS)
def test_a_bad_slug_in_a_node_config_route_is_refused_naming_the_route(slug: str) -> None:
    routes = [{"subsystem": "ops", "department": "orders"}, {"subsystem": "ops", "department": slug}]
    with pytest.raises(PayloadError) as caught:
        NodeConfig.from_json(edit(CONFIG, routes=routes))
    assert caught.value.field == "node config.routes[1].department"


def test_a_bad_category_never_reaches_a_topic() -> None:
    with pytest.raises(PayloadError) as caught:
        Event.topic(category="order/#")
    assert caught.value.field == "topic.category"


@pytest.mark.parametrize(
    ("route", "field"),
    [
        ({"subsystem": "ops", "department": None, "staff": None}, "announcement.route"),
        ({"subsystem": None, "department": "orders", "staff": None}, "announcement.route"),
        ({"subsystem": None, "department": None, "staff": "003"}, "announcement.route.staff"),
    ],
)
def test_a_half_route_is_refused(route: dict[str, str | None], field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        Announcement.from_json(edit(ANNOUNCEMENT, route=route))
    assert caught.value.field == field


def test_a_route_without_staff_is_read_from_a_missing_or_null_key() -> None:
    missing = Announcement.from_json(edit(ANNOUNCEMENT, route={"subsystem": "ops", "department": "orders"}))
    assert missing.route == Route("ops", "orders")
    everyone = Announcement.from_json(edit(ANNOUNCEMENT, route={}))
    assert everyone.route.is_all


def test_a_payload_of_exactly_64_kib_is_still_read() -> None:
    data = edit(ANNOUNCEMENT, pad="")
    data = data.replace(b'"pad": ""', b'"pad": "' + b"x" * (MAX_PAYLOAD_BYTES - len(data)) + b'"')
    assert len(data) == MAX_PAYLOAD_BYTES
    assert Announcement.from_json(data) == ANNOUNCEMENT


def test_unknown_extra_fields_are_ignored_for_forward_compatibility() -> None:
    assert Announcement.from_json(edit(ANNOUNCEMENT, volume_boost=3)) == ANNOUNCEMENT


def test_a_command_keeps_only_the_args_its_name_takes() -> None:
    command = Command.from_json(edit(SAMPLES["identify command"], args={"text": "ignored"}))
    assert command == Command(id="c4", cmd="identify")


@pytest.mark.parametrize("name", SAMPLES)
def test_every_truncation_or_corruption_of_a_payload_is_refused_cleanly(name: str) -> None:
    """Whatever arrives, a reader returns a message or raises PayloadError; nothing else."""
    message = SAMPLES[name]
    data = message.to_json()
    rng = random.Random(name)
    broken = [data[:cut] for cut in range(len(data))]
    for _ in range(300):
        corrupt = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            corrupt[rng.randrange(len(corrupt))] = rng.randrange(256)
        broken.append(bytes(corrupt))
    for payload in broken:
        try:
            parse(message, payload)
        except PayloadError:
            pass


def test_a_node_config_language_is_optional_and_must_be_a_language_code() -> None:
    assert NodeConfig.from_json(edit(CONFIG, language=DROP)).language is None  # from a hub before the setting
    assert NodeConfig.from_json(edit(CONFIG, language="en")).language == "en"
    with pytest.raises(PayloadError) as caught:
        NodeConfig.from_json(edit(CONFIG, language="English please"))
    assert caught.value.field == "node config.language"


# An old hub's config (before department names): what speakers may still find retained at the broker.
OLD_HUB_CONFIG = (b'{"v":1,"routes":[{"subsystem":"ops","department":"orders","staff":null}],'
                  b'"volume":80,"quiet_hours":[],"voices":{},"language":"zh"}')


def test_a_config_from_a_hub_without_department_names_still_reads_and_names_none() -> None:
    config = NodeConfig.from_json(OLD_HUB_CONFIG)
    assert config.routes == (Route("ops", "orders"),) and config.department_names is None
    assert NodeConfig.from_json(edit(CONFIG, department_names=DROP)).department_names is None


def test_department_names_read_back_with_or_without_an_english_name() -> None:
    names = NodeConfig.from_json(CONFIG.to_json()).department_names
    assert names == {"orders": DepartmentName("订单部", "Orders"), "finance": DepartmentName("财务部门")}
    assert b'"finance":{"name":"' in CONFIG.to_json() and b'"name_en":null' not in CONFIG.to_json()


@pytest.mark.parametrize(
    ("names", "field"),
    [
        ("订单部", "node config.department_names"),
        ({"orders/x": {"name": "订单部"}}, "node config.department_names"),
        ({"orders": "订单部"}, "node config.department_names.orders"),
        ({"orders": {}}, "node config.department_names.orders.name"),
        ({"orders": {"name": " "}}, "node config.department_names.orders.name"),
        ({"orders": {"name": "部" * 201}}, "node config.department_names.orders.name"),
        ({"orders": {"name": "订单部", "name_en": 7}}, "node config.department_names.orders.name_en"),
        ({f"d{n}": {"name": "部"} for n in range(251)}, "node config.department_names"),
    ],
    ids=["not an object", "a slug with a slash", "a bare string", "no name", "a blank name", "a name of 201",
         "an English name that is no string", "251 names"],
)
def test_bad_department_names_are_refused_naming_the_field(names: object, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        NodeConfig.from_json(edit(CONFIG, department_names=names))
    assert caught.value.field == field
