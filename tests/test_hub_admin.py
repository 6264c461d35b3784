"""Every setting is editable in the Django admin: each model's list and add pages render."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


def test_each_registered_model_lists_and_offers_an_add_form(staff_client: Client) -> None:
    ours = [m for m in admin.site._registry if m._meta.app_label in {"org", "rules", "intake", "outbox"}]
    assert {m.__name__ for m in ours} >= {
        "Subsystem", "Department", "Staff", "SpeakerNode", "Category", "Rule", "Route", "Source", "Message", "Quarantine",
    }
    for model in ours:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert staff_client.get(base).status_code == 200, base
        assert staff_client.get(base + "add/").status_code == 200, base


def test_the_default_organisation_shows_in_the_admin(staff_client: Client) -> None:
    page = staff_client.get("/admin/org/department/").content.decode()
    assert "财务部门" in page and "订单部门" in page
