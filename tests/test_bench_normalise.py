"""Benchmark: what normalisation adds before synthesis (``make bench``).

Prints the time to normalise each sample sentence (zh and en), beside two
baselines measured in the same run: cutting the same text into sentences
(``split_sentences``, the cheapest step already on that path) and espeak-ng
synthesising one Chinese sample sentence (the step normalisation precedes).
Then the rate on long texts, to show the cost grows with the length and no
faster.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial

import pytest

from node.espeak import EspeakEngine
from node.normalise import normalise
from node.tts import split_sentences
from tests.test_node_normalise import sample_sentences

pytestmark = pytest.mark.bench


def per_call_us(step: Callable[[], object], repeat: int) -> float:
    """Median microseconds of one call, over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def test_bench_normalisation_beside_sentence_splitting_and_synthesis() -> None:
    sentences = sample_sentences()
    print()
    for lang in ("zh", "en"):
        texts = [text for text, text_lang in sentences if text_lang == lang]
        norm = statistics.median(per_call_us(partial(normalise, text, lang), 200) for text in texts)
        split = statistics.median(per_call_us(partial(split_sentences, text), 200) for text in texts)
        print(f"normalise, {lang}, one sample sentence: {norm:.1f} µs (median of {len(texts)} sentences); "
              f"baseline split_sentences on the same: {split:.1f} µs")
    engine = EspeakEngine()
    synth = per_call_us(lambda: list(engine.synthesize("客户孙七申请退款，订单号幺零零三幺，金额一百二十八元", "zh")), 10)
    print(f"baseline espeak-ng synthesis of one Chinese sample sentence: {synth / 1000:.1f} ms")
    for size in (10_000, 100_000, 1_000_000):
        text = ("客户孙七申请退款，订单号10031，金额¥1,280.50，14:05。" * (size // 30 + 1))[:size]
        seconds = per_call_us(lambda: normalise(text, "zh"), 3) / 1e6
        print(f"normalise, zh, {size:>9,} characters: {seconds * 1000:8.1f} ms ({size / seconds / 1e6:.2f} M chars/s)")
