"""Real HTTP servers on 127.0.0.1 that speak each platform's shape, for the adapter tests.

Each honours the query parameters its platform documents, paginates the way it
does (``Link: <…>; rel="next"`` headers, a next link in the body, page
numbers), checks credentials, and records every request it was sent. A test
queues a canned :class:`Answer` (an HTML page, bad bytes, a slow or endless
reply) with :meth:`PlatformServer.fail_next`; the next request gets it instead.

Bodies are JSON encoded with ``surrogateescape``: a string holding ``"\\udce9"``
goes on the wire as the raw byte 0xE9, which is how a test sends non-UTF-8.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit


def encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogateescape")


@dataclass
class Answer:
    """One reply. ``length`` False: no Content-Length, the body ends when the connection closes.

    ``delay``: seconds before anything is sent; ``drip``: seconds between the body's bytes.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: bool = True
    delay: float = 0.0
    drip: float = 0.0

    @classmethod
    def json(cls, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
        return cls(status, encode(body), {"Content-Type": "application/json; charset=UTF-8", **(headers or {})})


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: PlatformServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        request = Request(url.path, query, {k.lower(): v for k, v in self.headers.items()})
        answer = self.server.answer(request)
        try:
            self._send(answer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a slow answer: that is the point of the test

    def _send(self, answer: Answer) -> None:
        time.sleep(answer.delay)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.length:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if answer.drip:
            for i in range(len(answer.body)):
                self.wfile.write(answer.body[i : i + 1])
                self.wfile.flush()
                time.sleep(answer.drip)
        else:
            self.wfile.write(answer.body)


class PlatformServer(ThreadingHTTPServer):
    """A platform on a free loopback port. Use as a context manager; ``base`` is its root URL."""

    daemon_threads = True
    block_on_close = False  # a test that stops waiting must not wait for a dripping handler

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Request] = []
        self._faults: deque[Answer] = deque()
        self._lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fail_next(self, *answers: Answer) -> None:
        """The next requests get these answers, in order, instead of the platform's own."""
        with self._lock:
            self._faults.extend(answers)

    def answer(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            fault = self._faults.popleft() if self._faults else None
        return fault or self.respond(request)

    def respond(self, request: Request) -> Answer:
        raise NotImplementedError

    def __enter__(self) -> Self:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.shutdown()
        self.server_close()


def link_header(links: dict[str, str]) -> dict[str, str]:
    return {"Link": ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())} if links else {}


# -- a generic JSON API ----------------------------------------------------


class GenericServer(PlatformServer):
    """``GET /api/messages``: ``{"data": {"items": [...]}, "links": {"next": ...}}``.

    Items have an integer ``id`` and an ISO ``updated_at``. ``since_id`` keeps
    ids above it; ``updated_after`` keeps later times (compared as times).
    ``paging``: "none" (the first ``page_size`` items), "link_header", "next"
    (links.next in the body) or "page" (``page``/``per_page``). ``auth``:
    (header name, expected value) or ("?param", value). With ``etags`` it sends
    an ETag and answers a matching If-None-Match with 304.
    """

    def __init__(self, paging: str = "none", page_size: int = 100) -> None:
        super().__init__()
        self.items: list[dict[str, Any]] = []
        self.paging = paging
        self.page_size = page_size
        self.auth: tuple[str, str] | None = None
        self.etags = False

    def add(self, count: int = 1, **fields: Any) -> list[dict[str, Any]]:
        added = []
        for _ in range(count):
            n = len(self.items) + 1
            item = {
                "id": n,
                "user": {"id": f"u{n}", "name": f"Customer {n}"},
                "content": f"Customer {n} placed order #{1000 + n}",
                "type": "order.created",
                "app": "web",
                "updated_at": (datetime(2026, 11, 25, 10, tzinfo=UTC) + timedelta(minutes=n)).isoformat(),
                **fields,
            }
            self.items.append(item)
            added.append(item)
        return added

    def _authorised(self, request: Request) -> bool:
        if self.auth is None:
            return True
        name, value = self.auth
        if name.startswith("?"):
            return request.query.get(name[1:]) == value
        return request.headers.get(name.lower()) == value

    def _selected(self, request: Request) -> list[dict[str, Any]]:
        items = self.items
        if "since_id" in request.query:
            since = int(request.query["since_id"])
            items = [i for i in items if isinstance(i.get("id"), int) and i["id"] > since]
        if "updated_after" in request.query:
            after = datetime.fromisoformat(request.query["updated_after"])
            items = sorted(
                (i for i in items if datetime.fromisoformat(i["updated_at"]) > after),
                key=lambda i: datetime.fromisoformat(i["updated_at"]),
            )
        return items

    def respond(self, request: Request) -> Answer:
        if request.path != "/api/messages":
            return Answer.json({"error": "not found"}, 404)
        if not self._authorised(request):
            return Answer.json({"error": "unauthorised"}, 401)
        items = self._selected(request)
        body: dict[str, Any] = {"data": {"items": []}, "links": {"next": None}}
        headers: dict[str, str] = {}
        size = int(request.query.get("per_page", self.page_size))
        page = int(request.query.get("page", "1")) if self.paging in ("page", "link_header", "next") else 1
        chunk = items[(page - 1) * size : page * size]
        body["data"]["items"] = chunk
        if self.paging in ("link_header", "next") and page * size < len(items):
            following = f"{self.base}{request.path}?{urlencode({**request.query, 'page': page + 1})}"
            if self.paging == "link_header":
                headers.update(link_header({"next": following}))
            else:
                body["links"]["next"] = following
        data = encode(body)
        if self.etags:
            tag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            if request.headers.get("if-none-match") == tag:
                return Answer(304, b"", {"ETag": tag})
            headers["ETag"] = tag
        return Answer(200, data, {"Content-Type": "application/json", **headers})


class EndlessLinkServer(PlatformServer):
    """A listing whose every page links to a new next page: one fresh item each, for ever."""

    def respond(self, request: Request) -> Answer:
        page = int(request.query.get("page", "1"))
        body = {"data": {"items": [{"id": page, "content": f"message {page}"}]}}
        return Answer.json(body, headers=link_header({"next": f"{self.base}/api/messages?page={page + 1}"}))


class LoopingLinkServer(PlatformServer):
    """Page 1 links to page 2, and page 2 back to page 1."""

    def respond(self, request: Request) -> Answer:
        page = int(request.query.get("page", "1"))
        other = 2 if page == 1 else 1
        body = {"data": {"items": [{"id": page, "content": f"message {page}"}]}}
        return Answer.json(body, headers=link_header({"next": f"{self.base}/api/messages?page={other}"}))


# -- WooCommerce -----------------------------------------------------------


@dataclass
class WooOrder:
    """An order as the shop stores it: ``created`` (aware) decides filters; ``body`` is what is sent."""

    created: datetime
    body: dict[str, Any]


class WooServer(PlatformServer):
    """WooCommerce REST v3 ``GET {site}/wp-json/wc/v3/orders``, as its API documentation describes.

    Parameters: ``page``, ``per_page`` (1..100, default 10), ``after`` (exclusive,
    in the site's time zone unless ``dates_are_gmt=true``), ``orderby`` (date,
    id), ``order`` (asc, desc; default desc). Auth: the consumer key and secret
    by HTTP basic auth or as ``consumer_key``/``consumer_secret`` parameters.
    Replies carry X-WP-Total, X-WP-TotalPages and a Link header whose URLs repeat
    every request parameter, as WordPress builds them.
    """

    def __init__(self, key: str, secret: str, site_path: str = "", site_tz: timezone = timezone(timedelta(hours=-5))) -> None:
        super().__init__()
        self.key, self.secret = key, secret
        self.site_path = site_path
        self.site_tz = site_tz
        self.orders: list[WooOrder] = []

    @property
    def site(self) -> str:
        return self.base + self.site_path

    def add(self, created: datetime, first: str = "Jane", last: str = "Doe", total: Any = "89.90", **fields: Any) -> WooOrder:
        order_id = 1000 + len(self.orders) + 1
        local = created.astimezone(self.site_tz).replace(tzinfo=None)
        gmt = created.astimezone(UTC).replace(tzinfo=None)
        address = {"first_name": first, "last_name": last, "company": "", "address_1": "969 Market", "address_2": "",
                   "city": "San Francisco", "state": "CA", "postcode": "94103", "country": "US"}
        body: dict[str, Any] = {
            "id": order_id, "parent_id": 0, "number": str(order_id), "order_key": f"wc_order_{order_id}",
            "created_via": "checkout", "version": "9.4.2", "status": "processing", "currency": "USD",
            "date_created": local.isoformat(), "date_created_gmt": gmt.isoformat(),
            "date_modified": local.isoformat(), "date_modified_gmt": gmt.isoformat(),
            "discount_total": "0.00", "shipping_total": "10.00", "total": total, "total_tax": "0.00",
            "prices_include_tax": False, "customer_id": 0, "customer_note": "",
            "billing": {**address, "email": "jane@example.com", "phone": "(555) 555-5555"},
            "shipping": address, "payment_method": "bacs", "payment_method_title": "Direct Bank Transfer",
            "line_items": [{"id": 1, "name": "Woo Single #1", "product_id": 93, "quantity": 2, "total": "79.90"}],
            "refunds": [], "meta_data": [],
        }
        body.update(fields)
        order = WooOrder(created, body)
        self.orders.append(order)
        return order

    def _error(self, status: int, code: str, message: str) -> Answer:
        return Answer.json({"code": code, "message": message, "data": {"status": status}}, status)

    def _authorised(self, request: Request) -> bool:
        basic = "Basic " + base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        query = (request.query.get("consumer_key"), request.query.get("consumer_secret"))
        return request.headers.get("authorization") == basic or query == (self.key, self.secret)

    def respond(self, request: Request) -> Answer:
        if request.path != f"{self.site_path}/wp-json/wc/v3/orders":
            return self._error(404, "rest_no_route", "No route was found matching the URL and request method.")
        if not self._authorised(request):
            return self._error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        q = request.query
        per_page, page = int(q.get("per_page", "10")), int(q.get("page", "1"))
        if not 1 <= per_page <= 100:
            return self._error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        orders = list(self.orders)
        if "after" in q:
            after = datetime.fromisoformat(q["after"])
            if after.tzinfo is None:
                after = after.replace(tzinfo=UTC if q.get("dates_are_gmt") == "true" else self.site_tz)
            orders = [o for o in orders if o.created.replace(microsecond=0) > after]
        key = (lambda o: o.created) if q.get("orderby", "date") == "date" else (lambda o: o.body.get("id", 0))
        orders.sort(key=key, reverse=q.get("order", "desc") == "desc")
        pages = max(1, -(-len(orders) // per_page))
        if page > pages:
            return self._error(400, "woocommerce_rest_invalid_page_number", "The page number requested is larger than the number of pages available.")
        links = {}
        if page > 1:
            links["prev"] = f"{self.base}{request.path}?{urlencode({**q, 'page': page - 1})}"
        if page < pages:
            links["next"] = f"{self.base}{request.path}?{urlencode({**q, 'page': page + 1})}"
        headers = {"X-WP-Total": str(len(orders)), "X-WP-TotalPages": str(pages), **link_header(links)}
        return Answer.json([o.body for o in orders[(page - 1) * per_page : page * per_page]], headers=headers)


# -- Shopify ---------------------------------------------------------------


@dataclass
class ShopifyOrder:
    """An order as the shop stores it: ``id`` decides filters and order; ``body`` is what is sent."""

    id: int
    body: dict[str, Any]
    closed: bool = False


class ShopifyServer(PlatformServer):
    """Shopify Admin REST ``GET /admin/api/2024-10/orders.json``, as its API documentation describes.

    ``since_id`` keeps ids above it, in id order; without it the newest come
    first. ``status`` defaults to "open" (cancelled orders hidden); "any" shows
    all. ``limit`` 1..250, default 50. Pages follow ``Link`` URLs holding an
    opaque ``page_info``, which refuses any other parameter but ``limit``.
    The X-Shopify-Access-Token header must hold the token.
    """

    PATH = "/admin/api/2024-10/orders.json"

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.orders: list[ShopifyOrder] = []

    def add(self, first: str = "Bob", last: str = "Norman", total: str = "199.00", **fields: Any) -> ShopifyOrder:
        number = 1001 + len(self.orders)
        order_id = 450789469 + 1000 * len(self.orders)
        created = datetime(2026, 11, 25, 10, tzinfo=timezone(timedelta(hours=-5))) + timedelta(minutes=len(self.orders))
        customer = {"id": 207119551 + number, "email": "bob.norman@mail.example.com", "first_name": first,
                    "last_name": last, "state": "disabled", "currency": "USD"}
        body: dict[str, Any] = {
            "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}", "name": f"#{number}",
            "order_number": number, "number": number - 1000, "email": customer["email"],
            "created_at": created.isoformat(), "updated_at": created.isoformat(), "processed_at": created.isoformat(),
            "cancelled_at": None, "closed_at": None, "currency": "USD", "presentment_currency": "USD",
            "financial_status": "paid", "fulfillment_status": None, "source_name": "web",
            "subtotal_price": total, "total_price": total, "total_tax": "0.00", "total_discounts": "0.00",
            "customer": customer, "billing_address": {"first_name": first, "last_name": last, "city": "Ottawa"},
            "line_items": [{"id": 466157049, "title": "IPod Nano - 8gb", "quantity": 1, "price": total}],
            "refunds": [],
        }
        body.update(fields)
        order = ShopifyOrder(order_id, body, closed=bool(body.get("cancelled_at")))
        self.orders.append(order)
        return order

    def _page_info(self, state: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")

    def _state(self, page_info: str) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(page_info + "=" * (-len(page_info) % 4)))
        return decoded

    def respond(self, request: Request) -> Answer:
        headers = {"X-Shopify-Shop-Api-Call-Limit": f"{len(self.requests)}/40"}
        if request.path != self.PATH:
            return Answer.json({"errors": "Not Found"}, 404)
        if request.headers.get("x-shopify-access-token") != self.token:
            return Answer.json({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}, 401)
        q = request.query
        limit = int(q.get("limit", "50"))
        if not 1 <= limit <= 250:
            return Answer.json({"errors": {"limit": "must be between 1 and 250"}}, 400)
        if "page_info" in q:
            if set(q) - {"page_info", "limit", "fields"}:
                return Answer.json({"errors": {"page_info": "Unable to use other query params with page_info"}}, 400)
            state = self._state(q["page_info"])
        else:
            state = {"since_id": int(q["since_id"]) if "since_id" in q else None, "status": q.get("status", "open"), "offset": 0}
        orders = [o for o in self.orders if state["status"] == "any" or not o.closed]
        if state["since_id"] is not None:
            orders = sorted((o for o in orders if o.id > state["since_id"]), key=lambda o: o.id)
        else:
            orders = sorted(orders, key=lambda o: o.id, reverse=True)
        offset = state["offset"]
        links = {}
        if offset > 0:
            links["previous"] = f"{self.base}{self.PATH}?{urlencode({'limit': limit, 'page_info': self._page_info({**state, 'offset': max(0, offset - limit)})})}"
        if offset + limit < len(orders):
            links["next"] = f"{self.base}{self.PATH}?{urlencode({'limit': limit, 'page_info': self._page_info({**state, 'offset': offset + limit})})}"
        headers.update(link_header(links))
        return Answer.json({"orders": [o.body for o in orders[offset : offset + limit]]}, headers=headers)
