"""What the node says on its own behalf (not announcements), per language, and the identify chime."""

from __future__ import annotations

import numpy as np

from .loudness import level
from .pcm import Pcm
from .tts import primary_language

PROMPTS: dict[str, dict[str, str]] = {
    "zh": {"link_lost": "网络连接中断", "link_restored": "网络已恢复", "identify": "我是 {node_id}"},
    "en": {"link_lost": "Network connection lost.", "link_restored": "Connection restored.",
           "identify": "I am {node_id}."},
}
CHIME_RATE = 22050


def prompt(name: str, lang: str, **values: str) -> tuple[str, str]:
    """The text of prompt ``name`` and the language it is in (English where ``lang`` has none)."""
    code = primary_language(lang)
    if code not in PROMPTS:
        code = "en"
    return PROMPTS[code][name].format(**values), code


def chime(rate: int = CHIME_RATE) -> Pcm:
    """The identify sound, levelled like speech."""
    return level(chime_tones(rate))


def chime_tones(rate: int = CHIME_RATE) -> Pcm:
    """Two short rising tones with soft edges, as made (unlevelled): the identify sound needs no file."""
    parts = []
    for freq in (880.0, 1320.0):
        t = np.arange(int(rate * 0.18)) / rate
        envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms fade in and out: no click
        parts.append(np.sin(2 * np.pi * freq * t) * envelope * 12000)
    return Pcm(np.concatenate(parts).astype(np.int16), rate)
