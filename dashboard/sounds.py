"""The feed's alert sounds: one short WAV per category and priority, made here, served by the hub.

Priority sets the pattern (normal: one tone; high: two; urgent: four, faster);
the category sets the pitch, so a person learns the sounds of their work.
No files to ship, nothing fetched: the bytes are computed and cached.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import struct
import wave

RATE = 16000
PATTERNS = {"normal": (1, 0.35), "high": (2, 0.22), "urgent": (4, 0.12)}
PITCHES = (523.25, 587.33, 659.25, 698.46, 783.99, 880.0, 987.77)  # C5 .. B5


def sound_name(category: str, priority: str) -> str:
    return f"{category}-{priority}"


def pitch_of(category: str) -> float:
    return PITCHES[hashlib.sha256(category.encode()).digest()[0] % len(PITCHES)]


@functools.lru_cache(maxsize=256)
def chime(category: str, priority: str) -> bytes:
    """A mono 16-bit WAV: ``PATTERNS[priority]`` beeps at the category's pitch, with soft edges."""
    beeps, length = PATTERNS.get(priority, PATTERNS["normal"])
    frequency = pitch_of(category)
    frames = bytearray()
    n = int(RATE * length)
    fade = int(RATE * 0.02)
    for beep in range(beeps):
        f = frequency * (1.25 if beep % 2 else 1.0)
        for i in range(n):
            edge = min(1.0, i / fade, (n - i) / fade)
            frames += struct.pack("<h", int(12000 * edge * math.sin(2 * math.pi * f * i / RATE)))
        frames += b"\x00\x00" * int(RATE * 0.06)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return out.getvalue()
