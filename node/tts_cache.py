"""Synthesised audio kept on disk, so a phrase heard before starts at once.

Keyed by the sha256 of text + language + voice + synthesis settings (a key of
text alone would replay stale audio after a voice or setting change). Each
entry is a mono 16-bit WAV file named by its key. The total size is bounded:
past ``max_bytes`` the least recently used entries go; a hit touches the
file's mtime, which is what "recently used" reads (atime is often off on SD
cards mounted noatime).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import wave
from pathlib import Path

import numpy as np

from .pcm import Pcm

log = logging.getLogger(__name__)

SUFFIX = ".wav"


def cache_key(text: str, lang: str, voice_id: str) -> str:
    """``voice_id`` names the voice and every setting that changes its sound."""
    return hashlib.sha256(json.dumps([text, lang, voice_id], ensure_ascii=False).encode()).hexdigest()


class PcmCache:
    """A directory of cached audio, at most ``max_bytes`` in all. Use from one thread."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        directory.mkdir(parents=True, exist_ok=True)
        for partial in directory.glob("*.tmp"):  # a write cut short by a power cut
            partial.unlink(missing_ok=True)
        self.size = sum(path.stat().st_size for path in self._entries())

    def _entries(self) -> list[Path]:
        return list(self.directory.glob("*" + SUFFIX))

    def _path(self, key: str) -> Path:
        return self.directory / (key + SUFFIX)

    def get(self, key: str) -> Pcm | None:
        path = self._path(key)
        try:
            with wave.open(str(path), "rb") as wav:
                expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
                rate, frames = wav.getframerate(), wav.readframes(wav.getnframes())
            if len(frames) != expected:  # its header promised more than the disk kept
                raise wave.Error(f"{len(frames)} of {expected} bytes of audio")
            os.utime(path)  # most recently used now
        except FileNotFoundError:
            return None
        except (OSError, wave.Error, EOFError) as exc:
            log.warning("dropping unreadable cache entry %s: %s", path.name, exc)
            self._remove(path)
            return None
        return Pcm(np.frombuffer(frames, dtype="<i2").astype(np.int16), rate)

    def put(self, key: str, pcm: Pcm) -> None:
        """Store ``pcm``, then trim.

        Written to a temporary name, synced, then renamed: after a power cut the
        entry is whole or absent (a rename alone may leave a short file on ext4).
        """
        path = self._path(key)
        partial = path.with_suffix(".tmp")
        try:
            with open(partial, "wb") as file:
                with wave.open(file, "wb") as wav:
                    wav.setnchannels(1)
                    wav.setsampwidth(2)
                    wav.setframerate(pcm.rate)
                    wav.writeframes(pcm.samples.astype("<i2").tobytes())
                file.flush()
                os.fsync(file.fileno())
            old = path.stat().st_size if path.exists() else 0
            partial.replace(path)
        except OSError as exc:  # a full or read-only disk costs speed, not speech
            log.warning("cannot cache audio: %s", exc)
            partial.unlink(missing_ok=True)
            return
        self.size += path.stat().st_size - old
        self.trim()

    def trim(self) -> None:
        """Remove least recently used entries until the total fits ``max_bytes``."""
        if self.size <= self.max_bytes:
            return
        entries = []
        for path in self._entries():
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime_ns, stat.st_size, path))
        entries.sort()
        self.size = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if self.size <= self.max_bytes:
                break
            self._remove(path)

    def _remove(self, path: Path) -> None:
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return
        self.size = max(0, self.size - size)
