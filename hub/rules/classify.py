"""Recognition: ordered rules, the first match wins, ``other`` when none does.

Semantics (docs/config.md says the same for admins):

- A rule *matches* when its patterns match (``type``, ``keyword``, ``regex``;
  a ``field`` rule has no patterns) **and** every one of its ``conditions``
  holds (:mod:`hub.rules.facts`).
- **Category.** The first enabled rule, in order, that has a category and
  matches decides the category; that rule's name is stored with the message.
  No match: ``other``, rule ``default``.
- **Priority.** It starts at the category's own priority and is only ever
  raised. The deciding rule raises it to its ``priority``, if it has one.
  Rules *without* a category never decide anything: they run after the
  category is decided (so their conditions may test ``category``), and every
  one that matches raises the priority to its ``priority``. So "withdrawals of
  5000 or more are urgent" is a rule with no category, ``priority = "urgent"``
  and the conditions ``category == withdrawal`` and ``amount >= 5000``; it does
  not stop, or take part in, category matching.
- **Corrections and the learned fallback** (when the classifier has them,
  :mod:`hub.rules.learned`): a message that reads almost the same as one an
  admin reclassified gets that correction's category first (rule
  ``correction``: the admin's own decision about this very wording beats a
  general rule). When no rule decides, the model guesses: at ``CONFIDENCE`` or
  above its category decides (rule ``model``); below it the message goes to
  ``other`` marked for review. The verdict says which, with the confidence.
- Chinese is matched in simplified form: keywords, regular expressions and the
  text are folded with :mod:`hub.rules.hanzi` first, so ``訂單`` matches ``订单``.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable

from mqtt import PRIORITIES

from .facts import Condition, ConditionError, Facts, parse_conditions
from .hanzi import to_simplified
from .safe_regex import UnsafePattern, compile_pattern

if TYPE_CHECKING:
    from .models import Rule
    from .training import Trained

log = logging.getLogger(__name__)

DEFAULT_CATEGORY = "other"
CONFIDENCE = 0.8  # the learned model's probability from which its guess decides
MODEL_RULE = "model"
CORRECTION_RULE = "correction"
KINDS = ("type", "keyword", "regex", "field")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# (text as written, text folded to simplified, platform type) -> what matched, or None
Test = Callable[[str, str, str], str | None]


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Verdict:
    """``rule`` names the rule that decided the category; ``matched`` the term it matched.
    ``priority`` is the highest priority a matching rule raised to (None: none did), and
    ``raised_by`` names those rules. ``confidence``: the model's probability (or a
    correction's similarity) when one of them decided; ``review``: the model was not
    sure, so the message went to ``other`` for a person to look at."""

    category: str
    rule: str
    matched: str = ""
    priority: str | None = None
    raised_by: tuple[str, ...] = ()
    confidence: float | None = None
    review: bool = False


@dataclass(frozen=True)
class CompiledRule:
    name: str
    category: str | None
    kind: str
    test: Test
    conditions: tuple[Condition, ...] = ()
    priority: str | None = None

    def match(self, text: str, folded: str, facts: Facts) -> str | None:
        """What matched (for a ``field`` rule, its first condition's path), or None."""
        found = self.test(text, folded, facts.type)
        if found is None or not all(c.holds(facts) for c in self.conditions):
            return None
        return found if self.kind != "field" else " and ".join(c.describe() for c in self.conditions)


def _keyword_matcher(patterns: list[str]) -> Test:
    folded = [to_simplified(p) for p in patterns]
    cjk = [p for p in folded if _CJK.search(p)]
    latin = [p for p in folded if not _CJK.search(p)]
    # Latin terms must not match inside a word ("order" is not in "border").
    word = (
        re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(p) for p in latin) + r")(?![A-Za-z0-9])", re.I)
        if latin
        else None
    )

    def test(text: str, simple: str, platform_type: str) -> str | None:
        for term in cjk:
            at = simple.find(term)
            if at >= 0:
                return text[at : at + len(term)]  # folding keeps positions: report it as written
        if word is not None:
            found = word.search(simple)
            if found:
                return text[found.start(1) : found.end(1)]
        return None

    return test


def _regex_matcher(patterns: list[str]) -> Test:
    try:  # time-limited, and probed for catastrophic backtracking (safe_regex)
        compiled = [compile_pattern(to_simplified(p)) for p in patterns]
    except UnsafePattern as exc:
        raise RuleError(f"bad regular expression: {exc}") from None

    def test(text: str, simple: str, platform_type: str) -> str | None:
        for rx in compiled:
            found = rx.search(simple)
            if found:
                return text[found.start() : found.end()]
        return None

    return test


def _type_matcher(patterns: list[str]) -> Test:
    globs = [p.lower() for p in patterns]

    def test(text: str, simple: str, platform_type: str) -> str | None:
        kind = platform_type.lower()
        if not kind:
            return None
        for glob in globs:
            if fnmatch.fnmatchcase(kind, glob):
                return platform_type
        return None

    return test


def _always(text: str, simple: str, platform_type: str) -> str | None:
    return ""


_MATCHERS = {"type": _type_matcher, "keyword": _keyword_matcher, "regex": _regex_matcher}


def compile_rule(
    name: str,
    kind: str,
    patterns: object,
    category: str | None,
    *,
    conditions: object = (),
    priority: str | None = None,
) -> CompiledRule:
    """A rule ready to test, or :class:`RuleError` saying what is wrong with it."""
    if kind not in KINDS:
        raise RuleError(f"rule {name}: unknown kind {kind!r}")
    if priority is not None and priority not in PRIORITIES:
        raise RuleError(f"rule {name}: priority {priority!r} is not one of {', '.join(PRIORITIES)}")
    if category is None and priority is None:
        raise RuleError(f"rule {name}: give a category, a priority, or both")
    try:
        checked = parse_conditions(list(conditions) if isinstance(conditions, tuple) else conditions)
    except ConditionError as exc:
        raise RuleError(f"rule {name}: {exc}") from None
    if kind == "field":
        if patterns not in ([], (), None):
            raise RuleError(f"rule {name}: a field rule has conditions, not patterns")
        if not checked:
            raise RuleError(f"rule {name}: a field rule needs at least one condition")
        return CompiledRule(name, category, kind, _always, checked, priority)
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p.strip() for p in patterns):
        raise RuleError(f"rule {name}: patterns must be a non-empty list of non-empty strings")
    try:
        test = _MATCHERS[kind](patterns)
    except RuleError as exc:
        raise RuleError(f"rule {name}: {exc}") from None
    return CompiledRule(name, category, kind, test, checked, priority)


def _compiled_or_skipped(rule: Rule) -> CompiledRule | None:
    """A stored rule that no longer compiles (one saved before patterns were probed) is left
    out, with an error naming it, rather than stopping every message's classification."""
    try:
        return rule.compiled()
    except RuleError as exc:
        log.error("rule %s is skipped: %s", rule.name, exc)
        return None


def highest(priorities: Iterable[str | None]) -> str | None:
    """The highest of ``priorities`` (normal < high < urgent), None if there are none."""
    ranked = [p for p in priorities if p in PRIORITIES]
    return max(ranked, key=PRIORITIES.index) if ranked else None


@dataclass
class Classifier:
    """Classifies a message with rules in order (see the module docstring)."""

    rules: list[CompiledRule]
    default: str = DEFAULT_CATEGORY
    learned: Trained | None = None
    threshold: float = CONFIDENCE
    deciders: list[CompiledRule] = field(init=False)
    raisers: list[CompiledRule] = field(init=False)

    def __post_init__(self) -> None:
        self.deciders = [r for r in self.rules if r.category is not None]
        self.raisers = [r for r in self.rules if r.category is None]

    @classmethod
    def from_db(cls) -> Classifier:
        from .models import Rule

        from .training import current

        rules = Rule.objects.filter(enabled=True).select_related("category")
        return cls([c for r in rules if (c := _compiled_or_skipped(r)) is not None], learned=current())

    def classify(self, text: str, platform_type: str = "") -> Verdict:
        return self.judge(Facts(content=text, type=platform_type))

    def judge(self, facts: Facts) -> Verdict:
        text = facts.content
        folded = to_simplified(text)
        verdict = self._recalled(text)
        raised: list[CompiledRule] = []
        if verdict is None:
            for rule in self.deciders:
                matched = rule.match(text, folded, facts)
                if matched is not None:
                    assert rule.category is not None
                    verdict = Verdict(category=rule.category, rule=rule.name, matched=matched)
                    if rule.priority is not None:
                        raised.append(rule)
                    break
        if verdict is None:
            verdict = self._guessed(text)
        decided = replace(facts, category=verdict.category)
        raised += [r for r in self.raisers if r.match(text, folded, decided) is not None]
        if not raised:
            return verdict
        return replace(verdict, priority=highest(r.priority for r in raised), raised_by=tuple(r.name for r in raised))

    def _recalled(self, text: str) -> Verdict | None:
        """A correction's category, when ``text`` reads almost the same as a corrected message."""
        if self.learned is None:
            return None
        found = self.learned.memory.recall(text)
        if found is None:
            return None
        matched = f"reads like a corrected message ({found.similarity:.0%} alike): {found.content[:80]}"
        return Verdict(category=found.category, rule=CORRECTION_RULE, matched=matched, confidence=found.similarity)

    def _guessed(self, text: str) -> Verdict:
        """The learned model's guess when no rule decided; ``other`` for review when it is unsure."""
        guess = self.learned.model.guess(text) if self.learned is not None else None
        if guess is None:
            return Verdict(category=self.default, rule="default")
        if guess.confidence >= self.threshold:
            return Verdict(guess.category, MODEL_RULE, f"model: {guess.category} at {guess.confidence:.2f}", confidence=guess.confidence)
        matched = f"model unsure: {guess.category} at {guess.confidence:.2f} (below {self.threshold:.2f}); to review"
        return Verdict(self.default, MODEL_RULE, matched, confidence=guess.confidence, review=True)


_LATIN = re.compile(r"[A-Za-z]")
LATIN_PER_HANZI = 3  # a Chinese character carries about as much as three Latin letters


def detect_language(text: str) -> str:
    """``zh`` when Chinese characters make up at least half of the text's letters (one
    character weighing as much as three Latin letters), else ``en``.

    By share, not presence: "New order 100015 from 黄磊" is English with a Chinese
    name in it; "客户张三购买了iPhone 15 Pro" is Chinese with a product name in it.
    """
    hanzi = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if hanzi and hanzi * LATIN_PER_HANZI >= latin else "en"
