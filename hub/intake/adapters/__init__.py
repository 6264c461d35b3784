"""Adapters turn one platform's replies into :class:`~hub.intake.adapters.base.Page` objects."""

from __future__ import annotations

from .base import Adapter, FetchError, Item, Page, Reject
from .generic import GenericAdapter
from .shopify import ShopifyAdapter
from .woocommerce import WooCommerceAdapter

ADAPTERS: dict[str, Adapter] = {
    "generic": GenericAdapter(),
    "woocommerce": WooCommerceAdapter(),
    "shopify": ShopifyAdapter(),
    # The simulator speaks the generic shape; hub.simulator.SOURCE_PRESET sets its fields.
    "simulator": GenericAdapter(),
}


def adapter_for(name: str) -> Adapter:
    try:
        return ADAPTERS[name]
    except KeyError:
        raise FetchError(f"unknown adapter {name!r}; known: {', '.join(sorted(ADAPTERS))}") from None


__all__ = [
    "ADAPTERS",
    "Adapter",
    "FetchError",
    "GenericAdapter",
    "Item",
    "Page",
    "Reject",
    "ShopifyAdapter",
    "WooCommerceAdapter",
    "adapter_for",
]
