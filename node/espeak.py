"""espeak-ng: the fallback voice for languages without a piper voice (Chinese by default)."""

from __future__ import annotations

import logging
import shutil
import struct
import subprocess
from collections.abc import Iterator, Mapping

import numpy as np

from .pcm import Pcm
from .tts import SpeechError, primary_language, split_sentences
from .tts_probe import PROBES, ProbeError, espeak_phonemes, pick_espeak_voice

log = logging.getLogger(__name__)

INSTALL_HINT = "espeak-ng is not installed: run `sudo apt-get install espeak-ng`"
ESPEAK_VOICES = {"zh": "cmn", "en": "en-us"}


def espeak_voice(lang: str) -> str:
    """The espeak-ng voice for a language code: zh → cmn, en → en-us, else the code itself."""
    return ESPEAK_VOICES.get(primary_language(lang), lang.lower())


class EspeakEngine:
    """Runs ``espeak-ng -v VOICE --stdout`` once per sentence and reads the WAV it writes.

    ``voices`` maps a primary language code to the espeak-ng voice that speaks
    it, as :func:`node.tts_probe.pick_espeak_voice` chose at start-up. Without
    ``voices`` the engine probes a language the first time it needs it. A
    language no probe covers, or none of whose candidates passed, gets
    :func:`espeak_voice`'s name-based default.
    """

    def __init__(self, binary: str = "espeak-ng", timeout: float = 30.0,
                 voices: Mapping[str, str] | None = None) -> None:
        self.binary = binary
        self.timeout = timeout
        self.voices = dict(voices or {})
        self._unprobed = set(PROBES) if voices is None else set()  # languages to probe on first use

    def voice_for(self, lang: str) -> str:
        """The espeak-ng voice this engine speaks ``lang`` with."""
        code = primary_language(lang)
        if code in self._unprobed and self.available:
            self._unprobed.discard(code)
            chosen, _ = pick_espeak_voice(code, binary=self.binary)
            if chosen is not None:
                self.voices[code] = chosen
        return self.voices.get(code) or espeak_voice(lang)

    def describe(self, lang: str) -> str:
        """Who speaks ``lang``, for logs and the heartbeat: ``espeak-ng:cmn-latn-pinyin``."""
        return f"espeak-ng:{self.voice_for(lang)}"

    def phonemes(self, text: str, lang: str) -> str:
        """espeak-ng's phonemes for ``text`` (``-q -x``), language switches such as ``(en)`` kept."""
        try:
            return espeak_phonemes(self.voice_for(lang), text, self.binary)
        except ProbeError as exc:
            raise SpeechError(str(exc)) from None

    def voice_id_for(self, lang: str) -> str:
        """The cache key's voice part: the binary and the voice it uses for ``lang``.

        The voice is in it because the probe may pick another one after an
        upgrade; audio cached from a voice that spoke English-spelled pinyin
        must not be replayed then.
        """
        return f"espeak-ng:{self.binary}:{self.voice_for(lang)}"

    @property
    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def synthesize(self, text: str, lang: str) -> Iterator[Pcm]:
        voice = self.voice_for(lang)
        for sentence in split_sentences(text):
            yield self._say(sentence, voice)

    def _say(self, sentence: str, voice: str) -> Pcm:
        exe = shutil.which(self.binary)
        if exe is None:
            raise SpeechError(INSTALL_HINT)
        try:
            # The text goes in on stdin, not as an argument, so text starting
            # with "-" is never read as an option.
            done = subprocess.run(
                [exe, "-v", voice, "--stdout"],
                input=sentence.encode(),
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SpeechError(f"espeak-ng -v {voice} took longer than {self.timeout} s") from None
        except OSError as exc:
            raise SpeechError(f"cannot run {exe}: {exc}. {INSTALL_HINT}") from exc
        stderr = done.stderr.decode(errors="replace").strip()
        # espeak-ng exits 0 even for an unknown voice; it just writes nothing.
        if done.returncode != 0 or not done.stdout:
            raise SpeechError(f"espeak-ng -v {voice} failed (exit {done.returncode}): {stderr or 'no audio'}")
        return parse_wav(done.stdout)


def parse_wav(data: bytes) -> Pcm:
    """Mono 16-bit PCM out of a WAV file as espeak-ng streams it.

    A streamed WAV's RIFF and data sizes are placeholders (0x7ffff…), so the
    sizes are not trusted: the format comes from the ``fmt `` chunk and the
    samples are everything after the ``data`` chunk header.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SpeechError("espeak-ng did not write a WAV file")
    rate: int | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos:pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = pos + 8
        if chunk_id == b"fmt ":
            if size < 16 or body + 16 > len(data):
                raise SpeechError("WAV fmt chunk is too short")
            encoding, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if encoding != 1 or channels != 1 or bits != 16:
                raise SpeechError(f"WAV is not mono 16-bit PCM (format {encoding}, {channels} ch, {bits} bit)")
        elif chunk_id == b"data":
            if rate is None:
                raise SpeechError("WAV data chunk comes before its fmt chunk")
            samples = data[body:]
            samples = samples[: len(samples) - len(samples) % 2]
            return Pcm(np.frombuffer(samples, dtype="<i2").astype(np.int16), rate)
        pos = body + size + (size & 1)
    raise SpeechError("WAV has no data chunk")
