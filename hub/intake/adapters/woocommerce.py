"""WooCommerce REST API v3: each order becomes a message, read in creation order (GMT).

``Source.url`` is the shop's site address, as WordPress shows it ("Site
Address"): ``https://shop.example.com`` or ``https://example.com/store``. The
adapter asks ``{url}/wp-json/wc/v3/orders``; a URL that already ends in
``/wp-json/wc/v3/orders`` is taken as it is.

First page: ``after=<cursor − overlap>&dates_are_gmt=true&orderby=date&order=asc
&per_page=100``; the rest follow the ``Link: <…>; rel="next"`` header. The
cursor is the latest ``date_created_gmt`` seen; ``cursor_config.overlap``
(seconds, default 300) looks back past orders that share a second or were
committed late, and the dedup key drops what was already stored. The source's
``items_path``, ``fields``, ``pagination`` and cursor ``param``/``field`` are
not read: WooCommerce fixes them.

Auth: ``{"type": "woocommerce", "key_env": "WC_KEY", "secret_env": "WC_SECRET"}``
sends the consumer key and secret by HTTP basic auth; add ``"in": "query"`` for
servers that drop the Authorization header (WooCommerce then echoes them into
its Link header; they are kept out of logs). WooCommerce accepts either only
over HTTPS.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from . import orders
from .base import Item
from .generic import Cursor, GenericAdapter, Paging, Plan, cursor_for

if TYPE_CHECKING:
    from hub.intake.models import Source

ENDPOINT = "/wp-json/wc/v3/orders"
PER_PAGE = 100  # WooCommerce's largest page
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"  # GMT, as dates_are_gmt=true reads it
EVENTS = {"refunded": orders.REFUNDED, "cancelled": orders.CANCELLED, "failed": orders.FAILED}


def orders_url(site: str) -> str:
    parts = urlsplit(site)
    path = parts.path.rstrip("/")
    return urlunsplit(parts._replace(path=path if path.endswith(ENDPOINT) else path + ENDPOINT))


def map_order(raw: Any) -> Item:
    """One WooCommerce order (REST v3 shape) as an Item; ValueError names what is wrong."""
    order = orders.an_object(raw)
    order_id = orders.an_id(order, "id")
    created_at = orders.a_time(order, "date_created_gmt")
    billing = orders.optional_object(order, "billing")
    status = orders.text(order, "status", 40)
    event = EVENTS.get(status, orders.CREATED)
    number = orders.text(order, "number", 40) or order_id
    who = orders.person(billing, "billing.")
    content = orders.sentence(event, f"#{number}", who, orders.amount(order, "total"), orders.text(order, "currency", 10))
    return Item(
        content=content,
        external_id=order_id,
        user_id=orders.an_id(order, "customer_id", required=False),
        user_name=who,
        platform_type=event,
        app=orders.text(order, "created_via", 64),
        created_at=created_at,
        raw=order,
    )


class WooCommerceAdapter(GenericAdapter):
    def plan(self, source: Source) -> Plan:
        overlap: timedelta = cursor_for(source.cursor_config or {}).overlap
        return Plan(
            url=orders_url(source.url),
            items_path="",
            cursor=Cursor(
                param="after", field="date_created_gmt", kind="timestamp", overlap=overlap, time_format=TIME_FORMAT
            ),
            paging=Paging(kind="link_header"),
            params={"orderby": "date", "order": "asc", "per_page": str(PER_PAGE), "dates_are_gmt": "true"},
        )

    def map(self, raw: Any, source: Source) -> Item:
        return map_order(raw)
