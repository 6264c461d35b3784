"""Admin-supplied regular expressions, compiled so none can stall the hub.

A pattern such as ``^(a|aa)+$`` backtracks exponentially: Python's ``re``
took 3.8 s on 35 characters, and every message of the day passes through the
rules. Patterns are compiled with the ``regex`` module (the same syntax as
``re`` in its default VERSION0 mode), whose searches take a ``timeout``:

- at load, :func:`compile_pattern` runs each pattern against probes made of
  its own characters repeated and then spoiled (the inputs that set off
  catastrophic backtracking); a pattern that needs longer than
  :data:`PROBE_TIMEOUT_S` on any probe is refused with a clear reason;
- at match time, :meth:`SafePattern.search` gives up after
  :data:`MATCH_TIMEOUT_S`: the rule does not match, a warning names it, and
  the message is classified by the rules that follow.

Searches keep the GIL (``concurrent=False``). By default ``regex`` lets it go
for every search of a ``str``, and a search takes microseconds: with other
threads busy (a web process's request threads under load) each search then
waited for the GIL to come back, up to the interpreter's switch interval
(5 ms), once per regular expression per message (docs/performance.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import regex

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 0.05  # per probe; a sane pattern needs microseconds on 40 characters
MATCH_TIMEOUT_S = 0.1  # per message; a message is rarely longer than a few hundred characters
PROBE_LENGTH = 40
_SPOILERS = ("!", "\x00", "\n")
_GENERIC = ("a", "1", " ", "ab", "a1", "订")


class UnsafePattern(ValueError):
    """A pattern that does not compile or that backtracks catastrophically; the message says which."""


@dataclass(frozen=True)
class SafePattern:
    source: str
    compiled: regex.Pattern[str]

    def search(self, text: str) -> regex.Match[str] | None:
        """The first match in ``text``; None, with a warning, when it takes longer than the limit."""
        try:
            return self.compiled.search(text, timeout=MATCH_TIMEOUT_S, concurrent=False)
        except TimeoutError:
            log.warning("regular expression %r gave up after %.0f ms on a %d-character text; counted as no match",
                        self.source, MATCH_TIMEOUT_S * 1000, len(text))
            return None


def compile_pattern(pattern: str, *, ignore_case: bool = True) -> SafePattern:
    """``pattern`` compiled and probed; :class:`UnsafePattern` if it is broken or catastrophic."""
    try:
        compiled = regex.compile(pattern, regex.IGNORECASE | regex.VERSION0 if ignore_case else regex.VERSION0)
    except regex.error as exc:
        raise UnsafePattern(f"{pattern!r}: {_reason(exc)}") from None
    for probe in probes(pattern):
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT_S, concurrent=False)
        except TimeoutError:
            shown = probe[:12] + "…" if len(probe) > 12 else probe
            raise UnsafePattern(
                f"{pattern!r} backtracks catastrophically: over {PROBE_TIMEOUT_S * 1000:.0f} ms on the "
                f"{len(probe)}-character text {shown!r}; rewrite it without nested or overlapping repeats "
                f"(e.g. (a|aa)+ → a+)") from None
    return SafePattern(pattern, compiled)


def probes(pattern: str) -> list[str]:
    """Texts that set off catastrophic backtracking: each character (and pair) the pattern
    names, and a few common ones, repeated, then spoiled so that the match must fail."""
    chars = [c for c in dict.fromkeys(pattern) if c.isalnum() or ord(c) > 127]
    units = list(dict.fromkeys([*chars, *(a + b for a, b in zip(chars, chars[1:])), *_GENERIC]))
    found = []
    for unit in units[:40]:
        body = unit * (PROBE_LENGTH // len(unit))
        found += [body + spoiler for spoiler in _SPOILERS]
    return found


def _reason(exc: regex.error) -> str:
    """regex's message without its own "at position N" doubled: "… at position 3"."""
    message = str(exc.msg) if hasattr(exc, "msg") else str(exc)
    position = getattr(exc, "pos", None)
    return f"{message} (at position {position})" if position is not None and "position" not in message else message
