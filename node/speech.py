"""Text to speech for the node: a piper voice where there is one for the language, else espeak-ng.

:func:`make_speech` is the factory the agent uses; tests may pass another
:class:`TtsEngine` to the agent instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

from .config import NodeSettings
from .espeak import INSTALL_HINT, EspeakEngine
from .pcm import Pcm
from .piper_tts import PiperVoiceEngine, find_voices
from .tts import SpeechError, TtsEngine, primary_language, split_sentences

__all__ = [
    "EspeakEngine",
    "Pcm",
    "PiperVoiceEngine",
    "Speech",
    "SpeechError",
    "TtsEngine",
    "make_speech",
    "split_sentences",
]

log = logging.getLogger(__name__)


class Speech:
    """Picks an engine per language: ``voices`` by primary language code, else ``fallback``."""

    def __init__(self, voices: Mapping[str, TtsEngine], fallback: TtsEngine) -> None:
        self.voices = dict(voices)
        self.fallback = fallback

    def engine_for(self, lang: str) -> TtsEngine:
        return self.voices.get(primary_language(lang), self.fallback)

    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        return self.engine_for(lang).synthesize(text, lang)


def make_speech(settings: NodeSettings) -> Speech:
    """The bundled English piper voice, the voices in ``settings.voices_dir``, espeak-ng for the rest.

    A voice in ``voices_dir`` replaces the bundled one for its language; one
    that fails to load is logged and skipped. Raises :class:`SpeechError` when
    the bundled voice cannot load.
    """
    voices: dict[str, TtsEngine] = {"en": PiperVoiceEngine.bundled()}
    if settings.voices_dir is not None:
        for lang, model in find_voices(settings.voices_dir).items():
            try:
                voices[lang] = PiperVoiceEngine(model, lang)
            except SpeechError as exc:
                log.error("skipping voice: %s", exc)
    fallback = EspeakEngine()
    if not fallback.available:
        log.warning("%s; only %s can be spoken until then", INSTALL_HINT, ", ".join(sorted(voices)))
    return Speech(voices, fallback)
