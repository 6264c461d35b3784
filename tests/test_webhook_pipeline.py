"""A web process loads the rules, routes and categories webhooks are recognised with at most once
per ``SHOPCRIER_WEBHOOK_CONFIG_TTL`` (docs/performance.md), and at once again after a change saved
through Django in that process; other processes load them for every use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from hub.intake import webhook_pipeline
from hub.intake.models import Message
from hub.intake.webhook_pipeline import PipelineCache
from hub.pipeline import Pipeline
from hub.rules.models import Category, Rule
from tests.test_intake_webhooks import ORDER, make_source, secret, shopcrier_headers  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


class Loads:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> Pipeline:
        self.n += 1
        return Pipeline.from_db()


def test_a_pipeline_is_loaded_once_per_ttl_and_again_when_forgotten() -> None:
    loads, now = Loads(), [100.0]
    cache = PipelineCache(1.0, load=loads, monotonic=lambda: now[0])
    first = cache.get()
    now[0] += 0.9
    assert cache.get() is first and loads.n == 1
    now[0] += 0.1
    assert cache.get() is not first and loads.n == 2
    cache.forget()
    cache.get()
    assert loads.n == 3


def test_outside_a_web_process_every_use_loads_it() -> None:
    loads = Loads()
    cache = PipelineCache(0.0, load=loads)
    cache.get()
    cache.get()
    assert loads.n == 2


@pytest.fixture
def web_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[PipelineCache]:
    """This process's cache as a web process has it: a TTL far longer than the test."""
    made = PipelineCache(3600.0)
    monkeypatch.setattr(webhook_pipeline, "_cache", made)
    yield made


def post(item: dict[str, Any]) -> None:
    body = json.dumps(item, ensure_ascii=False).encode()
    headers = {k: v for k, v in shopcrier_headers(body).items() if k != "Content-Type"}
    reply = Client().post("/hooks/shop/", body, content_type="application/json", headers=headers)
    assert reply.status_code == 200 and reply.json()["stored"] == 1, reply.content


def category_of(external_id: str) -> str | None:
    category = Message.objects.get(external_id=external_id).category
    return category.slug if category is not None else None


def test_a_rule_saved_in_this_process_applies_to_the_next_webhook_at_once(web_cache: PipelineCache) -> None:
    make_source()
    post(ORDER)
    post({**ORDER, "id": "w-1b", "content": "客户王五提交了订单10024"})
    assert web_cache.loads == 1  # the second webhook used the loaded pipeline
    assert category_of("w-1") == "order"

    refund = Category.objects.get(slug="refund")
    Rule.objects.create(position=0, name="vip-orders-are-refunds", kind="keyword", patterns=["贵宾"], category=refund)
    post({**ORDER, "id": "w-3", "content": "贵宾客户赵六提交了订单10025"})
    assert web_cache.loads == 2
    assert category_of("w-3") == "refund"


def test_a_pipeline_loaded_while_a_change_is_being_saved_is_forgotten_when_it_commits(
    web_cache: PipelineCache, django_capture_on_commit_callbacks: Any
) -> None:
    refund = Category.objects.get(slug="refund")
    with django_capture_on_commit_callbacks(execute=True):
        Rule.objects.create(position=0, name="vip-orders-are-refunds", kind="keyword", patterns=["贵宾"], category=refund)
        web_cache.get()  # a webhook in another thread, before the commit: it sees the rules as they were
        assert web_cache.loads == 1
    web_cache.get()
    assert web_cache.loads == 2  # loaded again after the commit, not kept for the TTL
