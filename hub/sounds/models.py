"""Prompt sounds, and the hub's language setting (one row)."""

from __future__ import annotations

from django.db import models

DEFAULT_LANGUAGE = "zh"


class PromptSound(models.Model):
    """A sound a category names (``Category.sound``), played by speakers before the speech.

    ``wav`` is the sound as speakers get it: mono PCM16 WAV at the node's
    playback rate, levelled to the speech loudness (see ``audio.py``);
    ``sha256`` is its hash, which announcements carry and speakers check.
    The database is the truth; the file served from the data dir is written
    from it (and again whenever it is missing).
    """

    GENERATED = "generated"
    UPLOADED = "uploaded"

    name = models.SlugField(max_length=64, unique=True, help_text="what a category's sound names, e.g. order-chime")
    wav = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)  # the served file is looked up by it
    seconds = models.FloatField()
    origin = models.CharField(max_length=10, choices=[(GENERATED, "generated"), (UPLOADED, "uploaded")])
    source_name = models.CharField(max_length=255, blank=True, help_text="the uploaded file's name")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PrioritySound(models.Model):
    """The prompt sound a category's messages of a raised priority play instead of the
    category's own (``order`` at ``urgent``: ``alarm``). ``sound`` names a sound as
    ``Category.sound`` does; ``[[categories]] priority_sounds = { urgent = "alarm" }``."""

    PRIORITIES = [("high", "high"), ("urgent", "urgent")]

    category = models.ForeignKey("rules.Category", on_delete=models.CASCADE, related_name="priority_sounds")
    priority = models.CharField(max_length=8, choices=PRIORITIES)
    sound = models.SlugField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "priority"], name="priority_sound_once")]

    def __str__(self) -> str:
        return f"{self.category_id} {self.priority}: {self.sound}"


class HubSettings(models.Model):
    """The hub's own settings that live in the database; one row, ``pk`` 1 (see ``language.py``).

    ``language``: what the hub's own prompts are spoken in (alerts, digests,
    reminders; speakers' link prompts), ``[hub].language`` in the config file.
    """

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    language = models.CharField(max_length=16, default=DEFAULT_LANGUAGE, choices=[("zh", "中文"), ("en", "English")],
                                help_text="the language of the hub's own spoken prompts")

    class Meta:
        verbose_name = "hub settings"
        verbose_name_plural = "hub settings"

    def __str__(self) -> str:
        return f"hub settings (language {self.language})"
