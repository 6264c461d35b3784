from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hub.notify.sender import Sender
from hub.workers import stop_on_signals


class Command(BaseCommand):
    help = "Send the notifications owed to chat groups, e-mail and Web Push (also part of `run`)."

    def handle(self, *args: Any, **options: Any) -> None:
        Sender().run(stop_on_signals())
