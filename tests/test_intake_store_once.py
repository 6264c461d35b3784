"""How a page is stored once: on PostgreSQL one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` tells
a new message from a repeat (no savepoint; no look-up first for a single item, as a webhook
brings); on SQLite a savepoint around the batch. Run on both by ``make test``
(script/postgres-tests repeats these on PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.intake.adapters import Item, Page
from hub.intake.models import Message, Source
from hub.intake.store import store_page
from hub.outbox.models import Delivery
from hub.pipeline import Pipeline
from tests.hub_helpers import simulator_source

pytestmark = pytest.mark.django_db


def page(*ids: str) -> Page:
    items = [Item(content=f"客户甲提交了订单{i}", external_id=i, user_id="u", raw={"id": i}) for i in ids]
    return Page(items=items, rejects=[], cursor=None, more=False)


def statements(source: Source, stored: Page) -> tuple[list[str], tuple[int, int, int]]:
    with CaptureQueriesContext(connection) as seen:
        result = store_page(source, stored, Pipeline.from_db())
    return [q["sql"] for q in seen.captured_queries], (result.new, result.duplicates, result.rejected)


def test_a_single_item_is_stored_once_and_its_repeat_adds_nothing() -> None:
    source = simulator_source("http://127.0.0.1:1/")
    first, counts = statements(source, page("1001"))
    assert counts == (1, 0, 0)
    deliveries = Delivery.objects.count()
    assert deliveries > 0 and Message.objects.get().deliveries.count() == deliveries
    again, counts = statements(source, page("1001"))
    assert counts == (0, 1, 0)
    assert (Message.objects.count(), Delivery.objects.count()) == (1, deliveries)
    inserts = [sql for sql in first + again if sql.startswith('INSERT INTO "intake_message"')]
    if connection.vendor == "postgresql":
        # the test's own transaction makes store_page's atomic block a savepoint; none inside it
        assert [sql.split(" ")[0] for sql in first if "SAVEPOINT" in sql] == ["SAVEPOINT", "RELEASE"]
        assert not [sql for sql in first + again if "intake_message" in sql and sql.startswith("SELECT")]
        assert len(inserts) == 2 and all("ON CONFLICT" in sql and "RETURNING" in sql for sql in inserts)
    else:
        assert len(inserts) == 1  # the repeat was found by the look-up, and not inserted


def test_a_page_keeps_its_new_items_beside_one_already_stored() -> None:
    source = simulator_source("http://127.0.0.1:1/")
    statements(source, page("2001"))
    _, counts = statements(source, page("2001", "2002", "2003"))
    assert counts == (2, 1, 0)
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["2001", "2002", "2003"]
    assert all(m.deliveries.exists() and m.category is not None for m in Message.objects.all())
