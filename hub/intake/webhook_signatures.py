"""Is a webhook body signed with the source's secret? One check per platform.

- WooCommerce: ``X-WC-Webhook-Signature: base64(HMAC-SHA256(secret, body))``.
- Shopify: ``X-Shopify-Hmac-Sha256: base64(HMAC-SHA256(secret, body))``.
- generic and simulator (ShopCrier's own scheme):
  ``X-ShopCrier-Timestamp: <unix seconds>`` and
  ``X-ShopCrier-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``;
  the timestamp is signed with the body, so an old request cannot be replayed
  outside :data:`REPLAY_WINDOW_SECONDS`.

:func:`verify` returns None or raises :class:`BadSignature` naming the problem.
Digests are compared with :func:`hmac.compare_digest` (constant time).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

REPLAY_WINDOW_SECONDS = 300

WOOCOMMERCE_HEADER = "X-WC-Webhook-Signature"
SHOPIFY_HEADER = "X-Shopify-Hmac-Sha256"
SIGNATURE_HEADER = "X-ShopCrier-Signature"
TIMESTAMP_HEADER = "X-ShopCrier-Timestamp"

_UNIX_SECONDS = re.compile(r"\d{1,12}")


class BadSignature(Exception):
    """The request is not proven to come from the platform; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _same(expected: str, given: str) -> bool:
    # compare_digest refuses non-ASCII str; bytes take any header a client sends
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace"))


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value:
        raise BadSignature(f"{name} header is missing")
    return value


def _base64_hmac(header: str, secret: bytes, headers: Mapping[str, str], body: bytes) -> None:
    given = _header(headers, header)
    expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii")
    if not _same(expected, given):
        raise BadSignature(f"{header} does not match the body (wrong secret, or the body was altered)")


def _shopcrier(secret: bytes, headers: Mapping[str, str], body: bytes, now: float) -> None:
    timestamp = _header(headers, TIMESTAMP_HEADER)
    if not _UNIX_SECONDS.fullmatch(timestamp):
        raise BadSignature(f"{TIMESTAMP_HEADER} {timestamp[:40]!r} is not unix seconds")
    signature = _header(headers, SIGNATURE_HEADER)
    scheme, _, given = signature.partition("=")
    if scheme != "sha256" or not given:
        raise BadSignature(f"{SIGNATURE_HEADER} must read sha256=<hex digest>")
    expected = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    if not _same(expected, given.lower()):
        raise BadSignature(f"{SIGNATURE_HEADER} does not match the timestamp and body (wrong secret, or altered)")
    # Checked after the signature, so only a holder of the secret learns about the clock.
    skew = int(now) - int(timestamp)
    if abs(skew) > REPLAY_WINDOW_SECONDS:
        raise BadSignature(
            f"{TIMESTAMP_HEADER} is {abs(skew)} s {'old' if skew > 0 else 'in the future'}, outside the "
            f"{REPLAY_WINDOW_SECONDS} s window: refused as a possible replay (or the sender's clock is wrong)"
        )


def verify(adapter: str, secret: bytes, headers: Mapping[str, str], body: bytes, now: float) -> None:
    """Accept ``body`` only if signed with ``secret`` the way ``adapter``'s platform signs it.

    ``headers`` must look up names case-insensitively (Django's ``request.headers`` does);
    ``now`` is unix seconds.
    """
    if adapter == "woocommerce":
        _base64_hmac(WOOCOMMERCE_HEADER, secret, headers, body)
    elif adapter == "shopify":
        _base64_hmac(SHOPIFY_HEADER, secret, headers, body)
    else:
        _shopcrier(secret, headers, body, now)
