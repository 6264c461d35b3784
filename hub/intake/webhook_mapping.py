"""What a verified webhook body becomes: a :class:`Page` of items and rejects, with no cursor.

- generic and simulator: one item, a list of items, or an object holding the
  list at the source's ``items_path``; each item is mapped with the source's
  ``fields`` exactly as a polled one.
- woocommerce and shopify: one order object, as both platforms send it.

A body of the wrong shape raises :class:`WebhookShapeError`; an item that cannot
be mapped becomes a :class:`Reject` (quarantined), and the good ones beside it
are stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .adapters import Item, Page, Reject, shopify, woocommerce
from .adapters.generic import dig, map_item
from .models import Source

# One request, one transaction: a bigger batch would hold the write lock too long.
MAX_BATCH_ITEMS = 1000

# Both platforms push the same order object their REST API lists.
ORDER_MAPPERS: dict[str, Callable[[Any], Item]] = {
    "woocommerce": woocommerce.map_order,
    "shopify": shopify.map_order,
}


class WebhookShapeError(ValueError):
    """The body is JSON, but not what this source's platform sends; ``status`` is the HTTP answer."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def _snippet(raw: Any, limit: int = 500) -> str:
    return json.dumps(raw, ensure_ascii=False)[:limit]


def _page(raw_items: list[Any], mapper: Callable[[Any], Item]) -> Page:
    items: list[Item] = []
    rejects: list[Reject] = []
    for raw in raw_items:
        try:
            items.append(mapper(raw))
        except ValueError as exc:
            rejects.append(Reject(reason=str(exc), raw=_snippet(raw)))
    return Page(items=items, rejects=rejects, cursor=None, more=False)


def _generic_items(source: Source, data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        listed = dig(data, source.items_path)
        return listed if isinstance(listed, list) else [data]
    raise WebhookShapeError(
        f"body must be an item object, a list of items, or an object with the list at "
        f"{source.items_path!r}; not {type(data).__name__}"
    )


def page_for(source: Source, data: Any) -> Page:
    """The page to store for ``source`` from a parsed, verified body."""
    if source.adapter in ("generic", "simulator"):
        raw_items = _generic_items(source, data)
        if len(raw_items) > MAX_BATCH_ITEMS:
            raise WebhookShapeError(
                f"batch of {len(raw_items)} items exceeds the {MAX_BATCH_ITEMS}-item cap; send smaller batches", 413
            )
        return _page(raw_items, lambda raw: map_item(raw, source.fields, item_type=source.item_type, language=source.language))
    mapper = ORDER_MAPPERS.get(source.adapter)
    if mapper is None:
        raise WebhookShapeError(f"source {source.name!r} has adapter {source.adapter!r}, which takes no webhooks", 503)
    if not isinstance(data, dict):
        raise WebhookShapeError(f"a {source.adapter} webhook body must be one order object, not {type(data).__name__}")
    return _page([data], mapper)
