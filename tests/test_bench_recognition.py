"""Benchmark: recognition with the learned fallback beside the rules alone, same messages,
same run (``make bench``); and what training costs (it runs at first use and after each
correction)."""

from __future__ import annotations

import time

import pytest

from hub.rules.classify import Classifier
from hub.rules.facts import Facts
from hub.rules.learned import CORPUS, HELDOUT, read_corpus
from hub.rules.training import train

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ROUNDS = 20


def rate(classifier: Classifier, texts: list[str]) -> float:
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for text in texts:
            classifier.judge(Facts(content=text))
    return ROUNDS * len(texts) / (time.perf_counter() - started)


def test_bench_recognition_with_the_learned_fallback_beside_rules_alone() -> None:
    texts = [e.content for e in read_corpus(HELDOUT) + read_corpus(CORPUS)]
    with_model = Classifier.from_db()
    rules_only = Classifier(list(with_model.rules))
    baseline = rate(rules_only, texts)
    learned = rate(with_model, texts)
    timings = []
    for _ in range(5):
        timings.append(train().seconds)
    print(
        f"\nrecognition, {len(texts)} messages x {ROUNDS}: rules only {baseline:,.0f}/s (baseline), "
        f"rules + corrections memory + model {learned:,.0f}/s ({learned / baseline:.2f}x)"
        f"\ntraining on {len(read_corpus(CORPUS))} corpus lines: median {sorted(timings)[2] * 1000:.1f} ms"
    )
    assert learned > 0 and baseline > 0
