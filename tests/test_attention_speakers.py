"""Quiet hours and digests, through the publisher to a real Mosquitto, with a clock the test moves.

Speakers (``announce/…``) are held back; events (``events/…``, what screens and
other tools read) never are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

import mqtt
from hub.attention.digest_text import digest_text
from hub.attention.models import Digest, DigestPolicy, QuietHours
from hub.org.shifts import in_window, parse_weekdays
from hub.outbox.models import Delivery
from hub.outbox.publisher import Publisher
from hub.sounds.language import set_hub_language
from hub.sounds.models import PromptSound
from mqtt.broker import Mosquitto
from tests.attention_helpers import BASE, Clock, announced, category, department
from tests.mqtt_helpers import Watcher

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-11-23 is a Monday: ``local(0, 23)`` is Monday 23:00 in Shanghai."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.clock
def test_a_window_past_midnight_covers_the_small_hours_of_the_next_day() -> None:
    weekdays = parse_weekdays("mon,tue,wed,thu,fri")
    night = (weekdays, time(22), time(7))
    assert in_window(*night, local(0, 23).replace(tzinfo=None))
    assert in_window(*night, local(1, 6, 59).replace(tzinfo=None))  # Tuesday morning: Monday's window
    assert not in_window(*night, local(1, 7).replace(tzinfo=None))
    assert in_window(*night, local(5, 3).replace(tzinfo=None))  # Saturday 03:00: Friday's window
    assert not in_window(*night, local(5, 23).replace(tzinfo=None))  # Saturday night: no window starts
    assert not in_window(frozenset({6}), time(0), time(0), local(6, 12).replace(tzinfo=None))  # empty, as on the node
    with pytest.raises(ValueError):
        parse_weekdays("mon,funday")


@pytest.mark.clock
def test_a_digest_says_per_category_counts_in_the_right_language() -> None:
    names = {"order": "订单", "refund": "退款"}
    assert digest_text({"order": 5}, names, 60, "zh") == "最近一分钟有5条新订单"
    assert digest_text({"order": 5, "refund": 2}, names, 120, "zh") == "最近两分钟有5条新订单、2条新退款"
    assert digest_text({"order": 5}, names, 60, "en") == "5 new orders in the last minute"
    assert digest_text({"refund": 1, "order": 5}, names, 90, "en") == (
        "5 new orders and 1 new refund request in the last 90 seconds"
    )


@pytest.fixture
def publisher(broker: Mosquitto, db: None) -> Iterator[tuple[Publisher, Clock]]:
    link = mqtt.Link(mqtt.BrokerSettings.from_url(broker.url), f"hub-{uuid.uuid4().hex[:6]}", manual_ack=True)
    link.start()
    assert link.wait_connected(10)
    clock = Clock()
    yield Publisher(link, BASE, clock=clock), clock
    link.stop()


def publish_all(publisher: Publisher) -> None:
    while publisher.publish_pending():
        pass


def speakers_and_screens(watcher: Watcher, expected: int) -> tuple[list[mqtt.Announcement], list[mqtt.Event]]:
    assert watcher.wait_for(lambda got: len(got) >= expected, 10)
    got = watcher.drain()
    said = [mqtt.Announcement.from_json(m.payload) for m in got if "/announce/" in m.topic]
    shown = [mqtt.Event.from_json(m.payload) for m in got if "/events/" in m.topic]
    return said, shown


@pytest.mark.clock
def test_quiet_hours_silence_speakers_except_for_urgent_and_screens_see_everything(
    broker: Mosquitto, publisher: tuple[Publisher, Clock]
) -> None:
    pub, clock = publisher
    QuietHours.objects.create(department=department("orders"), weekdays="mon,tue,wed,thu,fri", start=time(22), end=time(7),
                              timezone="Asia/Shanghai")
    watcher = Watcher(broker.url, f"{BASE}/#")
    clock.now = local(1, 2)  # Tuesday 02:00 in Shanghai
    quiet = announced("客户张三提交了订单10023", staff_no="003")
    urgent = announced("客户李四提交了大额订单10024", priority="urgent")
    finance = announced("用户王五申请提现", category_slug="withdrawal", dept="finance")
    publish_all(pub)
    clock.now = local(1, 7)  # the window is over
    later = announced("客户赵六提交了订单10025")
    publish_all(pub)

    said, shown = speakers_and_screens(watcher, 4 + 3)
    assert sorted(a.message_id for a in said) == sorted([urgent.pk, finance.pk, later.pk])  # type: ignore[type-var]
    assert sorted(e.message_id for e in shown) == sorted([quiet.pk, urgent.pk, finance.pk, later.pk])
    held = Delivery.objects.filter(message=quiet).exclude(announcement_id="")
    assert {d.status for d in held} == {Delivery.SUPPRESSED} and held.count() == 2  # department and staff topic
    assert not watcher.wait_for(lambda got: len(got) > 7, 0.5)
    watcher.close()


@pytest.mark.clock
def test_a_burst_beyond_the_limit_is_said_once_as_a_digest_at_the_window_end(
    broker: Mosquitto, publisher: tuple[Publisher, Clock]
) -> None:
    pub, clock = publisher
    category("order", "订单")
    DigestPolicy.objects.create(department=department("orders"), max_announcements=3, window_seconds=60)
    watcher = Watcher(broker.url, f"{BASE}/#")
    burst = [announced(f"客户{n}号提交了订单{10000 + n}", staff_no="003" if n == 5 else None) for n in range(8)]
    publish_all(pub)
    clock.advance(seconds=30)
    late = announced("客户迟到提交了订单19999", lang="zh")  # inside the digest's window
    urgent = announced("客户急提交了大额订单20000", priority="urgent")
    publish_all(pub)
    said, _ = speakers_and_screens(watcher, 10 + 4)
    assert [a.message_id for a in said] == [m.pk for m in burst[:3]] + [urgent.pk]

    clock.advance(seconds=31)  # the window has closed: one digest, folding 5 + 1
    publish_all(pub)
    said, shown = speakers_and_screens(watcher, 10 + 5)
    assert len(shown) == 10  # every message reached the screens
    digest = said[-1]
    assert (digest.text, digest.lang, digest.route, digest.message_id) == (
        "最近一分钟有6条新订单", "zh", mqtt.Route("ops", "orders"), None,
    )
    assert Digest.objects.get().sent_at == clock.now
    suppressed = Delivery.objects.filter(status=Delivery.SUPPRESSED)
    assert suppressed.count() == 5 + 1 + 1  # burst[5] went to a staff topic too
    assert late.pk in set(suppressed.values_list("message_id", flat=True))

    clock.advance(seconds=60)
    after = announced("客户之后提交了订单30000")
    publish_all(pub)
    said, _ = speakers_and_screens(watcher, 10 + 5 + 2)
    assert said[-1].message_id == after.pk  # the burst is over: said on its own again
    assert not watcher.wait_for(lambda got: len(got) > 17, 0.5)
    watcher.close()


@pytest.mark.clock
@pytest.mark.parametrize(("language", "said"), [("zh", "最近一分钟有4条新订单"), ("en", "4 new orders in the last minute")])
def test_a_digest_is_said_in_the_hubs_language_whatever_the_messages_were_in(
    broker: Mosquitto, publisher: tuple[Publisher, Clock], language: str, said: str
) -> None:
    set_hub_language(language)
    pub, clock = publisher
    DigestPolicy.objects.create(department=department("orders"), max_announcements=1, window_seconds=60)
    watcher = Watcher(broker.url, mqtt.Announcement.all_filter())
    for n in range(4):
        announced(f"Customer {n} placed order {n}", lang="en")
    announced("客户提交了订单", lang="zh")
    publish_all(pub)
    clock.advance(seconds=60)
    publish_all(pub)
    assert watcher.wait_for(lambda got: len(got) >= 2, 10)
    digest = mqtt.Announcement.from_json(watcher.drain()[-1].payload)
    print("digest says:", digest.text)
    assert (digest.text, digest.lang) == (said, language)
    chime = PromptSound.objects.get(name="order-chime")  # the sound of the category it counts
    assert (digest.sound, digest.sound_sha256) == ("order-chime", chime.sha256)
    assert digest.sound_url and digest.sound_url.endswith(f"/sounds/{chime.sha256}.wav")
    watcher.close()
