"""The dashboard for people: live feed, acknowledge, a message's story, fleet, settings."""
from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from .live import connect_signals

        connect_signals()
