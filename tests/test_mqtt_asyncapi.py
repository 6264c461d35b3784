"""The AsyncAPI 3 document of the MQTT contract (docs/asyncapi.json): generated from mqtt/, it
covers every message class, every class's ``to_json`` output validates against its schema
(with optional fields set and unset), and the committed file is current."""

from __future__ import annotations

import inspect
import json
from datetime import datetime, timezone
from importlib.metadata import version
from typing import Any

import jsonschema
import pytest

from mqtt import messages as m
from mqtt.asyncapi import CHANNELS, document, render
from mqtt.topics import Topical
from tests.paths import REPO

AT = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
ROUTE = m.Route("ops", "orders", "003")
FULL = m.Announcement(id="a-1", text="订单10023", category="order", route=ROUTE, lang="zh", priority="urgent",
                      message_id=7, sound="chime", sound_url="http://hub.local/sounds/chime.wav",
                      sound_sha256="0" * 64, created_at=AT, expires_at=AT)
EXAMPLES: dict[type, list[Any]] = {
    m.Announcement: [FULL, m.Announcement(id="a-2", text="hi", category="order", route=m.Route(), created_at=AT)],
    m.Redelivery: [m.Redelivery(FULL)],
    m.Event: [m.Event(message_id=1, category="order", priority="normal", rule="r", text="t", source="s",
                      app="web", user="u", created_at=AT),
              m.Event(message_id=1, category="order", priority="high", rule="r", text="t", source="s", created_at=AT)],
    m.Alert: [m.Alert(id="alert-1", state="opened", subject="speaker spk-1", text="down", at=AT)],
    m.NodeConfig: [m.NodeConfig(routes=(ROUTE, m.Route("ops", "tech")), volume=60,
                                quiet_hours=(m.QuietHours("22:00", "07:00", (0, 1), "Asia/Shanghai"),),
                                voices={"zh": "espeak-ng:cmn"}, language="zh",
                                department_names={"orders": m.DepartmentName("订单部", "Orders"),
                                                  "tech": m.DepartmentName("技术部门")}),
                   m.NodeConfig()],
    m.Command: [m.Command(id="c-1", cmd="say", args={"text": "测试", "lang": "zh"}), m.Command(id="c-2", cmd="identify")],
    m.ReceiptsStored: [m.ReceiptsStored(receipts=(m.ReceiptKey("a-1", "played"), m.ReceiptKey("a-2", "expired")))],
    m.Heartbeat: [m.Heartbeat(uptime_s=1.5, queue_depth=0, volume=80, version="0.1.0", interval_s=30, free_disk_mb=100,
                              last_played="a-1", last_played_at=AT, audio_error="device gone", link_down_s=3.0, at=AT,
                              voices={"en": "piper:joe"}),
                  m.Heartbeat(uptime_s=1, queue_depth=2, volume=0, version="x", interval_s=5, free_disk_mb=0, at=AT)],
    m.Receipt: [m.Receipt(id="a-1", status="failed", at=AT, detail="no audio device"), m.Receipt(id="a-1", status="played", at=AT)],
    m.Reply: [m.Reply(id="c-1", ok=True), m.Reply(id="c-1", ok=False, detail="unknown command")],
    m.MissedRequest: [m.MissedRequest(at=AT)],
}
DOC = document(version("shopcrier"))


def validate(instance: Any, schema_name: str) -> None:
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": DOC["components"],
            "$ref": f"#/components/schemas/{schema_name}"}
    jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker()).validate(instance)


def test_every_message_class_of_the_contract_has_a_channel() -> None:
    classes = {cls for _, cls in inspect.getmembers(m, inspect.isclass)
               if issubclass(cls, Topical) and cls is not Topical and not cls.__name__.startswith("_")}
    assert classes - {cls for _, _, cls, _, _ in CHANNELS} == set()
    assert {address["address"] for address in DOC["channels"].values()} >= {
        "{base}/announce/all", "{base}/announce/{subsystem}/{department}/{staff}", "{base}/node/{node_id}/heartbeat"}


@pytest.mark.parametrize("cls", list(EXAMPLES), ids=lambda c: c.__name__)
def test_each_classes_json_validates_against_its_generated_schema(cls: type) -> None:
    schema = next(payload for _, _, message, payload, _ in CHANNELS if message is cls)
    assert schema is not None
    for example in EXAMPLES[cls]:
        validate(json.loads(example.to_json()), schema.__name__)


def test_a_payload_that_breaks_the_contract_fails_validation() -> None:
    good = json.loads(EXAMPLES[m.Heartbeat][0].to_json())
    for broken in ({**good, "volume": "loud"}, {**good, "surprise": 1}, {k: v for k, v in good.items() if k != "at"},
                   {**good, "v": 2}):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken, "Heartbeat")


def test_status_payloads_are_plain_text_online_or_offline() -> None:
    message = DOC["components"]["messages"]["NodeStatus"]
    assert message["contentType"] == "text/plain"
    for payload in (m.NodeStatus.ONLINE, m.NodeStatus.OFFLINE):
        jsonschema.validate(payload.decode(), message["payload"])


def test_operations_are_written_from_the_hubs_side() -> None:
    ops = DOC["operations"]
    assert ops["sendAnnounceDepartment"]["action"] == "send" and ops["receiveHeartbeat"]["action"] == "receive"


def test_the_committed_document_is_current() -> None:
    committed = (REPO / "docs" / "asyncapi.json").read_text(encoding="utf-8")
    assert committed == render(version("shopcrier")), "run: python -m mqtt.asyncapi docs/asyncapi.json"
