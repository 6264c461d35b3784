"""Playback: :class:`Pcm` to the sound device, with the node's volume applied in software.

:func:`make_player` is the factory the agent uses; tests may pass another
:class:`Player` to the agent instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

import numpy as np
import numpy.typing as npt
import sounddevice as sd

from .config import NodeSettings
from .pcm import Pcm

log = logging.getLogger(__name__)


class AudioError(RuntimeError):
    """The sound device failed (unplugged, busy, unknown). The agent reports it; it is not fatal."""


class Player(Protocol):
    volume: int
    """0..100, applied in software to everything played."""

    def play(self, pcm: Pcm) -> None:
        """Play ``pcm`` to the end, blocking; raises :class:`AudioError`."""
        ...


def scale(samples: npt.NDArray[np.int16], volume: int) -> npt.NDArray[np.int16]:
    """``samples`` at ``volume`` percent of their amplitude (linear, clipped to int16)."""
    if volume == 100:
        return samples
    scaled = samples.astype(np.int32) * volume // 100
    return np.clip(scaled, -32768, 32767).astype(np.int16)


class SoundDevicePlayer:
    """Plays through PortAudio (sounddevice), opening a fresh output stream for every :meth:`play`.

    A fresh stream each time means a device that vanished is tried again on the
    next call; after a failure PortAudio is also re-initialised (see
    :meth:`rescan`) so a device plugged back in is found. ``device``: a
    sounddevice name or index, None for the default. ``volume``: 0..100.
    """

    def __init__(self, device: str | int | None = None, volume: int = 80) -> None:
        self.device = device
        self.volume = volume
        self._rescan_before_next = False

    @property
    def volume(self) -> int:
        return self._volume

    @volume.setter
    def volume(self, value: int) -> None:
        if not 0 <= value <= 100:
            raise ValueError(f"volume must be 0..100, not {value}")
        self._volume = value

    def play(self, pcm: Pcm) -> None:
        samples = scale(pcm.samples, self.volume).reshape(-1, 1)
        if self._rescan_before_next:
            self.rescan()
        try:
            with sd.OutputStream(samplerate=pcm.rate, channels=1, dtype="int16", device=self.device) as stream:
                stream.write(samples)
        except (sd.PortAudioError, ValueError) as exc:  # ValueError: no device matches ``device``
            self._rescan_before_next = True
            raise AudioError(f"audio device {self.device_name}: {exc}") from exc

    @contextmanager
    def stream(self, rate: int) -> Iterator[Callable[[npt.NDArray[np.int16]], None]]:
        """One output stream at ``rate`` kept open for several writes in a row, so nothing falls between them.

        Yields a function that writes samples (at the current volume, blocking
        while the device's buffer is full); the stream is drained and closed on
        leaving. Device failures raise :class:`AudioError`, as :meth:`play` does.
        """
        if self._rescan_before_next:
            self.rescan()
        try:
            out = sd.OutputStream(samplerate=rate, channels=1, dtype="int16", device=self.device)
        except (sd.PortAudioError, ValueError) as exc:  # ValueError: no device matches ``device``
            self._rescan_before_next = True
            raise AudioError(f"audio device {self.device_name}: {exc}") from exc
        try:
            out.start()
        except sd.PortAudioError as exc:
            out.close(ignore_errors=True)
            self._rescan_before_next = True
            raise AudioError(f"audio device {self.device_name}: {exc}") from exc

        def write(samples: npt.NDArray[np.int16]) -> None:
            try:
                out.write(scale(samples, self.volume).reshape(-1, 1))
            except sd.PortAudioError as exc:
                self._rescan_before_next = True
                raise AudioError(f"audio device {self.device_name}: {exc}") from exc

        try:
            yield write
        finally:
            try:
                out.stop()
                out.close()
            except sd.PortAudioError as exc:
                log.warning("closing the output stream on %s failed: %s", self.device_name, exc)
                self._rescan_before_next = True

    def rescan(self) -> None:
        """Re-initialise PortAudio so it sees the devices (and ALSA configuration) as they are now.

        PortAudio lists devices once, when it starts. sounddevice has no public
        call to restart it; its private ``_terminate``/``_initialize`` pair is
        the known way, kept to this one method.
        """
        self._rescan_before_next = False
        try:
            sd._terminate()
            sd._initialize()
        except sd.PortAudioError as exc:
            self._rescan_before_next = True
            raise AudioError(f"cannot re-initialise PortAudio: {exc}") from exc

    @property
    def device_name(self) -> str:
        return "default" if self.device is None else repr(self.device)


def make_player(settings: NodeSettings) -> SoundDevicePlayer:
    return SoundDevicePlayer(settings.audio_device, settings.volume)
