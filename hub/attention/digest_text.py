"""The sentence a digest says: "5 new orders in the last minute" / "最近一分钟有5条新订单"."""

from __future__ import annotations

# English nouns for the default categories; another category reads "N new <slug> messages".
EN_NOUNS = {
    "order": ("order", "orders"),
    "appeal": ("appeal", "appeals"),
    "refund": ("refund request", "refund requests"),
    "withdrawal": ("withdrawal", "withdrawals"),
    "onboarding": ("new merchant", "new merchants"),
    "system": ("system message", "system messages"),
    "other": ("message", "messages"),
}
ZH_NUMBERS = "零一二三四五六七八九十"


def _zh_period(seconds: int) -> str:
    if seconds % 60 == 0:
        minutes = seconds // 60
        spoken = "两" if minutes == 2 else ZH_NUMBERS[minutes] if minutes <= 10 else str(minutes)
        return f"{spoken}分钟"
    return f"{seconds}秒"


def _en_period(seconds: int) -> str:
    if seconds == 60:
        return "the last minute"
    if seconds % 60 == 0:
        return f"the last {seconds // 60} minutes"
    return f"the last {seconds} seconds"


def _en_count(slug: str, n: int) -> str:
    one, many = EN_NOUNS.get(slug, (f"{slug} message", f"{slug} messages"))
    noun = one if n == 1 else many
    return f"{n} {noun}" if noun.startswith("new ") else f"{n} new {noun}"


def digest_text(counts: dict[str, int], names: dict[str, str], seconds: int, lang: str) -> str:
    """``counts``: category slug → n, largest first in the sentence; ``names``: slug → the
    category's (Chinese) name, for the Chinese sentence."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if lang == "zh":
        parts = "、".join(f"{n}条新{names.get(slug, slug)}" for slug, n in ordered)
        return f"最近{_zh_period(seconds)}有{parts}"
    phrases = [_en_count(slug, n) for slug, n in ordered]
    listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return f"{listed} in {_en_period(seconds)}"
