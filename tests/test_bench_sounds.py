"""Benchmark: what levelling and prompt sounds add (``make bench``).

1. Levelling one synthesised sentence on the node (:func:`node.loudness.level`,
   done once, when :class:`node.speech.Speech` synthesises it, before it is
   cached), beside synthesising it (the baseline: the step it adds to); a
   cached sentence, already levelled, costs only the cache read, shown too.
2. Converting an upload once (decode, resample, level, encode: a 10 s stereo
   44.1 kHz FLAC, the largest allowed length), beside libsndfile decoding it alone.
3. Serving a prompt sound over the hub's HTTP (Django's test server), beside
   ``GET /healthz``.

Prints medians; asserts nothing about time.
"""

from __future__ import annotations

import hashlib
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
import soundfile
from pytest_django.live_server_helper import LiveServer

from node.espeak import EspeakEngine
from node.loudness import level
from node.pcm import Pcm
from node.piper_tts import PiperVoiceEngine
from node.speech import join
from node.tts_cache import PcmCache
from hub.sounds.audio import check_and_convert
from hub.sounds.models import PromptSound
from tests.sound_helpers import encoded

pytestmark = pytest.mark.bench
SettingsWrapper = Any


def median_ms(action: Callable[[], object], runs: int = 30) -> float:
    action()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_bench_levelling_a_sentence_beside_synthesising_it(tmp_path: Path) -> None:
    engines = {"zh (espeak-ng)": (EspeakEngine(), "zh", "客户张三提交了订单10023，请及时处理。"),
               "en (piper)": (PiperVoiceEngine.bundled(), "en", "Jane Doe placed order 10023 for 89 dollars.")}
    cache = PcmCache(tmp_path / "cache", 64 * 1024 * 1024)
    print("\nlevelling one sentence, once, when it is synthesised (medians):")
    print(f"{'sentence':<16} {'audio':>6} {'synthesis':>10} {'level()':>8} {'ratio':>6} {'cache get':>10}")
    for name, (engine, lang, text) in engines.items():
        synthesise = median_ms(lambda: join(list(engine.synthesize(text, lang))), runs=5)  # type: ignore[attr-defined]
        pcm = join(list(engine.synthesize(text, lang)))  # type: ignore[attr-defined]
        key = hashlib.sha256(name.encode()).hexdigest()
        cache.put(key, pcm)
        assert cache.get(key) is not None
        levelled = median_ms(lambda: level(pcm))
        cached = median_ms(lambda: cache.get(key))
        print(f"{name:<16} {pcm.seconds:>5.2f}s {synthesise:>8.1f}ms {levelled:>6.1f}ms {levelled / synthesise:>6.2f}"
              f" {cached:>8.2f}ms")
        assert level(pcm).samples.size == pcm.samples.size


def test_bench_converting_an_upload_once() -> None:
    flac = encoded("FLAC", seconds=10.0, rate=44100, channels=2)
    decode = median_ms(lambda: soundfile.read(io.BytesIO(flac), dtype="float32"), runs=10)
    convert = median_ms(lambda: check_and_convert(flac), runs=10)
    print(f"\nupload of a 10 s stereo 44.1 kHz FLAC ({len(flac) // 1024} KB): check + convert {convert:.1f} ms, "
          f"libsndfile decode alone {decode:.1f} ms (ratio {convert / decode:.1f})")
    assert isinstance(check_and_convert(flac), Pcm)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_serving_a_prompt_sound(live_server: LiveServer, settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "hub-data"
    sound = PromptSound.objects.get(name="order-chime")
    session = requests.Session()
    url = f"{live_server.url}/sounds/{sound.sha256}.wav"
    served = median_ms(lambda: session.get(url, timeout=10).content, runs=50)
    health = median_ms(lambda: session.get(f"{live_server.url}/healthz", timeout=10).content, runs=50)
    body = session.get(url, timeout=10).content
    print(f"\nGET a prompt sound ({len(body) // 1024} KB, sha256 checked on disk): {served:.2f} ms; "
          f"GET /healthz (baseline): {health:.2f} ms (ratio {served / health:.1f})")
    assert np.frombuffer(body[44:], dtype="<i2").size > 0
