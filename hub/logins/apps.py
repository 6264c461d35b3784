from django.apps import AppConfig


class LoginsConfig(AppConfig):
    """Login throttling for the dashboard's and the admin's login pages."""

    name = "hub.logins"
    label = "logins"
    verbose_name = "Login throttling"
    default_auto_field = "django.db.models.BigAutoField"
