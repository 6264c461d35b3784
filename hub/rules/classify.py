"""Recognition: ordered rules, the first match wins, ``other`` when none does."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Callable

DEFAULT_CATEGORY = "other"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Verdict:
    """``rule`` names the rule that decided; ``matched`` the term it matched."""

    category: str
    rule: str
    matched: str = ""


@dataclass(frozen=True)
class CompiledRule:
    name: str
    category: str
    kind: str
    test: Callable[[str, str], str | None]


def _keyword_matcher(patterns: list[str]) -> Callable[[str, str], str | None]:
    cjk = [p for p in patterns if _CJK.search(p)]
    latin = [p for p in patterns if not _CJK.search(p)]
    # Latin terms must not match inside a word ("order" is not in "border").
    word = (
        re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(p) for p in latin) + r")(?![A-Za-z0-9])", re.I)
        if latin
        else None
    )

    def test(text: str, platform_type: str) -> str | None:
        for term in cjk:
            if term in text:
                return term
        if word is not None:
            found = word.search(text)
            if found:
                return found.group(1)
        return None

    return test


def _regex_matcher(patterns: list[str]) -> Callable[[str, str], str | None]:
    try:
        compiled = [re.compile(p, re.I) for p in patterns]
    except re.error as exc:
        raise RuleError(f"bad regular expression: {exc}") from None

    def test(text: str, platform_type: str) -> str | None:
        for rx in compiled:
            found = rx.search(text)
            if found:
                return found.group(0)
        return None

    return test


def _type_matcher(patterns: list[str]) -> Callable[[str, str], str | None]:
    globs = [p.lower() for p in patterns]

    def test(text: str, platform_type: str) -> str | None:
        kind = platform_type.lower()
        if not kind:
            return None
        for glob in globs:
            if fnmatch.fnmatchcase(kind, glob):
                return platform_type
        return None

    return test


_MATCHERS = {"type": _type_matcher, "keyword": _keyword_matcher, "regex": _regex_matcher}


def compile_rule(name: str, kind: str, patterns: object, category: str) -> CompiledRule:
    if kind not in _MATCHERS:
        raise RuleError(f"rule {name}: unknown kind {kind!r}")
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p.strip() for p in patterns):
        raise RuleError(f"rule {name}: patterns must be a non-empty list of non-empty strings")
    try:
        test = _MATCHERS[kind](patterns)
    except RuleError as exc:
        raise RuleError(f"rule {name}: {exc}") from None
    return CompiledRule(name=name, category=category, kind=kind, test=test)


class Classifier:
    """Classifies a message's content (and platform type) with rules in order."""

    def __init__(self, rules: list[CompiledRule], default: str = DEFAULT_CATEGORY) -> None:
        self.rules = rules
        self.default = default

    @classmethod
    def from_db(cls) -> Classifier:
        from .models import Rule

        rules = Rule.objects.filter(enabled=True).select_related("category")
        return cls([compile_rule(r.name, r.kind, r.patterns, r.category.slug) for r in rules])

    def classify(self, text: str, platform_type: str = "") -> Verdict:
        for rule in self.rules:
            matched = rule.test(text, platform_type)
            if matched is not None:
                return Verdict(category=rule.category, rule=rule.name, matched=matched)
        return Verdict(category=self.default, rule="default")


def detect_language(text: str) -> str:
    """``zh`` when the text holds Chinese characters, else ``en``."""
    return "zh" if _CJK.search(text) else "en"
