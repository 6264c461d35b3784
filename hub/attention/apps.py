from django.apps import AppConfig


class AttentionConfig(AppConfig):
    name = "hub.attention"
    label = "attention"
    verbose_name = "Attention: acknowledgement, escalation, quiet hours, digests"
