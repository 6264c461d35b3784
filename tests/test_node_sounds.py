"""Prompt sounds from a real local HTTP server: checked by sha256, cached, refused when bad."""

from __future__ import annotations

import functools
import hashlib
import io
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from mqtt import Receipt
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.loudness import level
from node.pcm import Pcm
from node.sounds import SoundCache, SoundError, decode_wav
from tests.conftest import AlsaSink
from tests.node_agents import NODE, connect, make_agent, speech, step_until
from tests.node_helpers import Observer, announcement, settled_size

__all__ = ["make_agent", "speech"]  # fixtures, used by name

RATE = 16000


def wav_bytes(samples: npt.NDArray[np.int16], *, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(RATE)
        wav.writeframes(samples.tobytes() if width == 2 else (samples // 256 + 128).astype(np.uint8).tobytes())
    return out.getvalue()


def ding(seconds: float = 0.25) -> npt.NDArray[np.int16]:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sin(2 * np.pi * 660 * t) * 9000).astype(np.int16)


class Served:
    """A directory behind a real http.server on a free loopback port."""

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def put(self, name: str, data: bytes) -> tuple[str, str]:
        """Serve ``data`` as ``name``; returns its URL and sha256."""
        (self.root / name).write_bytes(data)
        return f"http://127.0.0.1:{self.server.server_port}/{name}", hashlib.sha256(data).hexdigest()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub_media(tmp_path: Path) -> Iterator[Served]:
    root = tmp_path / "media"
    root.mkdir()
    served = Served(root)
    yield served
    served.close()


def test_a_sound_is_fetched_checked_and_then_served_from_the_cache(hub_media: Served, tmp_path: Path) -> None:
    url, sha = hub_media.put("order.wav", wav_bytes(ding()))
    cache = SoundCache(tmp_path / "sounds")

    fetched = cache.get(url, sha)
    hub_media.close()  # the hub is gone; the cache still has it
    again = cache.get(url, sha)

    assert fetched.rate == RATE and np.array_equal(fetched.samples, level(Pcm(ding(), RATE)).samples)  # levelled
    assert np.array_equal(again.samples, fetched.samples)
    assert (tmp_path / "sounds" / f"{sha}.wav").is_file()


def test_a_sound_whose_hash_does_not_match_is_refused_and_not_cached(hub_media: Served, tmp_path: Path) -> None:
    url, _ = hub_media.put("order.wav", wav_bytes(ding()))
    wrong = hashlib.sha256(b"something else").hexdigest()

    with pytest.raises(SoundError, match="not the announced"):
        SoundCache(tmp_path / "sounds").get(url, wrong)
    assert not (tmp_path / "sounds" / f"{wrong}.wav").exists()


@pytest.mark.parametrize(
    ("data", "says"),
    [(b"<html>not found</html>", "not a PCM WAV"), (wav_bytes(ding(), width=1), "16-bit")],
)
def test_a_file_that_is_not_pcm16_wav_is_refused(hub_media: Served, tmp_path: Path, data: bytes, says: str) -> None:
    url, sha = hub_media.put("bad.wav", data)

    with pytest.raises(SoundError, match=says):
        SoundCache(tmp_path / "sounds").get(url, sha)


def test_an_oversized_or_missing_file_is_refused(hub_media: Served, tmp_path: Path) -> None:
    url, sha = hub_media.put("big.wav", wav_bytes(ding(2.0)))
    cache = SoundCache(tmp_path / "sounds", max_bytes=10_000)

    with pytest.raises(SoundError, match="larger than"):
        cache.get(url, sha)
    with pytest.raises(SoundError, match="404"):
        cache.get(url.replace("big", "absent"), sha)


def test_stereo_is_mixed_down_to_mono() -> None:
    left, right = ding(), (ding() // 3).astype(np.int16)
    stereo = np.stack([left, right], axis=1).reshape(-1).astype(np.int16)

    mono = decode_wav(wav_bytes(stereo, channels=2))

    expected = ((left.astype(np.int32) + right) / 2).astype(np.int16)
    assert mono.samples.size == left.size and np.abs(mono.samples.astype(np.int32) - expected).max() <= 1


def test_the_prompt_sound_plays_before_the_speech_and_a_bad_one_only_costs_the_sound(
    make_agent: Callable[..., Agent], broker: Mosquitto, alsa_sink: AlsaSink, hub_media: Served
) -> None:
    good_url, good_sha = hub_media.put("order.wav", wav_bytes(ding()))
    agent = make_agent()
    connect(agent)
    with Observer(broker.url, Receipt.topic(node_id=NODE)) as observer:
        observer.announce(replace(announcement("chimed-1"), sound_url=good_url, sound_sha256=good_sha))
        assert step_until(agent, lambda: bool(observer.receipts(NODE, "chimed-1")), 20)
        heard = np.frombuffer(alsa_sink.read()[: ding().size * 2], dtype="<i2")
        size = settled_size(alsa_sink)

        observer.announce(replace(announcement("tampered-1"), sound_url=good_url, sound_sha256="0" * 64))
        assert step_until(agent, lambda: bool(observer.receipts(NODE, "tampered-1")), 20)

    assert np.array_equal(heard, level(Pcm(ding(), RATE)).samples)  # levelled like speech
    assert observer.receipts(NODE, "chimed-1")[0].detail is None
    tampered = observer.receipts(NODE, "tampered-1")[0]
    assert tampered.status == "played" and tampered.detail and "prompt sound refused" in tampered.detail
    assert settled_size(alsa_sink) > size  # the speech still played


class FailingHub:
    """A real HTTP server that answers every request with 500, counting them."""

    def __init__(self) -> None:
        hits = self.hits = [0]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits[0] += 1
                self.send_error(500, "hub is failing")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/sounds/x.wav"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_url_that_failed_is_not_asked_again_for_a_while_so_speech_is_not_held_back(tmp_path: Path) -> None:
    hub = FailingHub()
    now = [1000.0]
    cache = SoundCache(tmp_path / "sounds", retry_after=60, monotonic=lambda: now[0])
    sha = hashlib.sha256(b"x").hexdigest()
    try:
        with pytest.raises(SoundError, match="500"):
            cache.get(hub.url, sha)
        now[0] += 59
        with pytest.raises(SoundError, match="not asked again for 1 s"):
            cache.get(hub.url, sha)
        assert hub.hits == [1]
        now[0] += 2
        with pytest.raises(SoundError, match="500"):
            cache.get(hub.url, sha)
        assert hub.hits == [2]
    finally:
        hub.close()
