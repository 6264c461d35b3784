from django.apps import AppConfig


class HubConfig(AppConfig):
    """The project itself, installed for the commands that span apps (``run``)."""

    name = "hub"
    verbose_name = "ShopCrier hub"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from hub.pg_times import clamp_unreadable_times

        # PostgreSQL keeps times Python cannot read; never let one row break every page that lists it.
        connection_created.connect(clamp_unreadable_times, dispatch_uid="hub.pg_times")
