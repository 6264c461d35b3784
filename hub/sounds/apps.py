from django.apps import AppConfig


class SoundsConfig(AppConfig):
    name = "hub.sounds"
    label = "sounds"
    verbose_name = "Sounds: prompt sounds and the hub's language"
