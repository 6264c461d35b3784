"""Login attempts counted per user name and per address, in the database (every web process shares them)."""

from __future__ import annotations

from django.db import models


class LoginThrottle(models.Model):
    """Attempts counted for one key (``user:<name>`` or ``addr:<ip>``) since ``window_started_at``.

    An attempt is claimed *before* the password is checked, by a conditional
    update (``attempts < limit``), so concurrent guesses cannot slip past the
    limit between a check and a write.
    """

    key = models.CharField(max_length=200, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.attempts}"
