"""The broker accounts that are not speakers: the hub's, the read-only tools' and Home Assistant's.

Their owners must log in, so their passwords exist in plain text somewhere:

- hub: the user and password in ``SHOPCRIER_MQTT_URL`` when it has them; else
  ``shopcrier-hub`` with a password generated once into the data dir
  (``mqtt-hub.password``, mode 0600), which ``hub.env.broker`` then uses;
- tools: ``shopcrier-tools`` with a password generated once into the data dir
  (``mqtt-tools.password``), for the admin to hand to whoever runs the tool;
- Home Assistant: ``shopcrier-homeassistant`` with a password generated once
  into the data dir (``mqtt-homeassistant.password``), for Home Assistant's
  MQTT integration (what it may do: :func:`mqtt.acl.homeassistant_grants`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from hub import env
from mqtt import BrokerSettings

TOOLS_USER = "shopcrier-tools"
HOMEASSISTANT_USER = "shopcrier-homeassistant"
HOMEASSISTANT_PASSWORD_FILE = "mqtt-homeassistant.password"
# The broker takes each login's user name as its client id (``use_username_as_clientid``), so no
# login can take over another's session and wipe its queue. Each broker link of a hub process
# therefore logs in as its own account: the hub account itself (the publisher, whose session
# queues receipts) and one per role here, named ``<hub user>-<role>``. A new hub link adds its role.
MONITOR_ROLE = "monitor"
HUB_ROLES = (MONITOR_ROLE,)
TOOLS_PASSWORD_FILE = "mqtt-tools.password"
SECRET_BYTES = 24


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class ServiceAccount:
    username: str
    password: str

    def __repr__(self) -> str:  # never print the password
        return f"ServiceAccount({self.username!r})"

    __str__ = __repr__


def hub_account(broker: BrokerSettings, data_dir: Path) -> ServiceAccount:
    if broker.username is not None:
        if not broker.password:
            raise AccountError("SHOPCRIER_MQTT_URL names a user but no password")
        return ServiceAccount(broker.username, broker.password)
    path = data_dir / env.HUB_MQTT_PASSWORD_FILE
    return ServiceAccount(env.HUB_MQTT_USER, env.generated_secret(path, SECRET_BYTES))


def tools_account(data_dir: Path) -> ServiceAccount:
    return ServiceAccount(TOOLS_USER, env.generated_secret(data_dir / TOOLS_PASSWORD_FILE, SECRET_BYTES))


def homeassistant_account(data_dir: Path) -> ServiceAccount:
    return ServiceAccount(HOMEASSISTANT_USER, env.generated_secret(data_dir / HOMEASSISTANT_PASSWORD_FILE, SECRET_BYTES))


def role_username(hub_username: str, role: str) -> str:
    return f"{hub_username}-{role}"


def hub_logins(hub: ServiceAccount) -> list[ServiceAccount]:
    """Every account the hub's links log in with: the hub account, then one per role (same password)."""
    return [hub, *(ServiceAccount(role_username(hub.username, role), hub.password) for role in HUB_ROLES)]


def role_settings(broker: BrokerSettings, role: str) -> BrokerSettings:
    """``broker`` logging in as the hub's ``role`` account; unchanged for an anonymous broker."""
    if broker.username is None:
        return broker
    return replace(broker, username=role_username(broker.username, role))


def reserved_names(hub: ServiceAccount, tools: ServiceAccount) -> frozenset[str]:
    """User names a speaker cannot have: they belong to the service accounts (and are client ids)."""
    hubs = {hub.username, env.HUB_MQTT_USER}
    roles = {role_username(name, role) for name in hubs for role in HUB_ROLES}
    return frozenset({*hubs, *roles, tools.username, TOOLS_USER, HOMEASSISTANT_USER})
