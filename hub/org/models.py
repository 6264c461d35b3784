"""Subsystems (business units), departments per subsystem, staff per department.

Slugs go into MQTT topics, so they are restricted to what a topic level may
safely hold (see mqtt.topics.check_segment).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

topic_slug = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", "letters, digits, - and _ only")


class Subsystem(models.Model):
    slug = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """Its speakers follow ``announce/{subsystem}/{department}``. Slugs are unique hub-wide."""

    subsystem = models.ForeignKey(Subsystem, on_delete=models.PROTECT, related_name="departments")
    slug = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.subsystem.name} / {self.name}"


class Staff(models.Model):
    """A person; ``number`` is the employee number (``003``) used in staff topics."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff")
    number = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    name = models.CharField(max_length=200)
    contact = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class SpeakerNode(models.Model):
    """A speaker (``shopcrier-node``) and the department whose announcements it says."""

    node_id = models.CharField(max_length=64, unique=True, validators=[topic_slug])
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="nodes")
    staff = models.ManyToManyField(Staff, blank=True, help_text="staff whose personal announcements it also says")
    description = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.node_id
