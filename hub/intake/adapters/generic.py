"""Any JSON API: a list at ``items_path``, fields mapped by dotted path, a cursor, pages, auth, ETag.

:class:`GenericAdapter` reads everything from the source (see :func:`plan_for`);
the platform adapters (woocommerce, shopify) are the same machine with a fixed
:class:`Plan` and their own :meth:`GenericAdapter.map`. One reply becomes one
:class:`Page`: bad items are rejects beside the good ones, never a lost page;
a reply that cannot be read at all is a :class:`FetchError` naming why.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests

from . import transport
from .base import FetchError, Item, Page, Reject
from .compose import compose, is_template, read_amount, read_currency
from .decode import flaw, json_body, printable, snippet
from .transport import read_capped, redact, with_query, without_query

if TYPE_CHECKING:
    from hub.intake.models import Source

MAX_CONTENT = 10_000
DEFAULT_OVERLAP = 300  # seconds a timestamp cursor looks back; repeats are dropped by the dedup key
MAX_STATE = 200  # Source.cursor and Source.etag hold this many characters; longer values are not kept

__all__ = ["GenericAdapter", "Plan", "auth_for", "dig", "map_item", "page_url", "parse_time", "plan_for", "read_capped"]


def dig(obj: Any, path: str) -> Any:
    """``dig({"a": {"b": 1}}, "a.b") == 1``; None where the path does not lead."""
    for key in path.split(".") if path else []:
        if isinstance(obj, dict):
            obj = obj.get(key)
        elif isinstance(obj, list) and key.isdigit() and int(key) < len(obj):
            obj = obj[int(key)]
        else:
            return None
    return obj


def parse_time(value: Any) -> datetime:
    """An aware datetime from ISO 8601 text (no offset means UTC) or epoch seconds (milliseconds past 1e11)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        seconds = value / 1000 if abs(value) >= 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"{value!r} is not a time") from None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise ValueError(f"{value!r} is not an ISO 8601 time or epoch seconds")


def format_time(moment: datetime, pattern: str = "") -> str:
    """``moment`` in UTC: ISO 8601 with ``Z``, or ``strftime(pattern)``."""
    utc = moment.astimezone(UTC)
    return utc.strftime(pattern) if pattern else utc.isoformat().replace("+00:00", "Z")


# -- auth ------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """What a request carries to prove who asks; ``secrets`` are kept out of every error message."""

    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    basic: tuple[str, str] | None = None
    secrets: tuple[str, ...] = ()


def auth_for(source: Source) -> Credentials:
    """Credentials for ``source.auth``. Secrets come from the environment variables it names.

    ``none``; ``bearer`` (token_env); ``basic`` (user, password_env); ``header``
    (name, value_env); ``query`` (param, value_env); ``woocommerce`` (key_env,
    secret_env; HTTP basic, or query parameters with ``"in": "query"``);
    ``shopify`` (token_env, sent as X-Shopify-Access-Token).
    """
    auth = source.auth or {}
    kind = auth.get("type", "none")

    def secret(key: str) -> str:
        name = auth.get(key)
        if not name:
            raise FetchError(f"auth {kind}: {key} is not set")
        value = os.environ.get(name)
        if value is None:
            raise FetchError(f"auth {kind}: environment variable {name} is not set")
        return value

    if kind == "none":
        return Credentials()
    if kind == "bearer":
        token = secret("token_env")
        return Credentials(headers={"Authorization": f"Bearer {token}"}, secrets=(token,))
    if kind == "basic":
        password = secret("password_env")
        return Credentials(basic=(str(auth.get("user", "")), password), secrets=(password,))
    if kind == "header":
        value = secret("value_env")
        return Credentials(headers={str(auth.get("name", "")): value}, secrets=(value,))
    if kind == "query":
        value = secret("value_env")
        return Credentials(params={str(auth.get("param", "")): value}, secrets=(value,))
    if kind == "woocommerce":
        key, key_secret = secret("key_env"), secret("secret_env")
        if auth.get("in") == "query":
            return Credentials(params={"consumer_key": key, "consumer_secret": key_secret}, secrets=(key, key_secret))
        return Credentials(basic=(key, key_secret), secrets=(key, key_secret))
    if kind == "shopify":
        token = secret("token_env")
        return Credentials(headers={"X-Shopify-Access-Token": token}, secrets=(token,))
    raise FetchError(f"auth type {kind!r} is not none, bearer, basic, header, query, woocommerce or shopify")


# -- what to ask for -------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a listing resumes: ``param`` sent, taken from each item's ``field``.

    ``kind`` "id": the greatest numeric id (never below the stored one), else
    the last id in reply order. ``kind`` "timestamp": the latest time seen, sent ``overlap`` earlier
    (formatted with ``time_format``, a strftime pattern; "" is ISO 8601 with Z).
    """

    param: str = "since_id"
    field: str = "id"
    kind: Literal["id", "timestamp"] = "id"
    overlap: timedelta = timedelta(seconds=DEFAULT_OVERLAP)
    time_format: str = ""


@dataclass(frozen=True)
class Paging:
    """How one listing continues within a poll: ``kind`` none, link_header, next (``path``) or page.

    ``newest_first``: a page-numbered listing whose page 1 holds the newest items
    and that ignores any cursor (django-oscar-api's orders, DRF's
    PageNumberPagination). The poller walks it from page 1 until a page holds only
    items it already had (hub.intake.walk); the source's stored cursor holds that
    walk's progress instead of a cursor value, and no cursor parameter is sent.
    """

    kind: Literal["none", "link_header", "next", "page"] = "none"
    path: str = ""
    param: str = "page"
    size_param: str = ""
    size: int = 0
    newest_first: bool = False


@dataclass(frozen=True)
class Plan:
    """Everything a fetch needs to know about one listing; ``params`` go on its first page."""

    url: str
    items_path: str
    cursor: Cursor
    paging: Paging
    params: Mapping[str, str] = field(default_factory=dict)


def cursor_for(config: Mapping[str, Any]) -> Cursor:
    kind = config.get("type", "id")
    if kind not in ("id", "timestamp"):
        raise FetchError(f"cursor type {kind!r} is not id or timestamp")
    overlap = config.get("overlap", DEFAULT_OVERLAP)
    if isinstance(overlap, bool) or not isinstance(overlap, (int, float)) or not 0 <= overlap <= 86400:
        raise FetchError(f"cursor overlap {overlap!r} is not a number of seconds from 0 to 86400")
    # A cursor table without "param" (or with "") sends none: an API that takes no cursor.
    return Cursor(
        param=str(config.get("param", "since_id") or ""),
        field=str(config.get("field") or "id"),
        kind=kind,
        overlap=timedelta(seconds=overlap),
    )


def paging_for(config: Mapping[str, Any]) -> Paging:
    kind = config.get("type") or "none"
    if kind == "none":
        return Paging()
    if kind == "link_header":
        return Paging(kind="link_header")
    if kind == "next":
        path = config.get("path")
        if not isinstance(path, str) or not path:
            raise FetchError('pagination "next" needs the path of the next link, e.g. "links.next"')
        return Paging(kind="next", path=path)
    if kind == "page":
        size = config.get("size", 0)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise FetchError(f"pagination page size {size!r} is not a whole number")
        order = config.get("order", "oldest_first")
        if order not in ("oldest_first", "newest_first"):
            raise FetchError(f"pagination order {order!r} is not oldest_first or newest_first")
        return Paging(
            kind="page",
            param=str(config.get("param") or "page"),
            size_param=str(config.get("size_param") or ""),
            size=size,
            newest_first=order == "newest_first",
        )
    raise FetchError(f"pagination type {kind!r} is not link_header, next or page")


def plan_for(source: Source) -> Plan:
    """The generic plan: every setting from the source (docs/config.md, "Adapters")."""
    return Plan(
        url=source.url,
        items_path=source.items_path,
        cursor=cursor_for(source.cursor_config or {}),
        paging=paging_for(source.pagination or {}),
    )


# -- mapping one item ------------------------------------------------------


def _text(raw: dict[str, Any], path: str | None, name: str, max_len: int = 200) -> str:
    """The field at ``path``, or ``path`` composed as a template (hub.intake.adapters.compose)."""
    if not path:
        return ""
    if is_template(path):
        text = compose(raw, path, name, dig)
    else:
        value = dig(raw, path)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError(f"{name} ({path}) must be text, not {type(value).__name__}")
        text = str(value).strip()
    if len(text) > max_len:
        raise ValueError(f"{name} ({path}) is {len(text)} characters long (at most {max_len})")
    return text


def _time(raw: dict[str, Any], path: str | None, name: str) -> datetime | None:
    value = dig(raw, path) if path else None
    if value is None or value == "":
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise ValueError(f"{name} ({path}): {exc}") from None


def map_item(raw: Any, fields: dict[str, str], *, item_type: str = "", language: str = "") -> Item:
    """Map one raw item; ValueError names the field that is wrong.

    ``item_type``: the platform type of every item of the source (when the item has
    none of its own); ``language``: the source's language ("" = detect it per message).
    """
    if not isinstance(raw, dict):
        raise ValueError(f"item must be an object, not {type(raw).__name__}")
    content = _text(raw, fields.get("content", "content"), "content", MAX_CONTENT)
    if not content:
        raise ValueError(f"content ({fields.get('content', 'content')}) is missing or empty")
    amount_path, currency_path = fields.get("amount", ""), fields.get("currency", "")
    return Item(
        content=content,
        external_id=_text(raw, fields.get("id"), "id"),
        user_id=_text(raw, fields.get("user_id"), "user_id"),
        user_name=_text(raw, fields.get("user"), "user"),
        platform_type=_text(raw, fields.get("type"), "type", 100) or item_type,
        app=_text(raw, fields.get("app"), "app", 64),
        created_at=_time(raw, fields.get("created_at"), "created_at"),
        raw=raw,
        amount=read_amount(dig(raw, amount_path), amount_path) if amount_path else None,
        currency=read_currency(dig(raw, currency_path), currency_path) if currency_path else "",
        lang=language,
    )


# -- the cursor and the next page -----------------------------------------


def cursor_params(cursor: Cursor, current: str) -> dict[str, str]:
    """The query that resumes after ``current`` (the source's stored cursor)."""
    if not current or not cursor.param:
        return {}
    if cursor.kind == "id":
        return {cursor.param: current}
    try:
        since = parse_time(current) - cursor.overlap
    except ValueError:
        raise FetchError(f"stored cursor {current!r} is not a time; clear it to start over") from None
    return {cursor.param: format_time(since, cursor.time_format)}


def _position(raw: Any, cursor: Cursor) -> Any:
    value = dig(raw, cursor.field) if isinstance(raw, dict) else None
    if isinstance(value, str) and 0 < len(value) <= MAX_STATE and not flaw(value):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


def advance(cursor: Cursor, current: str, raw_items: list[Any]) -> str | None:
    """The cursor after these items (bad ones included: they are quarantined, not fetched forever)."""
    positions = [p for p in (_position(raw, cursor) for raw in raw_items) if p is not None]
    if cursor.kind == "timestamp":
        times = []
        for position in [current, *positions] if current else positions:
            try:
                times.append(parse_time(position))
            except ValueError:
                continue
        return format_time(max(times)) if times else None
    numbers = [int(p) for p in positions if isinstance(p, int) or (isinstance(p, str) and p.isascii() and p.isdigit())]
    if numbers and (not current or (current.isascii() and current.isdigit())):
        # A bad item's odd id is quarantined with it; it must not pull the cursor back.
        return str(max(numbers + ([int(current)] if current else [])))
    return str(positions[-1]) if positions else None


def first_page_params(paging: Paging) -> dict[str, str]:
    if paging.kind != "page":
        return {}
    return {paging.param: "1", **({paging.size_param: str(paging.size)} if paging.size_param and paging.size else {})}


def page_url(plan: Plan, number: int) -> str:
    """The URL of page ``number`` of a page-numbered listing (its first-page query included)."""
    return with_query(plan.url, {**plan.params, **first_page_params(plan.paging), plan.paging.param: str(number)})


def past_the_end(paging: Paging, reply: transport.Reply) -> bool:
    """Whether a later page's 404/400 says the page does not exist: the listing ended there.

    DRF answers a page past the last with 404 ``{"detail": "Invalid page."}``; others
    say 400 with "page" in the message. A full last page makes any client ask for it.
    """
    if paging.kind != "page" or reply.status not in (HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST):
        return False
    return "page" in reply.body[:2000].decode("utf-8", "replace").lower()


def next_link(paging: Paging, reply: transport.Reply, data: Any, count: int) -> tuple[str | None, str]:
    """The next page's URL (absolute, on the same host), or None; and why a link was refused."""
    if paging.kind == "none" or count == 0:  # an empty page ends the listing, whatever it links to
        return None, ""
    if paging.kind == "page":
        if paging.size and count < paging.size:
            return None, ""
        current = dict(parse_qsl(urlsplit(reply.url).query)).get(paging.param, "1")
        number = int(current) + 1 if current.isascii() and current.isdigit() else 2
        return with_query(reply.url, {paging.param: str(number)}), ""
    if paging.kind == "link_header":
        link: Any = reply.links.get("next", {}).get("url")
        where = "the Link header"
    else:
        link = dig(data, paging.path)
        where = repr(paging.path)
    if link is None or link == "":
        return None, ""
    if not isinstance(link, str) or flaw(link):
        return None, f"next page link at {where} is not a URL ({type(link).__name__}); pagination stopped"
    target = urljoin(reply.url, link.strip())
    here, there = urlsplit(reply.url), urlsplit(target)
    if there.scheme not in ("http", "https") or there.netloc != here.netloc:
        return None, f"next page link at {where} leaves {here.netloc} for {there.netloc or there.scheme}; refused"
    return target, ""


def _retry_seconds(reply: transport.Reply) -> float | None:
    """Retry-After in seconds (the delta form; an HTTP date is rare from APIs and left to backoff)."""
    retry = reply.headers.get("Retry-After", "").strip()
    try:
        seconds = float(retry)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 86400 else None


def _status_error(reply: transport.Reply) -> str:
    try:
        phrase = HTTPStatus(reply.status).phrase
    except ValueError:
        phrase = ""
    text = f"HTTP {reply.status} {phrase}".rstrip()
    retry = reply.headers.get("Retry-After", "").strip()
    if retry:
        wait = f"{retry} s" if retry.replace(".", "", 1).isdigit() else f"until {retry}"
        text += f": the platform asks to wait {wait} (Retry-After)"
    body = " ".join(printable(reply.body[:400].decode("utf-8", "replace")).split())
    return f"{text}: {body[:200]}" if body else text


# -- the adapter -----------------------------------------------------------


class GenericAdapter:
    """Fetch one page of a JSON listing. Subclasses change :meth:`plan` and :meth:`map`."""

    def plan(self, source: Source) -> Plan:
        return plan_for(source)

    def map(self, raw: Any, source: Source) -> Item:
        """One raw item as an Item; ValueError (naming the field) makes it a reject."""
        return map_item(raw, source.fields, item_type=source.item_type, language=source.language)

    def fetch(self, source: Source, session: requests.Session, url: str | None = None) -> Page:
        credentials = auth_for(source)
        try:
            return self._fetch(source, session, url, credentials)
        except FetchError as exc:
            raise FetchError(
                redact(str(exc), credentials.secrets),
                raw=redact(exc.raw, credentials.secrets),
                retry_after=exc.retry_after,
            ) from None

    def _fetch(self, source: Source, session: requests.Session, url: str | None, credentials: Credentials) -> Page:
        plan = self.plan(source)
        headers = dict(credentials.headers)
        if url is None:
            # A newest-first walk keeps its progress where the cursor would be (hub.intake.walk).
            resume = {} if plan.paging.newest_first else cursor_params(plan.cursor, source.cursor)
            query = {**plan.params, **resume, **first_page_params(plan.paging)}
            target = with_query(plan.url, query) if query else plan.url
            if source.etag:
                headers["If-None-Match"] = source.etag
        else:
            target = url
        if credentials.params:
            target = with_query(target, credentials.params)
        reply = transport.get(session, target, headers, credentials.basic)
        if reply.status in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED):
            return Page(items=[], rejects=[], cursor=None, more=False)  # nothing new; the cursor stays
        if url is not None and past_the_end(plan.paging, reply):
            return Page(items=[], rejects=[], cursor=None, more=False)  # the listing ended on a full page
        raw = reply.body[:2000].decode("utf-8", "replace")
        if reply.status != HTTPStatus.OK:
            raise FetchError(_status_error(reply), raw=raw, retry_after=_retry_seconds(reply))
        try:
            data = json_body(reply)
        except FetchError as exc:
            raise FetchError(str(exc), raw=raw) from None
        raw_items = dig(data, plan.items_path) if plan.items_path else data
        if not isinstance(raw_items, list):
            found = "nothing" if raw_items is None else f"a {type(raw_items).__name__}"
            raise FetchError(f"reply has no list at {plan.items_path or 'the top level'!r} (found {found})", raw=raw)
        items, rejects = self.take(raw_items, source)
        cursor = None if plan.paging.newest_first else advance(plan.cursor, source.cursor, raw_items)
        next_url, refused = next_link(plan.paging, reply, data, len(raw_items))
        if refused:
            rejects.append(Reject(reason=redact(refused, credentials.secrets), raw=""))
        if next_url is not None:
            # A platform may echo query credentials into its links: keep them out of
            # the poller's logs; they are added again when the link is fetched.
            next_url = without_query(next_url, credentials.params)
            if next_url == without_query(reply.url, credentials.params):
                next_url = None  # a page that links to itself is the last one
        more = plan.paging.kind == "none" and bool(raw_items) and cursor is not None and cursor != source.cursor
        etag = reply.headers.get("ETag") if url is None else None
        if etag is not None and len(etag) > MAX_STATE:
            etag = None
        return Page(items=items, rejects=rejects, cursor=cursor, more=more, next_url=next_url, etag=etag)

    def take(self, raw_items: list[Any], source: Source) -> tuple[list[Item], list[Reject]]:
        """Good items in reply order, and a reject (with its reason) for each bad one."""
        items: list[Item] = []
        rejects: list[Reject] = []
        for raw in raw_items:
            why = flaw(raw)
            if not why:
                try:
                    items.append(self.map(raw, source))
                    continue
                except ValueError as exc:
                    why = str(exc)
            rejects.append(Reject(reason=why, raw=snippet(raw)))
        return items, rejects
