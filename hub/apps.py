from django.apps import AppConfig


class HubConfig(AppConfig):
    """The project itself, installed for the commands that span apps (``run``)."""

    name = "hub"
    verbose_name = "ShopCrier hub"
