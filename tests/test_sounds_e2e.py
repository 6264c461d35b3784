"""A category's prompt sound, end to end: the hub (real HTTP server, database, outbox publisher) announces
an order with its chime's URL and sha256; a real node fetches it over HTTP, checks it, and plays the chime
and then the speech into the ALSA file sink. A sound altered on the way is refused, and the speech still said."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from pytest_django.live_server_helper import LiveServer

import mqtt
from hub.intake.adapters import Item, Page
from hub.intake.models import Source
from hub.intake.store import store_page
from hub.outbox.models import Delivery
from hub.outbox.publisher import Publisher
from hub.pipeline import Pipeline
from hub.sounds.models import PromptSound
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.sounds import decode_wav
from node.speech import Speech
from tests.conftest import AlsaSink
from tests.node_agents import NODE, connect, make_agent, speech, step_until
from tests.node_helpers import Observer
from tests.sound_helpers import first_sound, heard_matches, spoken

__all__ = ["make_agent", "speech"]  # fixtures, used by name

# live_server needs real commits; serialized_rollback restores the migrated defaults and sounds
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SettingsWrapper = Any  # pytest-django's settings fixture; its class is not public

ORDER = "客户张三提交了订单10023"


@pytest.fixture
def publisher(broker: Mosquitto) -> Iterator[Publisher]:
    link = mqtt.Link(mqtt.BrokerSettings.from_url(broker.url), f"hub-{uuid.uuid4().hex[:6]}",
                     status_topic=mqtt.HubStatus.topic(), manual_ack=True)
    link.start()
    assert link.wait_connected(10)
    yield Publisher(link, "shopcrier")
    link.stop()


@pytest.fixture
def hub_web(live_server: LiveServer, settings: SettingsWrapper, tmp_path: Path) -> str:
    """The hub's web side on a real loopback port, its data dir in this test's directory."""
    settings.DATA_DIR = tmp_path / "hub-data"
    settings.PUBLIC_URL = live_server.url
    return str(live_server.url)


class TamperingProxy:
    """Stands for someone between hub and speaker: passes requests to the hub, flips one audio byte of each reply."""

    def __init__(self, upstream: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                reply = requests.get(upstream + self.path, timeout=10)
                body = bytearray(reply.content)
                if len(body) > 100:
                    body[100] ^= 0x40  # past the WAV header: still a playable file, another sha256
                self.send_response(reply.status_code)
                self.send_header("Content-Type", reply.headers.get("Content-Type", "application/octet-stream"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(bytes(body))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def announce_order(publisher: Publisher) -> str:
    """Store an order as the poller would and publish its outbox rows; returns the announcement id."""
    source = Source.objects.create(name=f"shop-{uuid.uuid4().hex[:6]}", url="http://127.0.0.1:9/api")
    page = Page(items=[Item(content=ORDER, external_id=uuid.uuid4().hex)], rejects=[], cursor=None, more=False)
    store_page(source, page, Pipeline.from_db())
    while publisher.publish_pending():
        pass
    row = Delivery.objects.exclude(announcement_id="").get(message__source=source)
    return row.announcement_id


def test_an_orders_chime_then_its_speech_reach_the_speaker_with_the_sha256_checked(
    hub_web: str, publisher: Publisher, make_agent: Callable[..., Agent], broker: Mosquitto,
    alsa_sink: AlsaSink, speech: Speech, tmp_path: Path,
) -> None:
    sound = PromptSound.objects.get(name="order-chime")
    agent = make_agent()
    connect(agent)

    with Observer(broker.url, mqtt.Receipt.topic(node_id=NODE)) as observer:
        announcement_id = announce_order(publisher)
        assert step_until(agent, lambda: bool(observer.receipts(NODE, announcement_id)), 30)
    receipt = observer.receipts(NODE, announcement_id)[0]

    chime = decode_wav(bytes(sound.wav)).samples  # levelled by the hub on upload; the node leaves it as it is
    heard = np.frombuffer(alsa_sink.read(), dtype="<i2").astype(np.int16)
    print(f"sink: {heard.size} samples; chime {chime.size} ({sound.sha256[:12]}), then the speech of {ORDER!r}")
    assert (receipt.status, receipt.detail) == ("played", None)
    assert heard_matches(heard, 0, chime)  # the chime first, as the hub stored it
    assert heard_matches(heard, first_sound(heard) - first_sound(chime) + chime.size, spoken(speech, ORDER, "zh"))  # then the words
    cached = tmp_path / "node" / "sounds" / f"{sound.sha256}.wav"
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == sound.sha256 == hashlib.sha256(bytes(sound.wav)).hexdigest()


def test_a_sound_altered_on_the_way_is_refused_and_the_speech_is_still_said(
    hub_web: str, publisher: Publisher, make_agent: Callable[..., Agent], broker: Mosquitto,
    alsa_sink: AlsaSink, speech: Speech, settings: SettingsWrapper, tmp_path: Path,
) -> None:
    proxy = TamperingProxy(hub_web)
    settings.PUBLIC_URL = proxy.url  # announcements now point speakers through it
    sound = PromptSound.objects.get(name="order-chime")
    agent = make_agent()
    connect(agent)
    try:
        with Observer(broker.url, mqtt.Receipt.topic(node_id=NODE)) as observer:
            announcement_id = announce_order(publisher)
            assert step_until(agent, lambda: bool(observer.receipts(NODE, announcement_id)), 30)
    finally:
        proxy.close()
    receipt = observer.receipts(NODE, announcement_id)[0]

    heard = np.frombuffer(alsa_sink.read(), dtype="<i2").astype(np.int16)
    print("receipt:", receipt.status, receipt.detail)
    assert receipt.status == "played"
    assert receipt.detail is not None and "prompt sound refused" in receipt.detail
    assert f"not the announced {sound.sha256}" in receipt.detail
    assert heard_matches(heard, 0, spoken(speech, ORDER, "zh"))  # the speech, and no chime before it
    assert not (tmp_path / "node" / "sounds" / f"{sound.sha256}.wav").exists()
