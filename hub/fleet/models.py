"""A speaker's broker credentials. Only the PBKDF2 hash is kept, never the password."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hub.org.models import SpeakerNode


class NodeCredential(models.Model):
    """The broker account of one enrolled speaker; its user name is the node id.

    ``password_hash`` is the ``$7$`` PBKDF2-SHA512 string that goes into
    Mosquitto's password file as it is (mqtt/passwd.py). Revoking deletes the row.
    """

    node = models.OneToOneField(SpeakerNode, on_delete=models.CASCADE, related_name="credential")
    password_hash = models.CharField(max_length=200)
    issued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.node.node_id} (issued {self.issued_at:%Y-%m-%d %H:%M})"
