"""Any Apprise URL: DingTalk, WeCom and Feishu group bots, Telegram, e-mail, JSON webhooks, …

The URL comes from the environment variable the target names, and never
reaches a log or an error text (its secrets are masked out of Apprise's own
messages).
"""

from __future__ import annotations

import logging
import os
import re

import apprise

from hub.notify.base import Notice, Transport, TransportError
from hub.notify.models import Target

log = logging.getLogger(__name__)


class AppriseTransport:
    def __init__(self, url: str) -> None:
        self.url = url
        self.apprise = apprise.Apprise()
        if not self.apprise.add(url):
            raise TransportError("the URL is not one Apprise understands (check its scheme and parts)", permanent=True)

    def notify(self, notice: Notice) -> None:
        body = render_body(notice)
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
            ok = self.apprise.notify(title=notice.title, body=body, body_format=apprise.NotifyFormat.TEXT)
        if not ok:
            said = " ".join(str(captured.getvalue()).split())
            raise TransportError(mask(said, self.url) or "the service did not accept the notification")


def render_body(notice: Notice) -> str:
    """The body, links after the text, and the notification's id last (so a repeat can be told apart)."""
    lines = [notice.body]
    if notice.url:
        lines.append(notice.url)
    if notice.ack_url:
        lines.append(notice.ack_url)
    lines.append(f"#{notice.id}")
    return "\n".join(lines)


def mask(text: str, url: str) -> str:
    """``text`` with every secret-looking piece of ``url`` (tokens, passwords, keys) replaced by ``***``."""
    pieces = sorted({p for p in re.split(r"[/:@?&=#]+", url) if len(p) >= 6}, key=len, reverse=True)
    for piece in pieces:
        text = text.replace(piece, "***")
    return text[:500]


def make(target: Target) -> Transport:
    if not target.url_env:
        raise TransportError(f"target {target.name}: no url_env names the variable with its Apprise URL", permanent=True)
    url = os.environ.get(target.url_env, "").strip()
    if not url:
        raise TransportError(f"target {target.name}: the environment variable {target.url_env} is not set")
    return AppriseTransport(url)
