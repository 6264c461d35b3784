"""The prompt sounds a fresh install ships, synthesised here: no third-party audio files.

Each is a short sum of sine partials under an envelope with soft edges (a
few milliseconds of fade, so nothing clicks), at the playback rate, then
levelled like every prompt sound. The same code always yields the same
samples, so their sha256 is stable across installs.

- ``order-chime``: a two-note "ding-dong" upwards (C6 then E6, bell-like
  partials decaying), the cash-register cue of payment speakers;
- ``chime``: one soft bell note (G5), for everyday categories;
- ``alert``: three short beeps at A5, for things to look at;
- ``alarm``: a two-tone warble (960/770 Hz, eight steps), for urgent faults.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .audio import PLAYBACK_RATE

Samples = npt.NDArray[np.float64]
RATE = PLAYBACK_RATE
_EDGE_S = 0.005


def _t(seconds: float) -> Samples:
    return np.arange(int(RATE * seconds), dtype=np.float64) / RATE


def _edges(x: Samples, attack: float = _EDGE_S, release: float = _EDGE_S) -> Samples:
    """Linear fade in and out so the sound starts and stops without a click."""
    n = x.size
    ramp = np.ones(n)
    a, r = max(1, int(RATE * attack)), max(1, int(RATE * release))
    ramp[:a] = np.linspace(0.0, 1.0, a)
    ramp[n - r:] = np.minimum(ramp[n - r:], np.linspace(1.0, 0.0, r))
    return x * ramp


def bell(freq: float, seconds: float, decay: float) -> Samples:
    """A struck-bell note: partials 1, 2, 3 (quieter, dying faster), exponential decay."""
    t = _t(seconds)
    partials = (1.0, 1.0), (2.0, 0.35), (3.0, 0.12)
    tone = sum(amp * np.exp(-t * k / decay) * np.sin(2 * np.pi * freq * k * t) for k, amp in partials)
    return _edges(np.asarray(tone, dtype=np.float64), release=0.03)


def beep(freq: float, seconds: float) -> Samples:
    t = _t(seconds)
    return _edges(np.sin(2 * np.pi * freq * t) + 0.2 * np.sin(2 * np.pi * 2 * freq * t), 0.008, 0.015)


def silence(seconds: float) -> Samples:
    return np.zeros(int(RATE * seconds))


def _overlap(first: Samples, second: Samples, offset_s: float) -> Samples:
    """``second`` starting ``offset_s`` into ``first``, mixed."""
    start = int(RATE * offset_s)
    out = np.zeros(max(first.size, start + second.size))
    out[: first.size] += first
    out[start : start + second.size] += second
    return out


def order_chime() -> Samples:
    return _overlap(bell(1046.5, 0.5, 0.18), bell(1318.5, 0.7, 0.25), 0.22)


def chime() -> Samples:
    return bell(784.0, 0.6, 0.2)


def alert() -> Samples:
    gap = silence(0.08)
    return np.concatenate([beep(880.0, 0.12), gap, beep(880.0, 0.12), gap, beep(880.0, 0.12)])


def alarm() -> Samples:
    steps = [beep(960.0 if i % 2 == 0 else 770.0, 0.15) for i in range(8)]
    return np.concatenate(steps)


BUILTIN: dict[str, Callable[[], Samples]] = {
    "order-chime": order_chime,
    "chime": chime,
    "alert": alert,
    "alarm": alarm,
}
"""The sounds a fresh install has, by name (the names ``hub/defaults.toml``'s categories use)."""


def normalised(samples: Samples) -> Samples:
    """Peak at 0.5 of full scale before levelling (levelling sets the loudness)."""
    return samples * (0.5 / float(np.abs(samples).max()))
