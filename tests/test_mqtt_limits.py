"""The contract's own readers take everything the hub writes, at every column's maximum.

Each test fills the hub's rows to their model limits (read from the models,
worst-case characters: ``\\x01`` needs a six-byte JSON escape), lets the hub
write its payloads the way it does in production, and reads every one back
with the message class's ``from_json``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

import mqtt
from hub import storable
from hub.attention.models import QuietHours
from hub.fleet.node_config import node_config
from hub.intake.adapters.generic import MAX_CONTENT
from hub.intake.models import Message, Source
from hub.monitor.alerts import raise_alert
from hub.org.models import Department, SpeakerNode, Staff, Subsystem
from hub.outbox.models import Delivery
from hub.pipeline import Pipeline

pytestmark = pytest.mark.django_db

WORST = "\x01"  # a control character: JSON writes it as \u0001, six bytes


def longest(model: type[Message] | type[Staff] | type[Department], name: str) -> int:
    limit = storable.max_length(model, name)
    assert limit is not None
    return limit


def read_back(delivery: Delivery) -> object:
    payload = bytes(delivery.payload)
    assert len(payload) <= mqtt.fields.MAX_PAYLOAD_BYTES
    if mqtt.Event.is_topic(delivery.topic):
        return mqtt.Event.from_json(payload)
    if mqtt.Alert.is_topic(delivery.topic):
        return mqtt.Alert.from_json(payload)
    return mqtt.Announcement.from_json(payload)


def test_an_event_and_announcement_for_the_largest_message_the_hub_stores_are_read_back() -> None:
    source = Source.objects.create(name="s" * longest(Source, "name"), url="http://127.0.0.1:1/x")  # type: ignore[arg-type]
    sentence = "客户提交了订单10023"
    content = sentence + WORST * (MAX_CONTENT - len(sentence))
    message = Message(source=source, dedup_key="id:1", external_id="1", content=content,
                      user_name=WORST * longest(Message, "user_name"), app="a" * longest(Message, "app"))
    pipeline = Pipeline.from_db()
    pipeline.recognise(message)
    message.rule = "r" * longest(Message, "rule")
    assert storable.problem(message) == ""
    message.save()
    read = [read_back(d) for d in pipeline.deliveries(message)]
    events = [r for r in read if isinstance(r, mqtt.Event)]
    spoken = [r for r in read if isinstance(r, mqtt.Announcement)]
    assert [e.text for e in events] == [content]
    assert spoken and all(len(a.text) == mqtt.messages.MAX_TEXT for a in spoken)


def test_an_alert_quoting_a_long_platform_error_is_read_back() -> None:
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    text = "Source shop: timeout: the platform did not answer in time (" + WORST * 12_000 + ")"
    raise_alert("source:shop", "source", "s" * 200, text, now, "shopcrier")
    read = [read_back(d) for d in Delivery.objects.all()]
    alerts = [r for r in read if isinstance(r, mqtt.Alert)]
    assert len(alerts) == 1 and len(alerts[0].text) == mqtt.messages.MAX_EVENT_TEXT
    assert any(isinstance(r, mqtt.Event) for r in read) and any(isinstance(r, mqtt.Announcement) for r in read)


@pytest.mark.clock
def test_a_node_config_for_a_speaker_following_more_staff_than_fit_is_read_back() -> None:
    subsystem = Subsystem.objects.create(slug="s" * 64, name="s")
    department = Department.objects.create(subsystem=subsystem, slug="d" * 64, name="d")
    staff = Staff.objects.bulk_create(
        Staff(department=department, number=f"{n:04d}" + "n" * 60, name=f"n{n}") for n in range(mqtt.messages.MAX_ROUTES + 10)
    )
    node = SpeakerNode.objects.create(node_id="spk-" + "x" * 60, department=department)
    node.staff.set(staff)
    QuietHours.objects.bulk_create(
        QuietHours(department=department, start=time(22), end=time(7), timezone="America/Argentina/ComodRivadavia")
        for _ in range(mqtt.messages.MAX_QUIET_HOURS + 5)
    )
    payload = node_config(node).to_json()
    assert len(payload) <= mqtt.fields.MAX_PAYLOAD_BYTES
    config = mqtt.NodeConfig.from_json(payload)
    assert len(config.routes) == mqtt.messages.MAX_ROUTES
    assert len(config.quiet_hours) == mqtt.messages.MAX_QUIET_HOURS


@pytest.mark.clock
def test_a_node_config_naming_more_departments_than_fit_keeps_its_own_name_and_stays_readable() -> None:
    assert longest(Department, "name") == mqtt.messages.MAX_DEPARTMENT_NAME  # a stored name is never refused
    subsystem = Subsystem.objects.create(slug="s" * 64, name="s")
    departments = Department.objects.bulk_create(
        Department(subsystem=subsystem, slug=f"{n:04d}" + "d" * 60, name=WORST * longest(Department, "name"))
        for n in range(mqtt.messages.MAX_ROUTES)
    )
    staff = Staff.objects.bulk_create(
        Staff(department=departments[n], number=f"{n:04d}" + "n" * 60, name=f"n{n}") for n in range(mqtt.messages.MAX_ROUTES)
    )
    node = SpeakerNode.objects.create(node_id="spk-" + "x" * 60, department=departments[0])
    node.staff.set(staff)
    payload = node_config(node).to_json()
    assert len(payload) <= mqtt.fields.MAX_PAYLOAD_BYTES
    config = mqtt.NodeConfig.from_json(payload)
    assert config.department_names is not None
    assert 0 < len(config.department_names) < mqtt.messages.MAX_ROUTES  # what fits, not all
    assert list(config.department_names)[0] == departments[0].slug  # the speaker's own department first


def test_a_time_that_overflows_utc_is_refused_by_every_reader_naming_the_field() -> None:
    good = mqtt.Announcement(id="a1", text="hi", category="order", route=mqtt.Route("ops", "orders"),
                             created_at=datetime(2026, 11, 25, tzinfo=UTC),
                             expires_at=datetime(2026, 11, 25, tzinfo=UTC) + timedelta(minutes=10)).to_json()
    bad = good.replace(b'"expires_at":"2026-11-25T00:10:00.000Z"', b'"expires_at":"9999-12-31T23:59:59-14:00"')
    assert bad != good
    with pytest.raises(mqtt.PayloadError) as caught:
        mqtt.Announcement.from_json(bad)
    assert caught.value.field == "announcement.expires_at"
    assert "falls outside the years 1..9999 in UTC" in str(caught.value)
    receipt = b'{"v":1,"id":"a1","status":"played","at":"0001-01-01T00:00:00+14:00"}'
    with pytest.raises(mqtt.PayloadError, match=r"receipt\.at"):
        mqtt.Receipt.from_json(receipt)
