"""How well recognition does on a labelled file: accuracy per script, precision and recall
per category, a confusion table and the misses (``shopcrier-hub classify --evaluate``)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .hanzi import TABLE

SCRIPTS = ("zh-Hans", "zh-Hant", "en")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def script_of(text: str) -> str:
    """``zh-Hant`` when the text holds traditional-only characters, ``zh-Hans`` when it holds
    other Chinese, else ``en`` (a file may say it instead, with a ``script`` key)."""
    if any(ord(ch) in TABLE for ch in text):
        return "zh-Hant"
    return "zh-Hans" if _CJK.search(text) else "en"


@dataclass(frozen=True)
class Outcome:
    line: int
    content: str
    script: str
    expected: str
    got: str
    rule: str
    matched: str


@dataclass
class Evaluation:
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.got != o.expected]

    def accuracy(self, script: str | None = None) -> tuple[float, int]:
        chosen = [o for o in self.outcomes if script is None or o.script == script]
        right = sum(o.got == o.expected for o in chosen)
        return (right / len(chosen) if chosen else 0.0), len(chosen)

    def categories(self) -> list[str]:
        return sorted({o.expected for o in self.outcomes} | {o.got for o in self.outcomes})

    def precision_recall(self, category: str) -> tuple[float, float, int]:
        predicted = [o for o in self.outcomes if o.got == category]
        actual = [o for o in self.outcomes if o.expected == category]
        right = sum(o.got == o.expected for o in actual)
        precision = right / len(predicted) if predicted else 0.0
        recall = right / len(actual) if actual else 0.0
        return precision, recall, len(actual)

    def lines(self) -> list[str]:
        total, n = self.accuracy()
        out = [f"accuracy {total:.3f} on {n} messages"]
        for script in SCRIPTS:
            value, count = self.accuracy(script)
            if count:
                out.append(f"  {script:<8} {value:.3f} ({count} messages)")
        decided = Counter("model" if o.rule == "model" else "correction" if o.rule == "correction" else "default" if o.rule == "default" else "rule" for o in self.outcomes)
        out.append("decided by: " + ", ".join(f"{k} {v}" for k, v in sorted(decided.items())))
        out.append("")
        out.append(f"{'category':<12} {'precision':>9} {'recall':>7} {'n':>5}")
        for category in self.categories():
            p, r, count = self.precision_recall(category)
            out.append(f"{category:<12} {p:>9.3f} {r:>7.3f} {count:>5}")
        out.append("")
        cats = self.categories()
        width = max(len(c) for c in cats) + 1 if cats else 8
        out.append("confusion (rows: expected, columns: got)")
        out.append(" " * 12 + "".join(f"{c[:width]:>{width}}" for c in cats))
        pairs = Counter((o.expected, o.got) for o in self.outcomes)
        for expected in cats:
            out.append(f"{expected:<12}" + "".join(f"{pairs[(expected, got)]:>{width}}" for got in cats))
        misses = self.misses
        out.append("")
        out.append(f"misses: {len(misses)}")
        for o in misses:
            out.append(f"  line {o.line} [{o.script}] expected {o.expected}, got {o.got} by {o.rule} ({o.matched}): {o.content}")
        return out
