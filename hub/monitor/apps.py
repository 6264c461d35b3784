from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "hub.monitor"
    label = "monitor"
    verbose_name = "Monitor: speaker, platform and broker health, alerts"
