"""Turning a sound into what speakers play: checks for uploads, one conversion, WAV bytes.

Every prompt sound ends up mono 16-bit PCM WAV at :data:`PLAYBACK_RATE` (the
rate the node's voices speak at, so the speaker's device never switches rate
between chime and speech), levelled to the speech loudness
(:mod:`node.loudness`). An upload is converted once, when it is saved.

An upload is refused with :class:`SoundRejected`, whose message names the
problem in a sentence an admin can act on.
"""

from __future__ import annotations

import io
import wave

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

from node.loudness import level
from node.pcm import Pcm

PLAYBACK_RATE = 22050
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SECONDS = 10.0
FORMATS = {"WAV": "WAV", "WAVEX": "WAV", "FLAC": "FLAC", "OGG": "OGG"}
# What each accepted format starts with: tells "not audio at all" from "a damaged audio file".
_MAGIC = ((b"RIFF", "WAV"), (b"RIFX", "WAV"), (b"RF64", "WAV"), (b"fLaC", "FLAC"), (b"OggS", "OGG"))


class SoundRejected(ValueError):
    """An upload that cannot become a prompt sound; the message says why."""


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{n / 1024:.0f} KB"


def too_big(size: int) -> SoundRejected:
    return SoundRejected(f"the file is too big: {_size(size)}, at most {_size(MAX_UPLOAD_BYTES)}")


def check_and_convert(data: bytes) -> Pcm:
    """A WAV, FLAC or OGG (Vorbis/Opus) upload → mono int16 :class:`Pcm` at :data:`PLAYBACK_RATE`, levelled.

    Refused: more than :data:`MAX_UPLOAD_BYTES`, not one of those formats,
    a damaged file, no audio, silence, longer than :data:`MAX_SECONDS`.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_big(len(data))
    if not data:
        raise SoundRejected("the file is empty")
    kind = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
    if kind is None:
        other = _other_audio(data)
        if other:
            raise SoundRejected(f"the file is {other}: only WAV, FLAC and OGG files are taken (convert it first)")
        raise SoundRejected("the file is not audio: only WAV, FLAC and OGG files are taken")
    try:
        info = soundfile.info(io.BytesIO(data))
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise SoundRejected(f"the {kind} file is damaged and cannot be decoded ({_reason(exc)})") from None
    if FORMATS.get(info.format) is None:
        raise SoundRejected(f"the file is {info.format}, not WAV, FLAC or OGG")
    if info.frames <= 0 or info.samplerate <= 0:
        raise SoundRejected(f"the {kind} file holds no audio")
    seconds = info.frames / info.samplerate
    if seconds > MAX_SECONDS:
        raise SoundRejected(f"the sound is too long: {seconds:.1f} s, at most {MAX_SECONDS:.0f} s")
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise SoundRejected(f"the {kind} file is damaged and cannot be decoded ({_reason(exc)})") from None
    if samples.shape[0] == 0:
        raise SoundRejected(f"the {kind} file holds no audio")
    return prepare(samples.mean(axis=1), int(rate))


def prepare(samples: npt.NDArray[np.floating], rate: int) -> Pcm:
    """Mono float samples (full scale 1.0) at ``rate`` → levelled int16 :class:`Pcm` at the playback rate.

    Raises :class:`SoundRejected` when there is nothing to hear.
    """
    mono = np.asarray(samples, dtype=np.float32)
    if rate != PLAYBACK_RATE:
        mono = np.asarray(soxr.resample(mono, rate, PLAYBACK_RATE, quality="HQ"), dtype=np.float32)
    pcm = Pcm(np.clip(np.rint(mono * 32767), -32768, 32767).astype(np.int16), PLAYBACK_RATE)
    if not np.any(np.abs(pcm.samples.astype(np.int32)) > 32):  # under -60 dBFS throughout
        raise SoundRejected("the sound is silent")
    return level(pcm)


def wav_bytes(pcm: Pcm) -> bytes:
    """``pcm`` as a mono PCM16 WAV file: what node.sounds takes."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(pcm.rate)
        wav.writeframes(pcm.samples.astype("<i2").tobytes())
    return out.getvalue()


def _other_audio(data: bytes) -> str | None:
    """The name of an audio format we do not take, when ``data`` looks like one."""
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "MP3"
    if data[4:8] == b"ftyp":
        return "MP4/AAC"
    if data.startswith(b"FORM") and data[8:12] in (b"AIFF", b"AIFC"):
        return "AIFF"
    return None


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return text.split(": ", 1)[-1].rstrip(". ")[:200]
