"""Phoneme probes: does a voice really speak its language, on this machine's espeak-ng?

espeak-ng marks a stretch it reads with another language's rules with a
switch such as ``(en)`` in its phoneme output. Debian 12's espeak-ng 1.51
does exactly that with ``-v cmn`` for most Chinese characters (it spells the
pinyin the English way: "订单" → "ding four dan one"), while
``cmn-latn-pinyin`` gives Mandarin phonemes for the same text. Which voice
works depends on the espeak-ng version and its data, so the node decides at
start-up by phonemising a probe sentence, never by a hard-coded name.

Two phonemisers are probed the same way: the system ``espeak-ng`` binary
(``-q -x``), which the espeak fallback speaks with, and the espeak-ng that
piper-tts bundles (its own library and data), which phonemises for piper
voices whose ``espeak.voice`` names it. Piper strips the switches before
synthesis, so a defect there would be silent: hence the probe on raw output.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from .tts import primary_language

log = logging.getLogger(__name__)

# Han characters only (no digits, no Latin): a Mandarin voice has no excuse to switch
# language anywhere in these; "订单" is the word the 1.51 `cmn` voice spells in English.
PROBES: dict[str, str] = {
    "zh": "客户张三提交了订单，请及时处理退款和提现申请。",
    "en": "A customer placed a new order; please check the refund request.",
}

# espeak-ng voices to try per language, best first. The first whose probe
# stays in its language speaks it.
ESPEAK_CANDIDATES: dict[str, tuple[str, ...]] = {
    "zh": ("cmn", "cmn-latn-pinyin", "yue"),
    "en": ("en-us", "en"),
}

# The espeak-ng language codes that count as speaking a language (zh: Mandarin
# first, Cantonese and Hakka as a last resort), else the code itself.
FAMILIES: dict[str, frozenset[str]] = {"zh": frozenset({"zh", "cmn", "yue", "hak"})}

_SWITCH = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)")
_TIMEOUT_S = 10.0


class ProbeError(RuntimeError):
    """The phonemiser could not run at all (missing binary, unknown voice)."""


class ProbeUnavailable(ProbeError):
    """This piper-tts does not expose its phonemiser the way the probe reads it: nothing can be judged."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of probing ``voice``: ``ok`` when its phonemes stay in its language.

    ``reason`` says why a voice was refused (one line, for logs and errors);
    ``phonemes`` is what the phonemiser wrote for the probe.
    """

    voice: str
    ok: bool
    reason: str
    phonemes: str


def foreign_switches(phonemes: str, voice: str) -> list[str]:
    """The language switches in espeak ``phonemes`` that leave ``voice``'s own language.

    ``(cmn)`` inside a ``cmn`` voice's output is a switch back home, not away;
    ``(en)`` is away. Returned in order of appearance, without repeats.
    """
    home = primary_language(voice)
    found: list[str] = []
    for match in _SWITCH.finditer(phonemes):
        code = match.group(1).lower()
        if primary_language(code) != home and code not in found:
            found.append(code)
    return found


def speaks(voice: str, lang: str) -> bool:
    """Whether espeak-ng ``voice`` (``cmn-latn-pinyin``, ``en-us``) is one of ``lang``'s voices at all."""
    code = primary_language(lang)
    return primary_language(voice) in FAMILIES.get(code, frozenset({code}))


def judge(voice: str, phonemes: str) -> Verdict:
    """Refuse a voice whose phonemes switch away from its language, or that wrote none."""
    if not phonemes.strip():
        return Verdict(voice, False, f"espeak voice {voice!r} produced no phonemes", phonemes)
    away = foreign_switches(phonemes, voice)
    if away:
        switches = ", ".join(f"({code})" for code in away)
        return Verdict(voice, False, f"espeak voice {voice!r} switches to {switches} on the probe", phonemes)
    return Verdict(voice, True, "", phonemes)


def espeak_phonemes(voice: str, text: str, binary: str = "espeak-ng") -> str:
    """The system espeak-ng's phonemes for ``text`` (``-q -x``, text on stdin); raises :class:`ProbeError`."""
    exe = shutil.which(binary)
    if exe is None:
        raise ProbeError(f"{binary} is not installed")
    try:
        done = subprocess.run([exe, "-v", voice, "-q", "-x"], input=text.encode(), capture_output=True,
                              timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProbeError(f"cannot run {exe} -v {voice}: {exc}") from None
    out = done.stdout.decode(errors="replace")
    if done.returncode != 0 or not out.strip():
        err = done.stderr.decode(errors="replace").strip()
        raise ProbeError(f"espeak-ng -v {voice} wrote no phonemes (exit {done.returncode}): {err or 'no output'}")
    return out


def piper_phonemes(voice: str, text: str) -> str:
    """The phonemes piper's bundled espeak-ng gives ``text``, language switches kept; raises :class:`ProbeError`.

    Goes through piper's own phonemiser and its lock (the bundled library
    holds one global voice, which piper sets per call too). Raises
    :class:`ProbeUnavailable` when this piper-tts does not expose them.
    """
    try:
        from piper import espeakbridge
        from piper import voice as piper_voice
        from piper.phonemize_espeak import EspeakPhonemizer

    except ImportError as exc:
        raise ProbeUnavailable(f"cannot reach piper's bundled espeak-ng: {exc}") from None
    if not all(hasattr(piper_voice, name) for name in ("_ESPEAK_PHONEMIZER", "_ESPEAK_PHONEMIZER_LOCK")):
        raise ProbeUnavailable("this piper-tts keeps its espeak-ng phonemiser elsewhere (checked with 1.8)")
    lock = piper_voice._ESPEAK_PHONEMIZER_LOCK
    with lock:
        if piper_voice._ESPEAK_PHONEMIZER is None:
            piper_voice._ESPEAK_PHONEMIZER = EspeakPhonemizer()
        try:
            espeakbridge.set_voice(voice)
            clauses = espeakbridge.get_phonemes(text)
        except Exception as exc:  # the C bridge raises RuntimeError and friends for an unknown voice
            raise ProbeError(f"piper's espeak-ng has no voice {voice!r}: {exc}") from None
    return " ".join(phonemes + terminator for phonemes, terminator, _ in clauses)


def _mismatch(voice: str, lang: str) -> Verdict | None:
    if speaks(voice, lang):
        return None
    return Verdict(voice, False, f"espeak voice {voice!r} does not speak {primary_language(lang)}", "")


def probe_espeak(voice: str, lang: str, binary: str = "espeak-ng", probe: str | None = None) -> Verdict:
    """Probe the system espeak-ng ``voice`` with ``probe`` (default: ``lang``'s probe sentence)."""
    text = probe if probe is not None else PROBES[primary_language(lang)]
    try:
        return _mismatch(voice, lang) or judge(voice, espeak_phonemes(voice, text, binary))
    except ProbeError as exc:
        return Verdict(voice, False, str(exc), "")


def probe_piper_espeak(voice: str, lang: str) -> Verdict:
    """Probe piper's bundled espeak-ng ``voice`` with ``lang``'s probe sentence (no probe: only the name is checked)."""
    mismatch = _mismatch(voice, lang)
    probe = PROBES.get(primary_language(lang))
    if mismatch is not None or probe is None:
        return mismatch or Verdict(voice, True, "", "")
    try:
        return judge(voice, piper_phonemes(voice, probe))
    except ProbeUnavailable as exc:  # a newer piper-tts: trust the voice rather than refuse every one
        log.warning("piper voice phonemiser %s not probed: %s", voice, exc)
        return Verdict(voice, True, f"not probed: {exc}", "")
    except ProbeError as exc:
        return Verdict(voice, False, str(exc), "")


def pick_espeak_voice(lang: str, candidates: Sequence[str] | None = None, binary: str = "espeak-ng",
                      probe: str | None = None) -> tuple[str | None, list[Verdict]]:
    """The first of ``candidates`` (default :data:`ESPEAK_CANDIDATES`) that passes the probe, and every verdict.

    ``probe`` replaces the language's probe sentence. None when none passes
    (or ``lang`` has no probe sentence: nothing to judge by).
    """
    code = primary_language(lang)
    if code not in PROBES and probe is None:
        return None, []
    verdicts = []
    for voice in candidates if candidates is not None else ESPEAK_CANDIDATES.get(code, (code,)):
        verdict = probe_espeak(voice, code, binary, probe)
        verdicts.append(verdict)
        if verdict.ok:
            return voice, verdicts
    return None, verdicts
