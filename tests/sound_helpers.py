"""Audio for the prompt-sound tests: files in each accepted format (written by libsndfile), and finding
what a speaker played in the ALSA sink."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
import soundfile

from node.speech import Speech


def encoded(fmt: str = "WAV", *, seconds: float = 0.5, rate: int = 44100, channels: int = 2,
            freq: float = 660.0, amplitude: float = 0.6) -> bytes:
    """A sine tone as a ``fmt`` file (``WAV``, ``FLAC``, ``OGG``) of ``channels`` at ``rate``."""
    t = np.arange(int(rate * seconds)) / rate
    tone = np.sin(2 * np.pi * freq * t) * amplitude
    out = io.BytesIO()
    soundfile.write(out, np.stack([tone] * channels, axis=1), rate, format=fmt)
    return out.getvalue()


def first_sound(samples: npt.NDArray[np.int16], start: int = 0) -> int:
    """Index of the first non-zero sample at or after ``start`` (ALSA pads a stream's end with zeros)."""
    nonzero = np.flatnonzero(samples[start:])
    assert nonzero.size, f"nothing audible after sample {start}"
    return start + int(nonzero[0])


def spoken(speech: Speech, text: str, lang: str) -> npt.NDArray[np.int16]:
    """The samples the node's player writes for ``text``, one sentence (each sentence is its own stream,
    which ALSA may pad): what the node's Speech yields, levelled at synthesis."""
    (pcm,) = list(speech.synthesize(text, lang))
    return pcm.samples


def heard_matches(heard: npt.NDArray[np.int16], start: int, expected: npt.NDArray[np.int16]) -> bool:
    """``expected`` (from its first audible sample) is in ``heard`` from ``start``'s first audible sample."""
    at, lead = first_sound(heard, start), first_sound(expected)
    tail = expected[lead:]
    return bool(np.array_equal(heard[at : at + tail.size], tail))
