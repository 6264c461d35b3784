"""Corrections teach it: an admin reclassifies a stored message in the admin, the correction
is kept as a labelled example, the model retrains on its own, and dump/load carry it."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from hub.confio.dump import dump_config
from hub.confio.load import apply_config
from hub.confio.parse import parse_text
from hub.intake.adapters import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.pipeline import Pipeline
from hub.rules.models import Example

pytestmark = pytest.mark.django_db

FIRST = "平台保证金解冻申请：商家张三，保证金 3000"
NEXT = "平台保证金解冻申请：商家李四，保证金 5000"


def arrive(source: Source, content: str, external_id: str) -> Message:
    page = Page(items=[Item(content=content, external_id=external_id)], rejects=[], cursor=None, more=False)
    store_page(source, page, Pipeline.from_db())
    return Message.objects.get(source=source, external_id=external_id)


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("lin", "lin@example.com", "pw"))
    return client


def reclassify_in_admin(client: Client, message: Message, slug: str) -> None:
    reply = client.post(
        "/admin/intake/message/", {"action": f"reclassify_as_{slug}", "_selected_action": [str(message.pk)]}, follow=True
    )
    assert reply.status_code == 200
    assert "reclassified as" in reply.content.decode()


def test_a_correction_in_the_admin_changes_how_the_next_similar_message_is_classified(admin_client: Client) -> None:
    source = Source.objects.create(name="shop", url="http://127.0.0.1:9/api")
    first = arrive(source, FIRST, "1")
    assert first.category is not None and first.category.slug != "withdrawal"

    reclassify_in_admin(admin_client, first, "withdrawal")
    first.refresh_from_db()
    assert (first.category and first.category.slug, first.rule, first.needs_review) == ("withdrawal", "correction", False)
    [example] = Example.objects.all()
    assert (example.content, example.category.slug) == (FIRST, "withdrawal")
    assert "correction of message" in example.note and "by lin" in example.note

    following = arrive(source, NEXT, "2")  # the running pipeline retrains on its own
    assert following.category is not None and following.category.slug == "withdrawal"
    assert following.rule == "correction"


def test_classify_train_retrains_now_and_says_on_what() -> None:
    out = io.StringIO()
    call_command("classify", "--train", stdout=out)
    assert "corpus lines and 0 stored example(s)" in out.getvalue()


def test_dump_and_load_carry_the_examples(admin_client: Client) -> None:
    source = Source.objects.create(name="shop", url="http://127.0.0.1:9/api")
    reclassify_in_admin(admin_client, arrive(source, FIRST, "1"), "withdrawal")
    text = dump_config()
    assert "[[examples]]" in text and FIRST in text
    assert not apply_config(parse_text(text, "dump.toml")).changed

    Example.objects.all().delete()
    report = apply_config(parse_text(text, "dump.toml"))
    assert report.counts("examples")[0] == 1
    assert arrive(source, NEXT, "2").rule == "correction"


def test_an_example_added_in_the_admin_teaches_it_too(admin_client: Client) -> None:
    from hub.rules.models import Category

    withdrawal = Category.objects.get(slug="withdrawal")
    reply = admin_client.post("/admin/rules/example/add/", {"content": FIRST, "category": str(withdrawal.pk), "note": "by hand"})
    assert reply.status_code == 302, reply.content.decode()[:2000]
    source = Source.objects.create(name="shop", url="http://127.0.0.1:9/api")
    assert arrive(source, NEXT, "2").category == withdrawal
