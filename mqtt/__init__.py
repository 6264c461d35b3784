"""ShopCrier's MQTT contract: topics, payloads, the client factory, broker config.

Hub, node, dashboard and tests import this package; no topic string is built
anywhere else.
"""

from .client import Connected, Disconnected, Link, LinkEvent, Received, is_acked, wait_all
from .errors import PayloadError
from .messages import (
    Alert,
    Announcement,
    Command,
    DepartmentName,
    Event,
    Heartbeat,
    HubStatus,
    NodeConfig,
    NodeStatus,
    PRIORITIES,
    Priority,
    QuietHours,
    Receipt,
    Reply,
    Route,
)
from .messages import MissedRequest, ReceiptKey, ReceiptsStored, Redelivery
from .topics import DEFAULT_BASE, Topic
from .url import DEFAULT_URL, BrokerSettings, BrokerURLError

__all__ = [
    "Alert",
    "Announcement",
    "BrokerSettings",
    "BrokerURLError",
    "Command",
    "Connected",
    "DepartmentName",
    "DEFAULT_BASE",
    "DEFAULT_URL",
    "Disconnected",
    "Event",
    "Heartbeat",
    "HubStatus",
    "Link",
    "LinkEvent",
    "NodeConfig",
    "NodeStatus",
    "PRIORITIES",
    "PayloadError",
    "Priority",
    "QuietHours",
    "Receipt",
    "Received",
    "Reply",
    "Route",
    "MissedRequest",
    "ReceiptKey",
    "ReceiptsStored",
    "Redelivery",
    "Topic",
    "is_acked",
    "wait_all",
]
