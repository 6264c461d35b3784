"""Who may see what on the dashboard, and each login's own choices.

Roles: a superuser is an admin (everything, settings); a login with
:class:`DepartmentManager` rows manages those departments; a login linked to a
:class:`hub.org.models.Staff` is that staff member (what is routed to them or
to their department). dashboard.roles turns these rows into a Viewer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.org.models import Department

LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]


class DepartmentManager(models.Model):
    """``user`` manages ``department``: sees and acknowledges everything routed to it or its staff."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="managed_departments")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="managers")

    class Meta:
        verbose_name = _("department manager")
        constraints = [models.UniqueConstraint(fields=["user", "department"], name="manager_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.department}"


class Preference(models.Model):
    """One login's dashboard choices; a login without a row gets the defaults (Chinese)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_preference")
    language = models.CharField(max_length=8, choices=LANGUAGES, default="zh-hans")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
