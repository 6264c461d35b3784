"""``shopcrier-hub fleet``: enroll, rotate and revoke speakers; write the broker's config.

Every change rewrites the broker's ``passwd`` and ``acl`` (in ``--broker-dir``,
default ``SHOPCRIER_BROKER_DIR`` or DATA_DIR/broker) and, given a broker pid or
pid file (``--broker-pid`` or ``SHOPCRIER_BROKER_PID``), sends it SIGHUP.
Passwords are never printed: each goes only into its node's TOML (mode 0600).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.fleet import access
from hub.fleet.accounts import (
    HOMEASSISTANT_PASSWORD_FILE,
    TOOLS_PASSWORD_FILE,
    AccountError,
    ServiceAccount,
    homeassistant_account,
    hub_account,
    reserved_names,
    tools_account,
)
from hub.fleet.enrol import EnrolError, NodeFile, enroll, revoke, rotate
from hub.org.models import SpeakerNode
from firmware_image.errors import ImageError
from firmware_image.provision import enrolled_image as speaker_image
from mqtt.broker import BrokerConfig, BrokerError

TLS_PORT = 8883
CERTS_HINT = (
    "put the broker's certificates at {dir}/certs/ca.crt, server.crt and server.key "
    "(readable by mosquitto), and each node's copy of ca.crt where its TOML's ?ca= says"
)


class Command(BaseCommand):
    help = "Speaker enrolment and broker access: enroll, rotate, revoke, broker-config."

    def add_arguments(self, parser: CommandParser) -> None:
        subs = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        for name in ("enroll", "rotate"):
            sub = subs.add_parser(name, help=f"{name} a speaker and write its TOML (with its new password)")
            sub.add_argument("node_id")
            if name == "enroll":
                sub.add_argument("--department", required=True, help="the department slug it serves")
                sub.add_argument("--staff", action="append", default=[], help="a staff number it also serves (repeat)")
            sub.add_argument("--out", type=Path, required=True, help="the node TOML to write (mode 0600)")
            sub.add_argument("--broker", default=settings.NODE_BROKER_URL,
                             help="the broker URL nodes use, without credentials (default SHOPCRIER_NODE_BROKER_URL)")
            sub.add_argument("--ca", help="the CA certificate's path on the node (mqtts:// only)")
            sub.add_argument("--node-data-dir", help="data_dir in the node's TOML")
            sub.add_argument("--image", type=Path,
                             help="a golden speaker image: --out is then this speaker's image, its TOML inside")
            sub.add_argument("--hostname", help="with --image: the speaker's host name (default its node id)")
            sub.add_argument("--wifi-ssid", help="with --image: the Wi-Fi network")
            sub.add_argument("--wifi-psk-env", metavar="VAR", help="with --image: the variable holding the Wi-Fi passphrase")
            self._broker_options(sub)
        sub = subs.add_parser("revoke", help="delete a speaker's credential and disable it")
        sub.add_argument("node_id")
        self._broker_options(sub)
        sub = subs.add_parser("broker-config", help="write mosquitto.conf, passwd and acl for production")
        sub.add_argument("--out", type=Path, required=True, help="the broker's directory")
        sub.add_argument("--port", type=int, default=1883, help="the plain listener (loopback, for the hub)")
        sub.add_argument("--tls-port", type=int, default=TLS_PORT, help="the TLS listener, for nodes (0: none)")

    @staticmethod
    def _broker_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--broker-dir", type=Path, default=settings.BROKER_DIR, help="where passwd and acl live")
        sub.add_argument("--broker-pid", default=settings.BROKER_PID, help="the broker's pid or pid file, to SIGHUP")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            hub, tools = hub_account(settings.MQTT_BROKER, settings.DATA_DIR), tools_account(settings.DATA_DIR)
            if action == "broker-config":
                self.broker_config(hub, tools, options["out"], options["port"], options["tls_port"])
                return
            node_id = options["node_id"]
            if action == "enroll":
                node, password = enroll(node_id, options["department"], staff=options["staff"],
                                        reserved=reserved_names(hub, tools))
            elif action == "rotate":
                node, password = rotate(node_id)
            else:
                revoke(node_id)
                self.stdout.write(f"revoked {node_id}")
            if action in ("enroll", "rotate"):
                self.write_node_file(node, password, options)
            self.refresh_broker(hub, tools, options["broker_dir"], options["broker_pid"])
        except (EnrolError, AccountError, access.ReloadError, BrokerError, ImageError) as exc:
            raise CommandError(str(exc)) from None

    def write_node_file(self, node: SpeakerNode, password: str, options: dict[str, Any]) -> None:
        if not options["broker"]:
            raise EnrolError("no broker URL for the node: give --broker or set SHOPCRIER_NODE_BROKER_URL")
        node_file = NodeFile(options["broker"], settings.MQTT_BASE_TOPIC, options["ca"], options["node_data_dir"])
        if options.get("image") is not None:
            self.stdout.write(speaker_image(node_file, node, password, options))
            return
        path = node_file.write(options["out"], node, password)
        self.stdout.write(f"{node.node_id}: wrote its TOML, with its new password, to {path} (mode 0600)")

    def refresh_broker(self, hub: ServiceAccount, tools: ServiceAccount, directory: Path, pid: str) -> None:
        passwd, acl = access.write(directory, access.build(hub, tools, settings.MQTT_BASE_TOPIC, _homeassistant()))
        self.stdout.write(f"rewrote {passwd} and {acl}")
        if access.reload_broker(pid) is None:
            self.stdout.write("no broker pid given: send the broker SIGHUP to apply them")
        else:
            self.stdout.write("the broker re-reads them now (SIGHUP sent)")

    def broker_config(self, hub: ServiceAccount, tools: ServiceAccount, out: Path, port: int, tls_port: int) -> None:
        out = out.resolve()
        passwd, acl = access.write(out, access.build(hub, tools, settings.MQTT_BASE_TOPIC, _homeassistant()))
        certs = out / "certs"
        config = BrokerConfig(
            port=port,
            data_dir=out,
            password_file=passwd,
            acl_file=acl,
            tls_port=tls_port or None,
            cafile=certs / "ca.crt",
            certfile=certs / "server.crt",
            keyfile=certs / "server.key",
        )
        conf = out / "mosquitto.conf"
        access.write_atomically(conf, config.render(), 0o644)
        self.stdout.write(f"wrote {conf}, {passwd} and {acl}")
        self.stdout.write(f"the hub logs in as {hub.username}; the tools account is {tools.username} "
                          f"(its password: {settings.DATA_DIR}/{TOOLS_PASSWORD_FILE}); Home Assistant's is "
                          f"{_homeassistant().username} (its password: {settings.DATA_DIR}/{HOMEASSISTANT_PASSWORD_FILE})")
        if tls_port:
            self.stdout.write(CERTS_HINT.format(dir=out))


def _homeassistant() -> ServiceAccount:
    """Home Assistant's account, its password generated on first use (docs/health.md)."""
    return homeassistant_account(settings.DATA_DIR)
