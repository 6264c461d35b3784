"""What speakers did with each delivery (published → played / failed / expired), and the attention admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from hub.outbox.models import Delivery, Receipt, outcome
from tests.attention_helpers import announced

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


def test_a_delivery_shows_what_its_speakers_reported(staff_client: Client) -> None:
    message = announced("客户张三提交了订单10023", staff_no="003")
    delivery = Delivery.objects.filter(message=message).exclude(announcement_id="").first()
    assert delivery is not None
    assert (delivery.speakers(), outcome(delivery.speakers(), delivery.status)) == ({}, "pending")
    for node, status in (("spk-1", "played"), ("spk-2", "failed"), ("spk-2", "played")):
        Receipt.objects.create(announcement_id=delivery.announcement_id, node_id=node, status=status, message=message,
                               at=timezone.now())
    assert delivery.speakers() == {"played": 2, "failed": 1}
    assert outcome(delivery.speakers(), delivery.status) == "played"
    assert outcome({"expired": 1}, "sent") == "expired"
    page = staff_client.get("/admin/outbox/delivery/").content.decode()
    assert "played (failed 1, played 2)" in page


@pytest.mark.clock
def test_each_attention_model_lists_and_offers_an_add_form(staff_client: Client) -> None:
    ours = [m for m in admin.site._registry if m._meta.app_label == "attention"]
    assert {m.__name__ for m in ours} == {
        "Acknowledgement", "EscalationPolicy", "FollowUp", "QuietHours", "DigestPolicy", "Digest",
    }
    for model in ours:
        base = f"/admin/attention/{model._meta.model_name}/"
        assert staff_client.get(base).status_code == 200, base
        assert staff_client.get(base + "add/").status_code == 200, base
