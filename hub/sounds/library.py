"""Storing prompt sounds, finding the file to serve, and telling announcements where a sound is.

A sound's URL is ``{PUBLIC_URL}/sounds/{sha256}.wav``: named by its content,
so a replaced sound gets a new URL, an announcement already queued on a
speaker still fetches the sound it was made with, and every copy may be
cached for ever.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

from node.pcm import Pcm

from .audio import prepare, wav_bytes
from .models import PromptSound
from .tones import BUILTIN, RATE, normalised

log = logging.getLogger(__name__)

SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class SoundRef:
    """Where a speaker fetches a sound, and the sha256 it must have."""

    url: str
    sha256: str


def sound_url(sha256: str) -> str:
    return f"{settings.PUBLIC_URL}/sounds/{sha256}.wav"


def sound_refs() -> dict[str, SoundRef]:
    """Every stored sound by name (one query: the pipeline reads this with its rules)."""
    return {name: SoundRef(sound_url(sha), sha) for name, sha in PromptSound.objects.values_list("name", "sha256")}


def stored_fields(pcm: Pcm) -> dict[str, Any]:
    """The columns a sound's audio fills: the WAV bytes, their sha256, the length."""
    data = wav_bytes(pcm)
    return {"wav": data, "sha256": hashlib.sha256(data).hexdigest(), "seconds": round(pcm.seconds, 3)}


def install_builtin(model: type[models.Model] = PromptSound) -> list[str]:
    """Create each built-in sound that has no row of its name; returns the names created.

    Idempotent, and never replaces a sound an admin uploaded under a built-in
    name. ``model``: the migration passes its historical ``PromptSound``.
    """
    created = []
    manager: Any = model._default_manager
    for name, make in BUILTIN.items():
        if manager.filter(name=name).exists():
            continue
        pcm = prepare(normalised(make()), RATE)
        manager.create(name=name, origin=PromptSound.GENERATED, **stored_fields(pcm))
        created.append(name)
    if created:
        log.info("created the built-in prompt sounds %s", ", ".join(created))
    return created


def sounds_dir() -> Path:
    return Path(settings.DATA_DIR) / "sounds"


def served_file(sha256: str) -> Path | None:
    """The file to serve for ``sha256``, from the data dir; written from the database when it is
    missing or damaged. None for a sha256 no stored sound has (and never had a file)."""
    if not SHA256_RE.match(sha256):
        return None
    path = sounds_dir() / f"{sha256}.wav"
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            return path
        log.warning("prompt sound file %s is damaged; writing it again from the database", path)
    except FileNotFoundError:
        pass
    row = PromptSound.objects.filter(sha256=sha256).values_list("wav", flat=True).first()
    if row is None:
        return None
    _write(path, bytes(row))
    return path


def _write(path: Path, data: bytes) -> None:
    """Atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(path)

