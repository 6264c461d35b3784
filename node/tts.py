"""The TTS interface every engine implements, and what they share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from .pcm import Pcm

# After a CJK full stop, question or exclamation mark, or a semicolon; after
# Latin ones only when a space follows (so "10.5" and "3:30" stay whole); at
# line breaks.
_SENTENCE_BREAK = re.compile(r"(?<=[。！？；!?…])\s*|(?<=[.;])\s+|\s*\n\s*")


class SpeechError(RuntimeError):
    """Text could not be turned into audio (a missing engine, a failing voice)."""


class TtsEngine(Protocol):
    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        """Audio for ``text`` in language ``lang``, one chunk per sentence, lazily.

        The first chunk comes as soon as the first sentence is ready, so
        playback can start before the rest is synthesised. Raises
        :class:`SpeechError`.
        """
        ...


def split_sentences(text: str) -> list[str]:
    """``text`` cut into sentences, punctuation kept; pieces with nothing to say are left out."""
    pieces = (piece.strip() for piece in _SENTENCE_BREAK.split(text))
    return [piece for piece in pieces if any(ch.isalnum() for ch in piece)]


def primary_language(lang: str) -> str:
    """``"zh-CN"`` → ``"zh"``."""
    return lang.split("-")[0].split("_")[0].lower()
