"""Shopify Admin REST API: each order becomes a message, resumed after the greatest order id.

``Source.url`` is the shop's address, ``https://my-shop.myshopify.com``; the
adapter asks ``{url}/admin/api/2024-10/orders.json``. A URL that already holds
``/admin/api/`` is taken as it is (to pin another API version).

First page: ``since_id=<cursor>&limit=250&status=any`` (no since_id before the
first order is stored). The rest follow the ``Link: <…>; rel="next"`` header
as they are: a ``page_info`` link carries the filter itself, and Shopify refuses
one with since_id or status beside it. The cursor is the greatest order id seen.
The source's ``items_path``, ``fields``, ``pagination`` and ``cursor_config``
are not read: Shopify fixes them.

Auth: ``{"type": "shopify", "token_env": "SHOPIFY_TOKEN"}``, the Admin API
access token, sent as ``X-Shopify-Access-Token``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from . import orders
from .base import Item
from .generic import Cursor, GenericAdapter, Paging, Plan

if TYPE_CHECKING:
    from hub.intake.models import Source

API_VERSION = "2024-10"
LIMIT = 250  # Shopify's largest page
REFUNDED = ("refunded", "partially_refunded")


def orders_url(shop: str) -> str:
    parts = urlsplit(shop)
    if "/admin/api/" in parts.path:
        return shop
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/admin/api/{API_VERSION}/orders.json"))


def map_order(raw: Any) -> Item:
    """One Shopify order (Admin REST shape) as an Item; ValueError names what is wrong."""
    order = orders.an_object(raw)
    order_id = orders.an_id(order, "id")
    created_at = orders.a_time(order, "created_at")
    customer = orders.optional_object(order, "customer")
    billing = orders.optional_object(order, "billing_address")
    who = orders.person(customer, "customer.") or orders.person(billing, "billing_address.")
    financial = orders.text(order, "financial_status", 40)
    if order.get("cancelled_at"):
        event = orders.CANCELLED
    elif financial in REFUNDED:
        event = orders.REFUNDED
    else:
        event = orders.CREATED
    name = orders.text(order, "name", 40) or f"#{orders.text(order, 'order_number', 40) or order_id}"
    content = orders.sentence(
        event,
        name,
        who,
        orders.amount(order, "total_price"),
        orders.text(order, "currency", 10),
        partly=financial == "partially_refunded",
    )
    return Item(
        content=content,
        external_id=order_id,
        user_id=orders.an_id(customer, "id", required=False),
        user_name=who,
        platform_type=event,
        app=orders.text(order, "source_name", 64),
        created_at=created_at,
        raw=order,
    )


class ShopifyAdapter(GenericAdapter):
    def plan(self, source: Source) -> Plan:
        return Plan(
            url=orders_url(source.url),
            items_path="orders",
            cursor=Cursor(param="since_id", field="id", kind="id"),
            paging=Paging(kind="link_header"),
            params={"limit": str(LIMIT), "status": "any"},
        )

    def map(self, raw: Any, source: Source) -> Item:
        return map_order(raw)
