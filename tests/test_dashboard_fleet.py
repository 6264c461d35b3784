"""The fleet page: speakers with their health, and commands that reach the speaker's topic."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

import mqtt
from dashboard import commands
from dashboard.models import Preference
from dashboard.views.fleet import voice_list
from hub.monitor.models import Alert, NodeHealth
from hub.monitor.nodes import ingest_heartbeat
from hub.org.models import Department, SpeakerNode
from mqtt.broker import Mosquitto
from tests.dashboard_helpers import client_for, finance_clerk, orders_clerk, orders_manager
from tests.mqtt_helpers import Watcher

pytestmark = pytest.mark.django_db


def speaker(node_id: str = "spk-orders-1", dept: str = "orders") -> SpeakerNode:
    return SpeakerNode.objects.create(node_id=node_id, department=Department.objects.get(slug=dept))


def test_the_fleet_page_shows_state_heartbeat_queue_volume_and_version_of_my_departments_speakers() -> None:
    speaker()
    speaker("spk-finance-1", "finance")
    NodeHealth.objects.create(node_id="spk-orders-1", status="down", last_heartbeat_at=timezone.now(),
                              telemetry={"queue_depth": 3, "volume": 65, "version": "0.1.0"})
    page = client_for(orders_clerk()).get("/fleet/").content.decode()
    assert 'data-node="spk-orders-1" data-status="down"' in page
    assert "离线" in page and ">3<" in page and "65" in page and "0.1.0" in page
    assert "spk-finance-1" not in page
    assert "identify" not in page  # a clerk sees speakers but commands none


def test_an_open_alert_is_on_every_page_as_a_banner_and_on_the_alerts_page() -> None:
    Alert.objects.create(key="node:spk-orders-1", kind="node", subject="spk-orders-1", text="Speaker spk-orders-1 is offline")
    client = client_for(orders_clerk())
    assert "1 条未解决的告警" in client.get("/").content.decode()
    assert "Speaker spk-orders-1 is offline" in client.get("/alerts/").content.decode()


@pytest.mark.parametrize(("lang", "headline", "kind"), [("zh-hans", "订单部门音箱离线", "音箱"), ("en", "Orders speaker is offline.", "speaker")])
def test_an_alert_is_told_in_the_pages_language_with_the_hubs_full_text_below(lang: str, headline: str, kind: str) -> None:
    """The banner and the alerts page say what happened in the reader's words; the monitor's
    English text (ids, times, errors) is kept below it, for the technical department."""
    speaker()
    Alert.objects.create(key="node:spk-orders-1", kind="node", subject="spk-orders-1",
                         text="Speaker spk-orders-1 is offline: its connection to the broker dropped")
    clerk = orders_clerk()
    if lang == "en":
        Preference.objects.create(user=clerk, language="en")
    client = client_for(clerk)
    banner = client.get("/").content.decode().split('id="alert-banner"')[1].split("</div>")[0]
    assert f">{headline}</span>" in banner and 'title="Speaker spk-orders-1 is offline' in banner
    page = client.get("/alerts/").content.decode()
    assert f"<b>{headline}</b>" in page and f"{kind} · spk-orders-1" in page
    assert "its connection to the broker dropped" in page


def test_a_clerk_may_not_command_a_speaker_and_a_bad_command_gets_one_clear_line(settings: Any) -> None:
    speaker()
    assert client_for(orders_clerk()).post("/fleet/spk-orders-1/cmd", {"cmd": "identify"}).status_code == 403
    assert client_for(finance_clerk()).post("/fleet/spk-orders-1/cmd", {"cmd": "identify"}).status_code == 403
    bad = client_for(orders_manager()).post("/fleet/spk-orders-1/cmd", {"cmd": "volume", "level": "loud"})
    assert bad.status_code == 400 and "level" in bad.json()["error"]


def test_a_managers_command_reaches_the_speakers_command_topic(broker: Mosquitto, settings: Any) -> None:
    settings.MQTT_BROKER = mqtt.BrokerSettings.from_url(broker.url)
    speaker()
    watcher = Watcher(broker.url, mqtt.Command.topic(node_id="spk-orders-1"))
    commands.reset_link()
    try:
        reply = client_for(orders_manager()).post("/fleet/spk-orders-1/cmd", {"cmd": "say", "text": "测试一下", "lang": "zh"})
        assert reply.status_code == 202, reply.content
        assert watcher.wait_for(lambda got: len(got) > 0, 10)
        sent = mqtt.Command.from_json(watcher.received[0].payload)
        assert (sent.id, sent.cmd, sent.args) == (reply.json()["id"], "say", {"text": "测试一下", "lang": "zh"})
    finally:
        commands.reset_link()


def test_the_fleet_page_names_the_voice_that_speaks_each_language_from_the_last_heartbeat() -> None:
    speaker()
    beat = mqtt.Heartbeat(uptime_s=5, queue_depth=0, volume=70, version="0.1.0", interval_s=30, free_disk_mb=900,
                          voices={"en": "piper:en_US-joe-medium", "zh": "espeak-ng:cmn-latn-pinyin"})
    ingest_heartbeat("spk-orders-1", mqtt.Heartbeat.from_json(beat.to_json()), timezone.now())
    assert NodeHealth.objects.get(node_id="spk-orders-1").telemetry["voices"] == beat.voices
    page = client_for(orders_clerk()).get("/fleet/").content.decode()
    cell = page.split('class="voices">')[1].split("</td>")[0]
    text = " ".join(cell.replace("<b>", "").replace("</b>", "").replace('<span class="voice">', "").replace("</span>", "")
                    .replace('<span class="sep">', "").split())
    assert text == "中文: espeak-ng cmn-latn-pinyin · English: piper en_US-joe-medium"


def test_a_speaker_whose_heartbeat_names_no_voices_shows_a_dash_and_an_unknown_language_by_its_code() -> None:
    speaker()
    NodeHealth.objects.create(node_id="spk-orders-1", status="up", telemetry={"queue_depth": 0})
    page = client_for(orders_clerk()).get("/fleet/").content.decode()
    assert page.split('class="voices">')[1].split("</td>")[0] == "—"
    assert voice_list({"xx": "espeak-ng:xx", "ja": "espeak-ng:ja"}) == [("日本語", "espeak-ng ja"), ("xx", "espeak-ng xx")]
    assert voice_list(["not", "a", "map"]) == []
