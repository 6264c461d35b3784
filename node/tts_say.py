"""``shopcrier-node say "TEXT" [--lang zh|en] [--show] [--wav FILE]``: hear a text as the speaker would say it.

No broker, no store, no cache: the node's config file (if there is one) for
``voices_dir``, the audio device and the volume; the same voice choice and
synthesis as the agent. ``--show`` prints the exact words after
normalisation, the voice chosen and its phonemes; ``--wav`` writes the audio
to a file instead of playing it, so it works without a sound card.

Exit status: 0 said (or written), 1 the voice or the sound device failed,
2 bad arguments or config. Every error is one line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import wave
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from mqtt import BrokerSettings
from mqtt.fields import LANG_RE
from mqtt.messages import MAX_TEXT

from .config import DEFAULT_PATH, ConfigError, NodeSettings, load
from .pcm import Pcm
from .player import AudioError, make_player
from .speech import Speech, SpeechError, make_speech
from .tts import split_sentences
from .tts_playback import play_sentences

log = logging.getLogger(__name__)

PROG = "shopcrier-node say"
_HAN = re.compile(r"[\u3400-\u9fff]")


class SayError(Exception):
    """A problem to report in one line; ``status`` is the exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description="Say TEXT as this speaker would, without a broker.")
    parser.add_argument("text", metavar="TEXT", help="what to say")
    parser.add_argument("--lang", help="its language, e.g. zh or en (default: zh if it has Chinese characters, "
                                       "else en)")
    parser.add_argument("--show", action="store_true",
                        help="print the words after normalisation, the voice chosen and its phonemes")
    parser.add_argument("--wav", type=Path, metavar="FILE", help="write the audio to FILE instead of playing it")
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help=f"the node's TOML config, for voices_dir, audio_device and volume (default {DEFAULT_PATH} "
                             "if it exists)")
    parser.add_argument("--log-level", default="ERROR", type=str.upper,
                        choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="default ERROR")
    return parser.parse_args(argv)


def settings_for(config: Path | None) -> NodeSettings:
    """The config's settings, without the TTS cache; built-in defaults when no file is named and none is installed."""
    if config is None and not DEFAULT_PATH.exists():
        return NodeSettings(id="say", broker=BrokerSettings.from_url("mqtt://127.0.0.1"), cache_mb=0)
    try:
        return replace(load(config or DEFAULT_PATH), cache_mb=0)
    except ConfigError as exc:
        raise SayError(str(exc), 2) from None


def language_of(text: str, lang: str | None) -> str:
    if lang is None:
        return "zh" if _HAN.search(text) else "en"
    if not LANG_RE.match(lang):
        raise SayError(f"--lang {lang!r} is not a language code such as zh or en", 2)
    return lang


def check_text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise SayError(f"the text is {len(text)} characters long; an announcement holds at most {MAX_TEXT}", 2)
    if not split_sentences(text):
        raise SayError("nothing to say: the text has no letters or digits", 2)
    return text


def show(speech: Speech, text: str, lang: str) -> None:
    """Print the voice, the words and their phonemes, one per line."""
    print(f"voice: {speech.describe_one(lang)} ({lang})")
    print(f"words: {speech.words(text, lang)}")
    try:
        phonemes = speech.phonemes(text, lang)
    except SpeechError as exc:
        phonemes = f"(not available: {exc})"
    print("phonemes: " + " ".join(phonemes.split()))


def write_wav(path: Path, chunks: list[Pcm]) -> float:
    """All of ``chunks`` into one mono 16-bit WAV at ``path`` (written whole, then renamed); returns seconds."""
    rates = {pcm.rate for pcm in chunks}
    if len(rates) != 1:
        raise SayError(f"the voice changed sample rate between sentences: {sorted(rates)}", 1)
    samples = np.concatenate([pcm.samples for pcm in chunks])
    partial = path.with_name(path.name + ".partial")
    try:
        with wave.open(str(partial), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(chunks[0].rate)
            wav.writeframes(samples.astype("<i2").tobytes())
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise SayError(f"cannot write {path}: {exc.strerror or exc}", 2) from None
    return len(samples) / chunks[0].rate


def say(args: argparse.Namespace) -> int:
    text = check_text(args.text)
    lang = language_of(text, args.lang)
    settings = settings_for(args.config)
    if args.wav is not None and not args.wav.parent.is_dir():
        raise SayError(f"cannot write {args.wav}: {args.wav.parent} is not a directory", 2)
    try:
        speech = make_speech(settings)
        if args.show:
            show(speech, text, lang)
        if args.wav is not None:
            seconds = write_wav(args.wav, list(speech.synthesize(text, lang)))
            print(f"wrote {args.wav} ({seconds:.1f} s)", file=sys.stderr)
            return 0
        play_sentences(make_player(settings), speech.synthesize(text, lang), lambda: True)
    except SpeechError as exc:
        raise SayError(f"cannot say it: {exc}", 1) from None
    except AudioError as exc:
        raise SayError(f"{exc}; use --wav FILE to write the audio instead", 1) from None
    return 0


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return say(args)
    except SayError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130
