"""``POST /api/messages/<id>/ack`` with ``{"by": "003"}`` and ``Authorization: Bearer <SHOPCRIER_API_TOKEN>``."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hub.intake.models import Message

from .ack import acknowledge


def _authorised(request: HttpRequest) -> bool:
    token: str = settings.API_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    # no token configured: the API is closed, not open
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), token.encode())


def _refuse() -> JsonResponse:
    response = JsonResponse({"error": "a valid bearer token is required"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="shopcrier"'
    return response


@csrf_exempt  # token-authenticated, no cookies
@require_POST
def ack(request: HttpRequest, message_id: int) -> JsonResponse:
    if not _authorised(request):
        return _refuse()
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    by = body.get("by") if isinstance(body, dict) else None
    if not isinstance(by, str) or not by.strip() or len(by) > 100:
        return JsonResponse({"error": '"by" must name who acknowledges (1-100 characters)'}, status=400)
    try:
        acknowledgement, first = acknowledge(message_id, by.strip(), timezone.now())
    except Message.DoesNotExist:
        return JsonResponse({"error": f"no message {message_id}"}, status=404)
    return JsonResponse(
        {"message": message_id, "by": acknowledgement.by, "at": acknowledgement.at.isoformat(), "first": first},
        status=201 if first else 200,
    )
