from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "hub.notify"
    label = "notify"
    verbose_name = "Notification channels"
    default_auto_field = "django.db.models.BigAutoField"
