from channels.routing import URLRouter
from django.urls import path

from .consumers import FeedConsumer

websocket_urlpatterns = URLRouter([path("ws/feed", FeedConsumer.as_asgi())])  # type: ignore[list-item,arg-type]
