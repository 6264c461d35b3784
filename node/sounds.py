"""Prompt sounds: fetched from the hub's URL, checked against their sha256, cached by it.

Only WAV files of 16-bit PCM (mono, or stereo mixed down to mono) are taken;
anything else, a file over MAX_BYTES, or one whose sha256 is not the
announcement's is refused with :class:`SoundError`. The announcement is then
spoken without its prompt sound: a bad sound never costs the message.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import requests

from .loudness import level
from .pcm import Pcm

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 5.0
RETRY_AFTER_S = 60.0  # after a fetch fails, the URL is not asked again for this long


class SoundError(RuntimeError):
    """A prompt sound that cannot be used: unreachable, too big, a hash mismatch, not PCM16 WAV."""


def decode_wav(data: bytes) -> Pcm:
    """PCM16 WAV bytes → mono :class:`Pcm` at the file's own rate."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise SoundError(f"not a PCM WAV file: {exc}") from None
    if width != 2 or channels not in (1, 2):
        raise SoundError(f"WAV must be 16-bit mono or stereo, not {8 * width}-bit {channels} channel(s)")
    samples = np.frombuffer(frames[: len(frames) - len(frames) % (2 * channels)], dtype="<i2")
    if channels == 2:
        samples = samples.reshape(-1, 2).astype(np.int32).mean(axis=1)
    if samples.size == 0:
        raise SoundError("WAV holds no audio")
    return Pcm(samples.astype(np.int16), rate)


class SoundCache:
    """``{directory}/{sha256}.wav``: a file is stored only after its hash checked out."""

    def __init__(
        self,
        directory: Path,
        *,
        timeout: float = TIMEOUT_S,
        max_bytes: int = MAX_BYTES,
        retry_after: float = RETRY_AFTER_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retry_after = retry_after
        self.monotonic = monotonic
        self._session = requests.Session()
        # URL -> (when it may be tried again, why it failed). A hub that cannot be reached
        # (a wrong SHOPCRIER_PUBLIC_URL, a firewall dropping packets) would otherwise hold
        # every announcement back by the fetch timeout before its speech.
        self._failed: dict[str, tuple[float, str]] = {}

    def get(self, url: str, sha256: str) -> Pcm:
        """The sound, from the cache or fetched, levelled like speech; raises :class:`SoundError`.

        A ShopCrier hub levels sounds on upload, so this changes nothing for
        them; a sound from elsewhere is brought to the same loudness too.
        """
        path = self.directory / f"{sha256}.wav"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != sha256:  # absent, or damaged on the card
            data = self._fetch(url, sha256)
            self._store(path, data)
        return level(decode_wav(data))

    def _fetch(self, url: str, sha256: str) -> bytes:
        failed = self._failed.get(url)
        if failed is not None and self.monotonic() < failed[0]:
            raise SoundError(f"{failed[1]} (not asked again for {failed[0] - self.monotonic():.0f} s)")
        try:
            body = self._download(url)
        except SoundError as exc:
            self._failed[url] = (self.monotonic() + self.retry_after, str(exc))
            raise
        self._failed.pop(url, None)
        actual = hashlib.sha256(body).hexdigest()
        if actual != sha256:
            raise SoundError(f"{url} has sha256 {actual}, not the announced {sha256}")
        decode_wav(bytes(body))  # refuse a file we could not play before it is cached
        return bytes(body)

    def _download(self, url: str) -> bytes:
        try:
            with self._session.get(url, timeout=self.timeout, stream=True) as response:
                response.raise_for_status()
                body = bytearray()
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise SoundError(f"{url} is larger than {self.max_bytes} bytes")
        except requests.RequestException as exc:
            raise SoundError(f"cannot fetch {url}: {exc}") from None
        return bytes(body)

    def _store(self, path: Path, data: bytes) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp")
            partial.write_bytes(data)
            partial.replace(path)
        except OSError as exc:  # it still plays this time; it is fetched again next time
            log.warning("cannot cache prompt sound %s: %s", path.name, exc)
