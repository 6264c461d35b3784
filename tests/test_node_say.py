"""``shopcrier-node say``: the real program, no broker anywhere, audio to a WAV file or the ALSA file sink."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from node.tts_probe import foreign_switches, pick_espeak_voice
from tests.conftest import AlsaSink
from tests.node_helpers import settled_size, write_config
from tests.paths import REPO

ORDER_ZH = "客户张三提交了订单10023。请及时处理！"


def say(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "node", "say", *map(str, args)], capture_output=True, text=True,
                          env=env or dict(os.environ), cwd=REPO, timeout=120, check=False)


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        return wav.getframerate(), np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def test_say_wav_writes_chinese_speech_to_a_file_without_a_sound_card_or_broker(tmp_path: Path) -> None:
    out = tmp_path / "order.wav"

    done = say(ORDER_ZH, "--wav", out, env={**os.environ, "HOME": str(tmp_path)})  # no .asoundrc, no broker

    assert done.returncode == 0, done.stderr
    rate, samples = read_wav(out)
    assert samples.size > 2 * rate  # two sentences of speech
    assert int(np.abs(samples.astype(np.int32)).max()) > 1000
    assert "wrote" in done.stderr and str(out) in done.stderr


def test_say_show_prints_the_words_the_voice_and_mandarin_phonemes(tmp_path: Path) -> None:
    done = say(ORDER_ZH, "--show", "--wav", tmp_path / "x.wav")

    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert lines["voice"] == f"espeak-ng:{pick_espeak_voice('zh')[0]} (zh)"
    assert lines["words"] == "客户张三提交了订单幺零零二三。请及时处理！"  # an order number is read digit by digit
    assert lines["phonemes"] and foreign_switches(lines["phonemes"], "cmn") == []


def test_say_picks_english_for_latin_text_and_honours_lang(tmp_path: Path) -> None:
    english = say("Order 10023 was placed.", "--show", "--wav", tmp_path / "en.wav")
    forced = say("Order 10023", "--lang", "zh", "--show", "--wav", tmp_path / "zh.wav")

    assert english.returncode == 0 and "voice: piper:en_US-joe-medium (en)" in english.stdout
    assert forced.returncode == 0 and "(zh)" in forced.stdout.splitlines()[0]


def test_say_plays_through_the_sound_device(alsa_sink: AlsaSink, tmp_path: Path) -> None:
    before = settled_size(alsa_sink)

    done = say("A new order arrived. Please check it.", env=alsa_sink.env)

    assert done.returncode == 0, done.stderr
    audio = np.frombuffer(alsa_sink.read()[before:settled_size(alsa_sink)], dtype="<i2")
    assert audio.size > 22050 and int(np.abs(audio.astype(np.int32)).max()) > 1000


def test_say_uses_the_node_configs_voices_dir_and_volume(alsa_sink: AlsaSink, tmp_path: Path) -> None:
    config = write_config(tmp_path / "node.toml", node_id="spk-say", broker_url="mqtt://127.0.0.1:1",
                          data_dir="data", extra="volume = 0")

    done = say("Silence please.", "--config", config, env=alsa_sink.env)

    assert done.returncode == 0, done.stderr
    audio = np.frombuffer(alsa_sink.read(), dtype="<i2")
    assert audio.size > 0 and not audio.any()  # volume 0 from the file
    assert not (tmp_path / "data").exists()  # no store, no cache: say leaves nothing behind


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (("   ...",), 2, "nothing to say"),
        (("你好", "--lang", "zh!"), 2, "is not a language code"),
        (("你好", "--wav", "/no/such/dir/x.wav"), 2, "is not a directory"),
        (("你好", "--config", "/no/such/node.toml"), 2, "cannot read"),
        (("x" * 2001,), 2, "at most 2000"),
    ],
)
def test_say_refuses_bad_input_with_one_line(args: tuple[str, ...], status: int, message: str) -> None:
    done = say(*args)

    assert done.returncode == status
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("shopcrier-node say: ") and message in done.stderr
    assert "Traceback" not in done.stderr


def test_say_without_a_sound_card_says_to_use_wav(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text('pcm.!default { type hw card 99 }\n')

    done = say("Hello.", env={**os.environ, "HOME": str(home)})

    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]  # ALSA itself may complain on the lines before
    assert last.startswith("shopcrier-node say: audio device") and "use --wav FILE" in last
    assert "Traceback" not in done.stderr
