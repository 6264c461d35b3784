"""Categories, the ordered rules that recognise them, and the ordered routes
that decide who hears them. Both lists are data: first match wins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .classify import KINDS, CompiledRule, RuleError, compile_rule
from .learned import digest
from .templates import DEFAULT_TEMPLATE, TemplateError, check_template

from hub.org.models import Department, Staff, topic_slug

PRIORITY_CHOICES = [("normal", "normal"), ("high", "high"), ("urgent", "urgent")]


class Category(models.Model):
    slug = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True, default="", help_text="shown to English readers; empty: the name")
    priority = models.CharField(max_length=8, choices=PRIORITY_CHOICES, default="normal")
    sound = models.CharField(max_length=64, blank=True, help_text="prompt sound played before the speech")
    expiry_seconds = models.PositiveIntegerField(
        default=1800, help_text="after this a speaker no longer says it (screens still show it)"
    )
    template_zh = models.CharField(
        max_length=500,
        default=DEFAULT_TEMPLATE,
        help_text="what is said for a Chinese message: {content} {user} {amount} {app} {category_name} {source}",
    )
    template_en = models.CharField(max_length=500, default=DEFAULT_TEMPLATE, help_text="the same for any other language")

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.slug

    def name_in(self, language: str) -> str:
        """The name a reader of ``language`` (``en``, ``en-us``, ``zh-hans``, ``zh``) reads: the
        English name for English when there is one, else the (Chinese) name."""
        return self.name_en if self.name_en and language.lower().startswith("en") else self.name

    def clean(self) -> None:
        for name in ("template_zh", "template_en"):
            try:
                check_template(getattr(self, name))
            except TemplateError as exc:
                raise ValidationError({name: str(exc)}) from None


class Rule(models.Model):
    """One recognition rule. ``patterns`` is a list of strings whose meaning depends on ``kind``:

    - ``type``: shell-style globs on the platform's own type field (``order.*``);
    - ``keyword``: Chinese terms (simplified or traditional) match as substrings,
      Latin terms case-insensitively on word boundaries;
    - ``regex``: Python regular expressions, case-insensitive, searched in the content;
    - ``field``: no patterns; the rule is its ``conditions``.

    ``conditions`` (all must hold) test the message's fields (hub.rules.facts).
    A rule with a ``category`` takes part in first-match-wins; a rule without one
    only raises the priority of every message it matches (hub.rules.classify).
    """

    KINDS = [(k, k) for k in KINDS]

    position = models.PositiveIntegerField(db_index=True)
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=8, choices=KINDS)
    patterns = models.JSONField(default=list, blank=True)
    conditions = models.JSONField(default=list, blank=True, help_text='e.g. [{"path": "amount", "op": ">=", "value": 5000}]')
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="rules",
        help_text="what the rule decides; empty: it only raises the priority",
    )
    priority = models.CharField(
        max_length=8, choices=PRIORITY_CHOICES, blank=True, help_text="raise a message it matches to at least this"
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def compiled(self) -> CompiledRule:
        category = self.category.slug if self.category is not None else None
        return compile_rule(
            self.name, self.kind, self.patterns, category, conditions=self.conditions, priority=self.priority or None
        )

    def clean(self) -> None:
        try:
            self.compiled()
        except RuleError as exc:
            raise ValidationError({"patterns": str(exc)}) from None


class Route(models.Model):
    """Where a category goes. Exactly one target: a department, a staff member, or every speaker.

    A department target with a ``staff_mode`` goes to that department's staff on
    duty instead (all of them, or one in turn); nobody on duty: the department.
    The optional conditions (``source``, ``app``, ``min_priority``, ``min_amount``)
    must all hold for the route to match. ``continue_matching`` lets later routes
    add more targets; otherwise the first match ends it. See hub.rules.routing.
    """

    STAFF_MODES = [("", "the department"), ("on_duty", "all its staff on duty"), ("round_robin", "one of its staff on duty, in turn")]

    position = models.PositiveIntegerField(db_index=True)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE)
    everyone = models.BooleanField(default=False, help_text="announce on every speaker")
    staff_mode = models.CharField(max_length=12, choices=STAFF_MODES, blank=True, default="")
    continue_matching = models.BooleanField(default=False)
    source = models.CharField(max_length=64, blank=True, help_text="only messages from this source")
    app = models.CharField(max_length=64, blank=True, help_text="only messages from this app")
    min_priority = models.CharField(max_length=8, choices=PRIORITY_CHOICES, blank=True, help_text="only at this priority or above")
    min_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="only when the message's amount is at least this"
    )
    turn = models.PositiveIntegerField(default=0, editable=False, help_text="round robin: turns given so far")

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
            ),
            models.CheckConstraint(
                name="route_staff_mode_needs_department",
                condition=models.Q(staff_mode="") | models.Q(department__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        target = self.department or self.staff or "everyone"
        return f"{self.category} → {target}"


class Example(models.Model):
    """A labelled message an admin's correction kept (or a config file loaded).

    The learned fallback trains on these beside the shipped corpus, and a new
    message that reads almost the same as one of them gets its category
    (hub.rules.learned, hub.rules.classify). One label per text: ``digest`` is
    the sha256 of the content as the model reads it (hub.rules.corrections).
    """

    content = models.TextField()
    digest = models.CharField(max_length=64, unique=True, editable=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="examples")
    note = models.CharField(max_length=200, blank=True, help_text="where it came from: a correction, a loaded file")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.category}: {self.content[:40]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.digest = digest(self.content)  # the identity follows the text, however it was edited
        if kwargs.get("update_fields") is not None and "content" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "digest"}
        super().save(*args, **kwargs)
