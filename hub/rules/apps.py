from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "hub.rules"
    label = "rules"
    verbose_name = "Categories, rules and routes"
