"""The hub's language: what its own prompts (alerts, digests, reminders, speakers' link prompts) are said in."""

from __future__ import annotations

from .models import DEFAULT_LANGUAGE, HubSettings

SPOKEN_LANGUAGES = ("zh", "en")
"""The languages the hub's prompts are worded in; ``[hub].language`` must be one of them."""


def hub_language() -> str:
    """The stored language, ``zh`` until one is set."""
    stored = HubSettings.objects.filter(pk=HubSettings.SINGLETON).values_list("language", flat=True).first()
    return stored or DEFAULT_LANGUAGE


def set_hub_language(language: str) -> bool:
    """Store ``language`` (one of :data:`SPOKEN_LANGUAGES`); True when it changed (nothing is written otherwise)."""
    if language not in SPOKEN_LANGUAGES:
        raise ValueError(f"{language!r}: the hub's prompts are worded in {' or '.join(SPOKEN_LANGUAGES)}")
    if hub_language() == language:
        return False
    HubSettings.objects.update_or_create(pk=HubSettings.SINGLETON, defaults={"language": language})
    return True
