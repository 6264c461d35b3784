"""One loudness for everything a speaker plays: speech, prompt sounds, its own chimes.

The measure follows ITU-R BS.1770 (the LUFS of EBU R128 and of streaming
services) closely enough to compare a chime with a voice: the signal is
K-weighted (a high shelf of about +4 dB above 2 kHz, where the ear is most
sensitive, and a high-pass below 60 Hz), cut into 400 ms blocks every
100 ms, blocks quieter than -70 LUFS are ignored, then blocks more than
10 LU below the mean of the rest, and the mean square of what is left is
the loudness. Weighting the highs matters here: a 1 kHz-3 kHz chime at the
same plain RMS as a voice sounds louder than it.

The weighting is applied in the frequency domain with the magnitude response
of BS.1770's two filters (their published 48 kHz coefficients, read at each
FFT bin's frequency): the energy in a block depends only on the magnitude,
and numpy has no IIR filter without a Python loop per sample.

This module needs only numpy, so the hub (levelling uploads) and the node
(levelling each synthesised sentence) share it.
"""

from __future__ import annotations

import functools
import logging

import numpy as np
import numpy.typing as npt

from .pcm import Pcm

log = logging.getLogger(__name__)

TARGET_LUFS = -21.0
"""Where everything is levelled to: about what the bundled voices produce, so speech barely moves."""
CEILING_DBFS = -1.0
"""No sample is pushed above this; a sound that would need more gain stays quieter instead."""
LEVELLED = f"level{TARGET_LUFS:g}"
"""Names the levelling in cache keys: audio levelled to another target is another entry."""
MAX_GAIN_DB = 24.0
"""A near-silent sound is not blown up into audible noise."""

_BLOCK_S, _HOP_S = 0.4, 0.1
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_REFERENCE_RATE = 48000.0
# BS.1770-4, table 1 and 2: the shelf ("pre-filter") and the RLB high-pass, at 48 kHz.
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285), (1.0, -1.69065929318241, 0.73248077421585))
_HIGHPASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))


def _power_response(b: tuple[float, ...], a: tuple[float, ...], freqs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    z = np.exp(-1j * 2 * np.pi * freqs / _REFERENCE_RATE)
    num = b[0] + b[1] * z + b[2] * z * z
    den = a[0] + a[1] * z + a[2] * z * z
    return np.asarray(np.abs(num / den) ** 2, dtype=np.float64)


def k_weighted(samples: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    """``samples`` (floats, full scale 1.0) through the K-weighting's magnitude response."""
    n = samples.size
    size = 1 << max(n - 1, 1).bit_length()  # zero-padded to a power of two: an FFT of a prime length is slow
    return np.asarray(np.fft.irfft(np.fft.rfft(samples, size) * _gain(size, rate), size)[:n], dtype=np.float64)


@functools.lru_cache(maxsize=16)
def _gain(size: int, rate: int) -> npt.NDArray[np.float64]:
    """The K-weighting's magnitude at each bin of a ``size``-point FFT at ``rate``: computed once per pair
    (sizes are powers of two and a node has one or two rates, so this is nearly always a hit)."""
    freqs = np.asarray(np.fft.rfftfreq(size, 1.0 / rate), dtype=np.float64)
    power = _power_response(_SHELF[0], _SHELF[1], freqs) * _power_response(_HIGHPASS[0], _HIGHPASS[1], freqs)
    gain = np.sqrt(power)
    gain.flags.writeable = False
    return gain


def loudness(pcm: Pcm) -> float | None:
    """The gated loudness of ``pcm`` in LUFS; None when it is silent (every block under -70 LUFS)."""
    if pcm.samples.size == 0:
        return None
    weighted = k_weighted(pcm.samples.astype(np.float64) / 32768.0, pcm.rate)
    block, hop = int(_BLOCK_S * pcm.rate), int(_HOP_S * pcm.rate)
    squares = weighted * weighted
    if weighted.size <= block:  # shorter than one block: the whole sound is the block
        powers = np.array([squares.mean()])
    else:
        sums = np.concatenate(([0.0], np.cumsum(squares)))
        starts = np.arange(0, weighted.size - block + 1, hop)
        powers = (sums[starts + block] - sums[starts]) / block
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(powers)
    kept = powers[levels > _ABSOLUTE_GATE]
    if kept.size == 0:
        return None
    relative = -0.691 + 10 * np.log10(kept.mean()) + _RELATIVE_GATE
    kept = powers[(levels > _ABSOLUTE_GATE) & (levels > relative)]
    return float(-0.691 + 10 * np.log10(kept.mean()))


def level(pcm: Pcm, target: float = TARGET_LUFS) -> Pcm:
    """``pcm`` with one gain applied so its loudness is ``target`` LUFS.

    The gain is lowered where the loudest sample would pass
    :data:`CEILING_DBFS` (no clipping, ever) and capped at
    :data:`MAX_GAIN_DB`; a silent sound comes back unchanged. Levelling an
    already levelled sound changes nothing (to within a rounding step).
    """
    measured = loudness(pcm)
    if measured is None:
        return pcm
    gain_db = min(target - measured, MAX_GAIN_DB)
    peak = int(np.abs(pcm.samples.astype(np.int32)).max())
    if peak:
        headroom_db = CEILING_DBFS - 20 * np.log10(peak / 32768.0)
        gain_db = min(gain_db, float(headroom_db))
    if abs(gain_db) < 0.05:
        return pcm
    scaled = np.rint(pcm.samples.astype(np.float64) * 10 ** (gain_db / 20))
    log.debug("levelled %.2f s from %.1f LUFS by %+.1f dB", pcm.seconds, measured, gain_db)
    return Pcm(np.clip(scaled, -32768, 32767).astype(np.int16), pcm.rate)
