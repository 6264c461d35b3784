from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "hub.fleet"
    label = "fleet"
    verbose_name = "Fleet: speaker enrolment and broker access"
