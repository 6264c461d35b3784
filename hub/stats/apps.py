from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StatsConfig(AppConfig):
    name = "hub.stats"
    label = "stats"
    verbose_name = "statistics and retention"

    def ready(self) -> None:
        from .triggers import on_migrate

        post_migrate.connect(on_migrate, sender=self, dispatch_uid="stats-triggers")
