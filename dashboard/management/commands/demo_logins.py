"""``shopcrier-hub demo_logins``: make (once) and print the demo's logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from dashboard.demo import ensure_demo_logins


class Command(BaseCommand):
    help = "Create the demo admin and one staff login per department (once), and print them."

    def handle(self, *args: Any, **options: Any) -> None:
        for login in ensure_demo_logins(settings.DATA_DIR):
            self.stdout.write(f"{login.username:<10} {login.password:<14} {login.what}")
