"""Loudness levelling: a chime and real speech end up equally loud, nothing clips, silence stays silent."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from mqtt import BrokerSettings
from node.config import NodeSettings
from node.espeak import EspeakEngine
from node.loudness import CEILING_DBFS, TARGET_LUFS, level, loudness
from node.pcm import Pcm
from node.piper_tts import PiperVoiceEngine
from node.prompts import chime, chime_tones
from node.speech import join, make_speech

RATE = 22050


def sine(freq: float, amplitude: float, seconds: float = 2.0, rate: int = RATE) -> Pcm:
    t = np.arange(int(rate * seconds)) / rate
    return Pcm(np.rint(np.sin(2 * np.pi * freq * t) * amplitude * 32767).astype(np.int16), rate)


def peak_dbfs(samples: npt.NDArray[np.int16]) -> float:
    return float(20 * np.log10(np.abs(samples.astype(np.int32)).max() / 32768))


@pytest.mark.parametrize("rate", [22050, 48000])
def test_a_full_scale_997_hz_sine_measures_minus_3_lufs_as_bs1770_says(rate: int) -> None:
    # BS.1770-4's own calibration: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS.
    assert loudness(sine(997, 1.0, rate=rate)) == pytest.approx(-3.01, abs=0.05)


def test_the_highs_weigh_more_than_the_lows_at_the_same_rms() -> None:
    assert loudness(sine(3000, 0.3)) > loudness(sine(1000, 0.3)) > loudness(sine(100, 0.3))  # type: ignore[operator]


def test_the_identify_chime_and_real_speech_end_up_within_one_lu_of_each_other() -> None:
    # straight from the engines, before the node's Speech levels them
    zh = join(list(EspeakEngine().synthesize("客户张三提交了订单。", "zh")))
    en = join(list(PiperVoiceEngine.bundled().synthesize("Order 10023 was placed.", "en")))
    raw = {"chime": chime_tones(), "zh speech": zh, "en speech": en}

    before = {name: loudness(pcm) for name, pcm in raw.items()}
    after = {name: loudness(level(pcm)) for name, pcm in raw.items()}
    print("LUFS before:", before, "after:", after)

    assert all(value is not None for value in before.values())
    assert before["chime"] - before["zh speech"] > 5  # type: ignore[operator]  # unlevelled, the chime startles
    values = [value for value in after.values() if value is not None]
    assert len(values) == 3 and max(values) - min(values) < 1.0
    assert all(abs(value - TARGET_LUFS) < 1.0 for value in values)


def test_levelling_never_pushes_a_sample_past_the_ceiling() -> None:
    # A quiet click train: loudness far under the target, peaks already near full scale.
    samples = np.zeros(RATE, dtype=np.int16)
    samples[:: RATE // 10] = 30000
    quiet_spiky = Pcm(samples, RATE)

    levelled = level(quiet_spiky)

    assert peak_dbfs(levelled.samples) <= CEILING_DBFS + 0.01
    assert np.abs(levelled.samples.astype(np.int32)).max() < 32767


def test_a_quiet_sound_is_raised_and_a_loud_one_lowered_to_the_target() -> None:
    quiet, loud = sine(880, 0.01), sine(880, 0.9)

    assert loudness(quiet) < TARGET_LUFS - 10 and loudness(loud) > TARGET_LUFS + 10  # type: ignore[operator]
    assert loudness(level(quiet)) == pytest.approx(TARGET_LUFS, abs=0.1)
    assert loudness(level(loud)) == pytest.approx(TARGET_LUFS, abs=0.1)


def test_levelling_twice_changes_nothing() -> None:
    once = level(sine(660, 0.5))

    assert np.array_equal(level(once).samples, once.samples)


def test_silence_and_near_silence_are_left_alone() -> None:
    silence = Pcm(np.zeros(RATE, dtype=np.int16), RATE)
    hiss = Pcm(np.ones(RATE, dtype=np.int16), RATE)  # -90 dBFS: under the -70 LUFS gate

    assert loudness(silence) is None and level(silence) is silence
    assert level(hiss) is hiss


def test_a_sound_shorter_than_one_block_is_measured_whole() -> None:
    blip = sine(1000, 0.5, seconds=0.1)

    assert loudness(blip) == pytest.approx(loudness(sine(1000, 0.5)), abs=0.2)


def test_what_the_node_plays_is_levelled_at_its_source_speech_prompt_sounds_and_its_chime() -> None:
    speech = make_speech(NodeSettings(id="spk-loud", broker=BrokerSettings.from_url("mqtt://127.0.0.1"), cache_mb=0))
    sentences = (("zh", "客户张三提交了订单。"), ("en", "Order 10023 was placed."))
    said = [pcm for lang, text in sentences for pcm in speech.synthesize(text, lang)]

    for pcm in [*said, chime()]:
        heard = loudness(pcm)
        assert heard is not None and abs(heard - TARGET_LUFS) < 1.0
