"""Who may see the hub's details: a logged-in dashboard user, or a caller with the API token.

``SHOPCRIER_API_TOKEN`` unset means no token opens anything (closed, not open).
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest


def has_api_token(request: HttpRequest) -> bool:
    """``Authorization: Bearer <SHOPCRIER_API_TOKEN>``, compared in constant time."""
    token: str = settings.API_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def may_see_details(request: HttpRequest) -> bool:
    """A logged-in user or the API token; anonymous callers get summaries only."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated) or has_api_token(request)
