"""Piper voices installed as Python packages (wheels built by ``script/voice-wheel``).

A voice wheel declares an entry point in the group :data:`GROUP`, named after
the voice, pointing at a function that returns the model's path::

    [shopcrier.piper_voices]
    zh_CN-huayan-medium = zh_cn_huayan_medium_piper_voice:model_path

The ``.onnx.json`` sits beside the model, as piper expects. The voice's
language is read from its name, as for files in ``voices_dir``.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from pathlib import Path

log = logging.getLogger(__name__)

GROUP = "shopcrier.piper_voices"


def installed_voices() -> dict[str, Path]:
    """Every installed voice wheel's model by voice name; a broken one is logged and skipped.

    A wheel counts only when its model and the ``.onnx.json`` beside it exist.
    Sorted by name, so choosing the first per language is stable.
    """
    voices: dict[str, Path] = {}
    for point in sorted(entry_points(group=GROUP), key=lambda ep: ep.name):
        try:
            model = Path(point.load()())
        except Exception as exc:  # a half-installed or foreign package: whatever it raises, skip it
            log.error("skipping voice package %s (%s): %s", point.name, point.value, exc)
            continue
        if not model.is_file() or not model.with_name(model.name + ".json").is_file():
            log.error("skipping voice package %s: %s or its .json is missing", point.name, model)
            continue
        voices.setdefault(point.name, model)
    return voices
