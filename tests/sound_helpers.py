"""Audio files for the prompt-sound tests, written by libsndfile (soundfile) in each accepted format."""

from __future__ import annotations

import io

import numpy as np
import soundfile


def encoded(fmt: str = "WAV", *, seconds: float = 0.5, rate: int = 44100, channels: int = 2,
            freq: float = 660.0, amplitude: float = 0.6) -> bytes:
    """A sine tone as a ``fmt`` file (``WAV``, ``FLAC``, ``OGG``) of ``channels`` at ``rate``."""
    t = np.arange(int(rate * seconds)) / rate
    tone = np.sin(2 * np.pi * freq * t) * amplitude
    out = io.BytesIO()
    soundfile.write(out, np.stack([tone] * channels, axis=1), rate, format=fmt)
    return out.getvalue()
