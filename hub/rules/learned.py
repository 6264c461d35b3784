"""The learned fallback: a character n-gram naive Bayes model, and the corrections memory.

Pure Python, no download: it trains in well under a second on the labelled
corpus the project ships (hub/rules/corpus/train.jsonl, written by
script/corpus.py) and on the examples admins' corrections keep
(:class:`hub.rules.models.Example`). Training is deterministic: the same
examples give the same model on every machine, so there is no model file to
ship or to go stale.

Features: the text folded to simplified Chinese and lower case, digits
removed (order numbers and amounts say nothing about the kind of message);
Chinese as character unigrams and bigrams, Latin as crudely stemmed words
(refund, refunded, refunds are one) without stop words, and word pairs. Not
character n-grams inside words: "border" would read as "order".

A guess carries its confidence, the posterior probability of its category.
:class:`Memory` holds the corrected examples themselves: a new message that
reads almost the same as one an admin corrected gets that correction's
category (hub.rules.classify decides where that sits among the rules).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .hanzi import to_simplified

CORPUS = Path(__file__).resolve().parent / "corpus" / "train.jsonl"
HELDOUT = Path(__file__).resolve().parent / "corpus" / "heldout.jsonl"
SMOOTHING = 0.1
CORRECTION_WEIGHT = 5.0  # an admin's correction counts as this many corpus lines
SIMILAR = 0.6
TEMPER = 1.0  # Jaccard similarity of trigram sets from which a message "reads like" a correction

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")
_DIGITS = re.compile(r"\d+")
# English words that say nothing about the kind of message (they would make any long
# sentence look like whichever category's examples use them most)
STOPWORDS = frozenset(
    "a an the of on in at to for from by with and or is are was were be been has have had it its this that "
    "your you we our us they their he she his her my i me please can may will would should now today".split()
)


def normalise(text: str) -> str:
    return _DIGITS.sub("0", to_simplified(text).lower())


def digest(content: str) -> str:
    """An example's identity: the sha256 of its text as the model reads it (spacing aside)."""
    return hashlib.sha256(" ".join(normalise(content).split()).encode()).hexdigest()


def features(text: str) -> list[str]:
    """The n-grams a message is judged by (see the module docstring)."""
    folded = normalise(text)
    out: list[str] = []
    for run in _CJK_RUN.findall(folded):
        out += list(run)
        out += [run[i : i + 2] for i in range(len(run) - 1)]
    words = [stem(w) for w in _WORD.findall(folded) if w not in STOPWORDS]
    out += [f"w:{w}" for w in words]
    out += [f"p:{a}_{b}" for a, b in zip(words, words[1:])]
    return out


def stem(word: str) -> str:
    """A crude English stem, so refund, refunds, refunded and refunding are one feature."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Labelled:
    content: str
    category: str
    weight: float = 1.0


@dataclass(frozen=True)
class Guess:
    """The model's category for a message and its posterior probability (0..1)."""

    category: str
    confidence: float


@dataclass
class NaiveBayes:
    """Multinomial naive Bayes over :func:`features`."""

    priors: dict[str, float] = field(default_factory=dict)
    counts: dict[str, dict[str, float]] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)
    vocabulary: set[str] = field(default_factory=set)
    size: int = 0

    @classmethod
    def trained(cls, examples: Iterable[Labelled]) -> NaiveBayes:
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        docs: dict[str, float] = defaultdict(float)
        size = 0
        for example in sorted(examples, key=lambda e: (e.category, e.content)):  # order-free, so deterministic
            size += 1
            docs[example.category] += example.weight
            for feature in features(example.content):
                counts[example.category][feature] += example.weight
        every = sum(docs.values())
        model = cls(size=size)
        for category in sorted(docs):
            model.priors[category] = math.log(docs[category] / every)
            model.counts[category] = dict(counts[category])
            model.totals[category] = sum(counts[category].values())
            model.vocabulary |= set(counts[category])
        return model

    def guess(self, text: str) -> Guess | None:
        """The likeliest category and its probability; None for an untrained model."""
        if not self.priors:
            return None
        known = [f for f in features(text) if f in self.vocabulary]
        size = len(self.vocabulary)
        scores = {}
        for category, prior in self.priors.items():
            counts, total = self.counts[category], self.totals[category]
            denominator = math.log(total + SMOOTHING * size)
            likelihood = sum(math.log(counts.get(f, 0.0) + SMOOTHING) - denominator for f in known)
            scores[category] = prior + likelihood / TEMPER
        best = max(sorted(scores), key=lambda c: scores[c])
        top = scores[best]
        probability = 1.0 / sum(math.exp(s - top) for s in scores.values())
        return Guess(best, probability)


def trigrams(text: str) -> set[str]:
    folded = " ".join(normalise(text).split())
    return {folded[i : i + 3] for i in range(max(len(folded) - 2, 1))}


@dataclass(frozen=True)
class Remembered:
    category: str
    content: str
    similarity: float


@dataclass
class Memory:
    """Corrected examples, recalled when a new message reads almost the same."""

    examples: list[tuple[set[str], Labelled]] = field(default_factory=list)

    @classmethod
    def of(cls, examples: Iterable[Labelled]) -> Memory:
        return cls([(trigrams(e.content), e) for e in examples])

    def recall(self, text: str) -> Remembered | None:
        grams = trigrams(text)
        best: Remembered | None = None
        for known, example in self.examples:
            similarity = len(grams & known) / len(grams | known) if grams | known else 0.0
            if similarity >= SIMILAR and (best is None or similarity > best.similarity):
                best = Remembered(example.category, example.content, similarity)
        return best


def read_corpus(path: Path = CORPUS) -> list[Labelled]:
    """The labelled lines of a corpus file (``content`` and ``expected_category`` per line)."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                item = json.loads(line)
                out.append(Labelled(item["content"], item["expected_category"]))
    return out
