"""Normalised words reach the real voices: the Speech seam, the TTS cache key, and espeak-ng's phonemes."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from node.espeak import EspeakEngine
from node.loudness import LEVELLED, level
from node.normalise import normalise
from node.pcm import Pcm
from node.speech import Speech, voice_id
from node.tts_cache import PcmCache, cache_key
from tests.test_node_normalise import CASES, sample_sentences

# The espeak-ng voice that gives Mandarin phonemes for Hanzi on Debian 12's
# espeak-ng 1.51 (plain `cmn` switches to English for many characters).
MANDARIN = "cmn-latn-pinyin"
YAO = "j'Au55"  # 幺, as espeak-ng writes its phonemes
# Hanzi, CJK and ASCII punctuation, spaces: nothing from another script.
CHINESE_ONLY = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff1f\s,.:!?~-]+")


def phonemes(text: str, voice: str) -> str:
    done = subprocess.run(["espeak-ng", "-v", voice, "-q", "-x"], input=text.encode(), capture_output=True,
                          check=True, timeout=60)
    return done.stdout.decode()


def syllables(phonemes: str) -> list[str]:
    """espeak-ng's phoneme output cut into syllables (it ends each with ``_|``)."""
    return [piece for piece in re.split(r"[\s_|!]+", phonemes) if piece]


def audio(chunks: Iterable[Pcm]) -> np.ndarray:
    return np.concatenate([pcm.samples for pcm in chunks])


def test_every_chinese_sample_is_mandarin_phonemes_once_normalised() -> None:
    chinese = [text for text, lang in sample_sentences() if lang == "zh"]
    assert len(chinese) >= 20
    for text in chinese:
        said = phonemes(normalise(text, "zh"), MANDARIN)
        assert "(en)" not in said, (text, said)
        assert all(any(ch.isdigit() for ch in syllable) for syllable in said.replace("_|", " ").split()), said


def test_every_chinese_line_of_the_table_is_mandarin_phonemes() -> None:
    """Lines with other scripts are left out: the voice may rightly say iPad or COVID in English."""
    lines = [words for _, lang, words in CASES if lang == "zh" and CHINESE_ONLY.fullmatch(words)]
    assert len(lines) >= 100

    said = phonemes("\n".join(lines), MANDARIN)

    assert "(en)" not in said
    assert syllables(said).count(YAO) == sum(line.count("幺") for line in lines)


def test_an_order_number_is_said_digit_by_digit_with_yao_not_as_a_quantity() -> None:
    raw = phonemes("订单100015", MANDARIN)
    said = phonemes(normalise("订单100015", "zh"), MANDARIN)

    assert YAO not in syllables(raw)  # espeak-ng alone reads a quantity (一百千十五)
    assert said == phonemes("订单幺零零零幺五", MANDARIN)
    assert syllables(said).count(YAO) == 2


def test_an_english_amount_is_said_in_dollars_and_cents() -> None:
    said = phonemes(normalise("New order #20050, total $89.90", "en"), "en-us")

    assert said == phonemes("New order number two zero zero five zero, total eighty-nine dollars and ninety cents",
                            "en-us")
    assert "$" not in said and "d'0l3z" in said


def test_speech_gives_every_engine_the_normalised_words() -> None:
    speech = Speech({}, EspeakEngine())

    assert speech.words("订单100015", "zh") == "订单幺零零零幺五"
    assert np.array_equal(audio(speech.synthesize("订单100015", "zh")),
                          audio(level(p) for p in EspeakEngine().synthesize("订单幺零零零幺五", "zh")))
    assert np.array_equal(audio(speech.synthesize("order #20031", "en")),
                          audio(level(p) for p in EspeakEngine().synthesize("order number two zero zero three one", "en")))


def test_the_tts_cache_is_keyed_by_the_words_said(tmp_path: Path) -> None:
    engine = EspeakEngine()
    speech = Speech({}, engine, cache=PcmCache(tmp_path, 10 * 1024 * 1024))

    first = audio(speech.synthesize("金额¥128", "zh"))
    again = audio(speech.synthesize("金额128元", "zh"))  # other writing, same words: the cached audio

    assert [path.name for path in tmp_path.glob("*.wav")] == [cache_key("金额一百二十八元", "zh", f"{voice_id(engine, 'zh')}|{LEVELLED}") + ".wav"]
    assert np.array_equal(first, again)
