"""A real HTTP server shaped like django-oscar-api 3.3's admin orders API (django-oscar 4.2).

From django-oscar-api's documentation and DRF's ``PageNumberPagination``:
``GET /api/admin/orders/`` (staff, HTTP basic here) answers
``{"count", "next", "previous", "results"}``, newest order first, 10 a page,
``?page=N`` (absolute ``next``/``previous`` links, ``null`` at the ends). It
takes no filter and no cursor. An order has no ``id``: its ``number`` is its
identity, and there is no type field. The customer's name is split into
``shipping_address.first_name``/``last_name``. A page past the last one (or not
a number) is ``404 {"detail": "Invalid page."}``; page 1 of an empty list is an
empty page.

``between_pages``: called before each request is answered, so a test can place
new orders while a poll walks the pages; an :class:`Answer` it returns is sent
instead of the page. ``delay``: seconds before each answer.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from tests.platform_servers import Answer, PlatformServer, Request

PAGE_SIZE = 10
PATH = "/api/admin/orders/"
FIRST_NUMBER = 100001


@dataclass(frozen=True)
class Customer:
    first_name: str
    last_name: str


class OscarServer(PlatformServer):
    def __init__(self, user: str = "admin", password: str = "oscar-pass") -> None:
        super().__init__()
        self.user, self.password = user, password
        self.orders: list[dict[str, Any]] = []  # oldest first; served newest first
        self.between_pages: Callable[[Request], Answer | None] | None = None
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"{self.base}{PATH}"

    def place(
        self,
        count: int = 1,
        customer: Customer = Customer("Lei", "Huang"),
        total: str = "50.50",
        currency: str = "GBP",
    ) -> list[dict[str, Any]]:
        """Place ``count`` orders, numbered on from the last (100001, 100002, …)."""
        placed = []
        for _ in range(count):
            n = len(self.orders)
            order: dict[str, Any] = {
                "url": f"{self.base}{PATH}{n + 1}/",
                "number": str(FIRST_NUMBER + n),
                "currency": currency,
                "total_incl_tax": str(Decimal(total)),
                "total_excl_tax": str((Decimal(total) / Decimal("1.2")).quantize(Decimal("0.01"))),
                "shipping_incl_tax": "0.00",
                "shipping_method": "Free shipping",
                "status": "Pending",
                "guest_email": "",
                "date_placed": (datetime(2026, 11, 25, 10, tzinfo=UTC) + timedelta(minutes=n)).isoformat(),
                "shipping_address": {
                    "title": "",
                    "first_name": customer.first_name,
                    "last_name": customer.last_name,
                    "line1": "1 Market Street",
                    "line4": "London",
                    "postcode": "N1 9GU",
                    "country": f"{self.base}/api/countries/GB/",
                    "phone_number": "",
                    "notes": "",
                },
                "billing_address": None,
                "lines": f"{self.base}{PATH}{n + 1}/lines/",
                "owner": f"{self.base}/api/admin/users/1/",
                "email": "customer@example.com",
                "payment_url": None,
                "offer_discounts": [],
                "voucher_discounts": [],
            }
            self.orders.append(order)
            placed.append(order)
        return placed

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def _link(self, query: dict[str, str], page: int) -> str | None:
        # DRF drops ?page= for page 1 of "previous"
        rest = {k: v for k, v in query.items() if k != "page"}
        if page > 1:
            rest["page"] = str(page)
        return f"{self.base}{PATH}" + (f"?{urlencode(rest)}" if rest else "")

    def respond(self, request: Request) -> Answer:
        instead = self.between_pages(request) if self.between_pages is not None else None
        answer = instead or self._page(request)
        answer.delay = self.delay
        return answer

    def _page(self, request: Request) -> Answer:
        if request.path != PATH:
            return Answer.json({"detail": "Not found."}, 404)
        if not self._authorised(request):
            return Answer.json({"detail": "Authentication credentials were not provided."}, 403)
        newest_first = list(reversed(self.orders))
        text = request.query.get("page", "1")
        pages = max(1, -(-len(newest_first) // PAGE_SIZE))
        if not text.isdigit() or not 1 <= int(text) <= pages:
            return Answer.json({"detail": "Invalid page."}, 404)
        page = int(text)
        body = {
            "count": len(newest_first),
            "next": self._link(request.query, page + 1) if page < pages else None,
            "previous": self._link(request.query, page - 1) if page > 1 else None,
            "results": newest_first[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        }
        return Answer.json(body)
