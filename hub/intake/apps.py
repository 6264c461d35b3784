from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "hub.intake"
    label = "intake"
    verbose_name = "Platform intake"
