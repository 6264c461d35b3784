"""Categories, the ordered rules that recognise them, and the ordered routes
that decide who hears them. Both lists are data: first match wins."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from hub.org.models import Department, Staff, topic_slug

PRIORITY_CHOICES = [("normal", "normal"), ("high", "high"), ("urgent", "urgent")]


class Category(models.Model):
    slug = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    name = models.CharField(max_length=200)
    priority = models.CharField(max_length=8, choices=PRIORITY_CHOICES, default="normal")
    sound = models.CharField(max_length=64, blank=True, help_text="prompt sound played before the speech")
    expiry_seconds = models.PositiveIntegerField(
        default=1800, help_text="after this a speaker no longer says it (screens still show it)"
    )

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.slug


class Rule(models.Model):
    """One recognition rule. ``patterns`` is a list of strings whose meaning depends on ``kind``:

    - ``type``: shell-style globs on the platform's own type field (``order.*``);
    - ``keyword``: Chinese terms match as substrings, Latin terms case-insensitively on word boundaries;
    - ``regex``: Python regular expressions, case-insensitive, searched in the content.
    """

    KINDS = [("type", "platform type"), ("keyword", "keywords"), ("regex", "regular expression")]

    position = models.PositiveIntegerField(db_index=True)
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=8, choices=KINDS)
    patterns = models.JSONField(default=list)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="rules")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .classify import compile_rule, RuleError

        try:
            compile_rule(self.name, self.kind, self.patterns, self.category.slug)
        except RuleError as exc:
            raise ValidationError({"patterns": str(exc)}) from None


class Route(models.Model):
    """Where a category goes. Exactly one target: a department, a staff member, or every speaker.

    ``continue_matching`` lets later routes add more targets; otherwise the first match ends it.
    """

    position = models.PositiveIntegerField(db_index=True)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE)
    everyone = models.BooleanField(default=False, help_text="announce on every speaker")
    continue_matching = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                name="route_has_one_target",
                condition=(
                    models.Q(department__isnull=False, staff__isnull=True, everyone=False)
                    | models.Q(department__isnull=True, staff__isnull=False, everyone=False)
                    | models.Q(department__isnull=True, staff__isnull=True, everyone=True)
                ),
            )
        ]

    def __str__(self) -> str:
        target = self.department or self.staff or "everyone"
        return f"{self.category} → {target}"
