"""A category may play another prompt sound when a message is raised to high or urgent:
set in the configuration file (``priority_sounds``) or on the settings page, carried by the
announcement with its URL and sha256."""

from __future__ import annotations

import pytest

import mqtt
from hub.confio.dump import dump_config
from hub.confio.errors import ConfigFileError
from hub.confio.load import apply_config
from hub.confio.parse import parse_text
from hub.intake.adapters import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.outbox.models import Delivery
from hub.pipeline import Pipeline
from hub.sounds.models import PrioritySound, PromptSound
from tests.dashboard_helpers import admin, client_for

pytestmark = pytest.mark.django_db

ORDER = '[[categories]]\nslug = "order"\nname = "订单"\nname_en = "Order"\nsound = "order-chime"\n'  # the default order category


def announced(content: str) -> mqtt.Announcement:
    source = Source.objects.get_or_create(name="shop", url="http://127.0.0.1:9/api")[0]
    external = str(Message.objects.count() + 1)
    store_page(source, Page(items=[Item(content=content, external_id=external)], rejects=[], cursor=None, more=False),
               Pipeline.from_db())
    message = Message.objects.get(content=content)
    row = Delivery.objects.filter(message=message).exclude(announcement_id="").first()
    assert row is not None
    return mqtt.Announcement.from_json(bytes(row.payload))


def test_an_order_raised_to_high_plays_the_high_sound_and_an_ordinary_one_the_categorys() -> None:
    apply_config(parse_text(ORDER + 'priority_sounds = { high = "alarm" }\n'))
    alarm = PromptSound.objects.get(name="alarm")
    big = announced("客户张三提交了订单10023，金额¥8,000.00")  # the default rules raise orders of 5000 or more to high
    small = announced("客户李四提交了订单10024")
    assert (big.priority, big.sound, big.sound_sha256) == ("high", "alarm", alarm.sha256)
    assert big.sound_url is not None and big.sound_url.endswith(f"/sounds/{alarm.sha256}.wav")
    assert (small.priority, small.sound) == ("normal", "order-chime")


def test_priority_sounds_load_idempotently_dump_and_go_when_the_file_drops_them() -> None:
    report = apply_config(parse_text(ORDER + 'priority_sounds = { urgent = "alarm", high = "alert" }\n'))
    assert ("order", ("priority_sounds",)) in report.tables["categories"].updated
    assert set(PrioritySound.objects.values_list("priority", "sound")) == {("high", "alert"), ("urgent", "alarm")}
    again = apply_config(parse_text(ORDER + 'priority_sounds = { high = "alert", urgent = "alarm" }\n'))
    assert not again.tables["categories"].updated
    assert 'priority_sounds = { high = "alert", urgent = "alarm" }' in dump_config()
    apply_config(parse_text(ORDER))
    assert not PrioritySound.objects.exists()


@pytest.mark.parametrize(("table", "says"), [
    ('{ normal = "alarm" }', "unknown key"),
    ('{ urgent = "no sound!" }', "must be a slug"),
    ('"alarm"', "must be a table"),
])
def test_a_bad_priority_sound_is_refused_naming_the_key(table: str, says: str) -> None:
    with pytest.raises(ConfigFileError) as refused:
        parse_text(ORDER + f"priority_sounds = {table}\n")
    assert refused.value.where is not None and refused.value.where.startswith("categories[0].priority_sounds")
    assert says in refused.value.reason


def test_an_admin_chooses_the_urgent_sound_of_refunds_on_the_sounds_page() -> None:
    client = client_for(admin())
    client.post("/settings/sounds/", {"action": "category", "category": "refund", "sound": "alert", "sound_urgent": "alarm",
                                      "sound_high": ""})
    assert list(PrioritySound.objects.values_list("category__slug", "priority", "sound")) == [("refund", "urgent", "alarm")]
    page = client.get("/settings/sounds/").content.decode()
    alarm_row = page.split('data-sound="alarm"')[1].split("</tr>")[0]
    assert "refund (紧急)" in alarm_row
    response = client.post("/settings/sounds/", {"action": "category", "category": "refund", "sound": "alert",
                                                  "sound_urgent": "no sound!"}, follow=True)
    assert "refund" in response.content.decode().split('class="notices"')[1].split("</ul>")[0]
    assert list(PrioritySound.objects.values_list("sound", flat=True)) == ["alarm"]
