"""The synthesised-audio cache: keyed by text + voice + settings, bounded by size, least recently used out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from node.speech import EspeakEngine, Pcm, PiperVoiceEngine, Speech
from node.tts_cache import PcmCache, cache_key


class Counting:
    """The real engine, counting what it was asked to synthesise."""

    def __init__(self, engine: PiperVoiceEngine) -> None:
        self.engine = engine
        self.voice_id = engine.voice_id
        self.calls: list[str] = []

    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        self.calls.append(text)
        return self.engine.synthesize(text, lang)


@pytest.fixture(scope="module")
def piper() -> PiperVoiceEngine:
    return PiperVoiceEngine.bundled()


def pcm(seconds: float, rate: int = 8000) -> Pcm:
    return Pcm((np.arange(int(rate * seconds)) % 200).astype(np.int16), rate)


def test_a_repeated_sentence_comes_from_the_cache_not_the_voice(tmp_path: Path, piper: PiperVoiceEngine) -> None:
    counting = Counting(piper)
    speech = Speech({"en": counting}, EspeakEngine(), cache=PcmCache(tmp_path, 10 * 1024 * 1024))

    first = list(speech.synthesize("A new order arrived. Please check it.", "en"))
    started = time.perf_counter()
    again = list(speech.synthesize("Please check it. A new order arrived.", "en"))
    cached_s = time.perf_counter() - started

    assert counting.calls == ["A new order arrived.", "Please check it."]
    assert np.array_equal(again[0].samples, first[1].samples) and again[0].rate == first[1].rate
    assert cached_s < 0.1  # reading two small files, not running a voice


def test_the_key_changes_with_voice_settings_and_language_not_just_text() -> None:
    keys = {
        cache_key("hello", "en", "piper:joe:1.0"),
        cache_key("hello", "en", "piper:joe:1.2"),
        cache_key("hello", "en-GB", "piper:joe:1.0"),
        cache_key("hello!", "en", "piper:joe:1.0"),
    }
    assert len(keys) == 4


def test_past_its_bound_the_least_recently_used_entry_goes(tmp_path: Path) -> None:
    cache = PcmCache(tmp_path, max_bytes=3 * 16100)  # room for three one-second entries at 8 kHz
    for name in ("a", "b", "c"):
        cache.put(name, pcm(1.0))
        time.sleep(0.01)  # distinct mtimes
    assert cache.get("a") is not None  # "a" is now the most recently used

    cache.put("d", pcm(1.0))

    assert cache.get("b") is None
    assert all(cache.get(name) is not None for name in ("a", "c", "d"))
    assert cache.size <= cache.max_bytes


def test_the_cache_survives_a_restart_and_drops_an_unreadable_entry(tmp_path: Path) -> None:
    PcmCache(tmp_path, 10**6).put("kept", pcm(0.5))
    (tmp_path / "broken.wav").write_bytes(b"RIFF nonsense")

    reopened = PcmCache(tmp_path, 10**6)

    kept = reopened.get("kept")
    assert kept is not None and kept.rate == 8000 and np.array_equal(kept.samples, pcm(0.5).samples)
    assert reopened.get("broken") is None and not (tmp_path / "broken.wav").exists()


def test_an_entry_cut_short_by_a_power_cut_is_dropped_not_half_said(tmp_path: Path) -> None:
    cache = PcmCache(tmp_path, 10**6)
    cache.put("cut", pcm(0.5))
    whole = (tmp_path / "cut.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(whole[: len(whole) // 2])  # header intact, half the audio

    assert PcmCache(tmp_path, 10**6).get("cut") is None
    assert not (tmp_path / "cut.wav").exists()
