"""The MQTT contract as an AsyncAPI 3 document, generated from the message classes in this package.

``python -m mqtt.asyncapi [FILE]`` writes it (``docs/asyncapi.json`` by
convention; stdout without FILE). Each message class gives a channel per
topic template it owns (an announcement has three), a message and a JSON
Schema read from its dataclass fields: ``X | None`` may be null and is not
required, ``Literal`` is an enum, times are RFC 3339 strings, every payload
has ``"v": 1``, and no other key is allowed, so a field that ``to_json``
writes but the schema lacks fails the contract test
(tests/test_mqtt_asyncapi.py). Operations are written from the hub's side:
``send`` what the hub publishes, ``receive`` what speakers publish.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Union

from . import messages as m
from .fields import VERSION
from .topics import Topic, Topical

Schema = dict[str, Any]
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# (channel name, topic template, message class, payload class, who publishes it)
CHANNELS: list[tuple[str, Topic, type, type | None, str]] = [
    ("announceAll", m._ANNOUNCE_ALL, m.Announcement, m.Announcement, "hub"),
    ("announceDepartment", m._ANNOUNCE_DEPARTMENT, m.Announcement, m.Announcement, "hub"),
    ("announceStaff", m._ANNOUNCE_STAFF, m.Announcement, m.Announcement, "hub"),
    ("redelivery", m.Redelivery.TOPIC, m.Redelivery, m.Announcement, "hub"),
    ("events", m.Event.TOPIC, m.Event, m.Event, "hub"),
    ("alerts", m.Alert.TOPIC, m.Alert, m.Alert, "hub"),
    ("hubStatus", m.HubStatus.TOPIC, m.HubStatus, None, "hub"),
    ("nodeConfig", m.NodeConfig.TOPIC, m.NodeConfig, m.NodeConfig, "hub"),
    ("command", m.Command.TOPIC, m.Command, m.Command, "hub"),
    ("receiptsStored", m.ReceiptsStored.TOPIC, m.ReceiptsStored, m.ReceiptsStored, "hub"),
    ("nodeStatus", m.NodeStatus.TOPIC, m.NodeStatus, None, "node"),
    ("heartbeat", m.Heartbeat.TOPIC, m.Heartbeat, m.Heartbeat, "node"),
    ("receipt", m.Receipt.TOPIC, m.Receipt, m.Receipt, "node"),
    ("reply", m.Reply.TOPIC, m.Reply, m.Reply, "node"),
    ("missed", m.MissedRequest.TOPIC, m.MissedRequest, m.MissedRequest, "node"),
]
AVAILABILITY: Schema = {"type": "string", "enum": ["online", "offline"],
                        "description": "plain text, retained; offline is also the last will"}
PARAMETERS = {
    "base": "the installation's base topic (SHOPCRIER_BASE_TOPIC, default shopcrier)",
    "node_id": "a speaker's id", "subsystem": "a subsystem's slug", "department": "a department's slug",
    "staff": "a staff member's number", "category": "a category's slug",
}


def document(version: str) -> dict[str, Any]:
    """The AsyncAPI 3.0 document; ``version`` is ShopCrier's."""
    schemas: dict[str, Schema] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for name, topic, cls, payload_cls, sender in CHANNELS:
        message_name = cls.__name__
        if payload_cls is not None:
            _schema_of(payload_cls, schemas)
        if message_name not in messages:
            messages[message_name] = {
                "name": message_name,
                "title": message_name,
                "summary": _summary(cls),
                "contentType": "application/json" if payload_cls is not None else "text/plain",
                "payload": {"$ref": f"#/components/schemas/{payload_cls.__name__}"} if payload_cls else AVAILABILITY,
            }
        channels[name] = {
            "address": "{base}/" + topic.template,
            "parameters": {p: {"description": PARAMETERS[p]} for p in ("base", *topic.names)},
            "messages": {message_name: {"$ref": f"#/components/messages/{message_name}"}},
        }
        action = "send" if sender == "hub" else "receive"
        operations[f"{action}{name[0].upper()}{name[1:]}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [{"$ref": f"#/channels/{name}/messages/{message_name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ShopCrier MQTT contract",
            "version": version,
            "description": "Between the ShopCrier hub and its speaker nodes, and for other tools. "
                           "Generated from mqtt/ by `python -m mqtt.asyncapi`; see docs/mqtt.md.",
        },
        "defaultContentType": "application/json",
        "servers": {"broker": {"host": "localhost:1883", "protocol": "mqtt", "protocolVersion": "5",
                               "description": "Mosquitto; mqtts on 8883 with TLS"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _summary(cls: type) -> str:
    return (cls.__doc__ or cls.__name__).strip().split("\n\n")[0].replace("\n", " ")


def _schema_of(cls: type, schemas: dict[str, Schema]) -> str:
    """Put ``cls``'s schema (and those it refers to) in ``schemas``; returns its name."""
    name = cls.__name__
    if name in schemas:
        return name
    schemas[name] = {}  # placeholder against recursion
    hints = typing.get_type_hints(cls)
    properties: dict[str, Schema] = {}
    required = []
    for f in dataclasses.fields(cls):
        schema, optional = _type_schema(hints[f.name], schemas)
        properties[f.name] = schema
        if not optional:
            required.append(f.name)
    top = issubclass(cls, Topical) or cls is m.Announcement
    if top:
        properties = {"v": {"const": VERSION}, **properties}
        required = ["v", *required]
    schemas[name] = {"type": "object", "description": _summary(cls), "properties": properties,
                     "required": required, "additionalProperties": False}
    return name


def _type_schema(hint: Any, schemas: dict[str, Schema]) -> tuple[Schema, bool]:
    """The schema of a field's type, and whether it may be null (then not required)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        inner, _ = _type_schema(rest[0], schemas)
        return {"anyOf": [inner, {"type": "null"}]}, True
    if origin is Literal:
        return {"enum": list(args)}, False
    if hint is str:
        return {"type": "string"}, False
    if hint is bool:
        return {"type": "boolean"}, False
    if hint is int:
        return {"type": "integer"}, False
    if hint is float:
        return {"type": "number"}, False
    if hint is datetime:
        return {"type": "string", "format": "date-time"}, False
    if origin is tuple or origin is list:
        item, _ = _type_schema(args[0], schemas)
        return {"type": "array", "items": item}, False
    if origin is dict:
        value = {} if args[1] is Any else _type_schema(args[1], schemas)[0]
        return {"type": "object", "additionalProperties": value}, False
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return {"$ref": f"#/components/schemas/{_schema_of(hint, schemas)}"}, False
    raise TypeError(f"no JSON Schema for {hint!r}: teach mqtt/asyncapi.py this type")


def render(version: str) -> str:
    return json.dumps(document(version), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    args = sys.argv[1:] if argv is None else argv
    try:
        found = installed("shopcrier")
    except PackageNotFoundError:
        found = "unknown"
    text = render(found)
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
