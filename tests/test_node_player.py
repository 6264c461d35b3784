"""Playback through the real sounddevice → PortAudio → ALSA path, into the alsa_sink file."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from node.pcm import Pcm
from node.player import AudioError, SoundDevicePlayer, scale
from tests.conftest import AlsaSink
from tests.node_helpers import settled_size

RATE = 22050


@pytest.fixture
def player(alsa_sink: AlsaSink) -> SoundDevicePlayer:
    """A player whose PortAudio has re-read ALSA's configuration since HOME moved to the sink."""
    player = SoundDevicePlayer(volume=100)
    player.rescan()
    return player


def tone(seconds: float = 0.5, amplitude: int = 16000) -> npt.NDArray[np.int16]:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sin(2 * np.pi * 440 * t) * amplitude).astype(np.int16)


def played(sink: AlsaSink, player: SoundDevicePlayer, samples: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
    """What reached the sink for one play: the bytes it grew by, as samples."""
    before = settled_size(sink)
    player.play(Pcm(samples, RATE))
    after = settled_size(sink)
    return np.frombuffer(sink.read()[before:after], dtype="<i2").astype(np.int16)


def test_the_samples_reach_the_sound_device(alsa_sink: AlsaSink, player: SoundDevicePlayer) -> None:
    samples = tone()

    heard = played(alsa_sink, player, samples)

    assert abs(heard.size - samples.size) <= RATE // 20  # ALSA may pad the last period
    assert np.array_equal(heard[: samples.size], samples)


def test_volume_50_halves_the_amplitude(alsa_sink: AlsaSink, player: SoundDevicePlayer) -> None:
    samples = tone()
    loud = played(alsa_sink, player, samples)
    player.volume = 50

    quiet = played(alsa_sink, player, samples)

    assert abs(int(np.abs(quiet.astype(np.int32)).max()) * 2 - int(np.abs(loud.astype(np.int32)).max())) <= 2
    assert np.allclose(quiet[: samples.size].astype(np.int32) * 2, loud[: samples.size], atol=2)


def test_each_play_opens_its_own_stream_so_plays_append(alsa_sink: AlsaSink, player: SoundDevicePlayer) -> None:
    first = played(alsa_sink, player, tone(0.2))
    second = played(alsa_sink, player, tone(0.3))

    assert first.size >= tone(0.2).size and second.size >= tone(0.3).size


def test_an_unknown_device_is_an_audio_error_not_a_crash(alsa_sink: AlsaSink) -> None:
    player = SoundDevicePlayer(device="no-such-speaker")

    with pytest.raises(AudioError, match="no-such-speaker"):
        player.play(Pcm(tone(0.1), RATE))
    # the next attempt re-initialises PortAudio first, and fails the same clear way
    with pytest.raises(AudioError):
        player.play(Pcm(tone(0.1), RATE))


def test_scaling_is_linear_and_stays_in_int16() -> None:
    samples = np.array([32767, -32768, 1000, -3], dtype=np.int16)

    assert scale(samples, 100).tolist() == [32767, -32768, 1000, -3]
    assert scale(samples, 0).tolist() == [0, 0, 0, 0]
    assert scale(samples, 50).tolist() == [16383, -16384, 500, -2]


def test_volume_outside_0_to_100_is_refused() -> None:
    with pytest.raises(ValueError):
        SoundDevicePlayer(volume=101)
