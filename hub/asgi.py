"""ASGI entry point (daphne): HTTP through Django, the dashboard's websockets through Channels.

Sockets must come from an allowed host's page (the origin check) and carry a
session (AuthMiddlewareStack); the consumers refuse anonymous ones.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

from hub.env import mark_web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
mark_web_process()  # before the settings: a web process pools its database connections
django_asgi = get_asgi_application()  # sets Django up before the consumers are imported

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from dashboard.routing import websocket_urlpatterns  # noqa: E402
from hub.intake.webhook_asgi import WebhookFastPath  # noqa: E402

application = ProtocolTypeRouter(
    {
        # /hooks/ without the dashboard's middleware, on a fixed set of threads (hub/intake/webhook_asgi.py)
        "http": WebhookFastPath(django_asgi),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(websocket_urlpatterns)),
    }
)
