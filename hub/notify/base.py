"""The one small interface every channel implements, and how a channel is found by its kind."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .models import Target


@dataclass(frozen=True)
class Notice:
    """What one send says.

    ``id``: the notification's key, carried to the other side so a repeat can be
    recognised. ``url``: the message in the dashboard; ``ack_url``: a signed,
    single-use link that acknowledges it. ``count``: how many messages it stands
    for (more than one for a digest).
    """

    id: str
    title: str
    body: str
    category: str
    priority: str
    url: str | None = None
    ack_url: str | None = None
    count: int = 1


class TransportError(Exception):
    """A send failed. ``permanent``: trying again cannot help (a bad URL, a revoked
    subscription); otherwise the sender retries with back-off."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def notify(self, notice: Notice) -> None:
        """Deliver ``notice``; return on success, raise :class:`TransportError` otherwise."""
        ...


class TransportFactory(Protocol):
    def __call__(self, target: Target) -> Transport: ...


def kinds() -> list[str]:
    """The channel packages present: a folder in ``hub/notify/channels`` is a kind."""
    from . import channels

    return sorted(m.name for m in pkgutil.iter_modules(channels.__path__) if m.ispkg)


def transport_for(target: Target) -> Transport:
    """The transport of ``target``'s kind (``hub.notify.channels.<kind>.transport.make``).

    Raises :class:`TransportError` (permanent) for a kind no package provides."""
    if target.kind not in kinds():
        raise TransportError(f"no channel package for kind {target.kind!r} (have: {', '.join(kinds())})", permanent=True)
    module = importlib.import_module(f"hub.notify.channels.{target.kind}.transport")
    factory: TransportFactory = module.make
    return factory(target)
