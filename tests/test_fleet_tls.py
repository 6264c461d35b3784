"""The production broker shape: a TLS listener with a server certificate, nodes log in
with the password from the TOML that `fleet enroll` wrote; and the command's SIGHUP."""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from hub.fleet import access
from hub.fleet.accounts import hub_account, tools_account
from mqtt import BrokerSettings, Link
from mqtt.broker import BrokerConfig, Mosquitto, free_port
from node.config import load
from tests.fleet_helpers import Client
from tests.test_fleet_broker import make_org

pytestmark = pytest.mark.django_db


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A self-signed CA and a server certificate for 127.0.0.1 (EC keys: quick to make)."""
    directory.mkdir(parents=True)
    ca_key, ca, key, csr, cert = (directory / n for n in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt"))
    ext = directory / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(ca_key), "-out", str(ca), "-days", "2", "-subj", "/CN=ShopCrier test CA")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
            "-out", str(cert), "-days", "2", "-extfile", str(ext))
    return ca, cert, key


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    make_org()
    ca, cert, key = make_certificates(tmp_path / "certs")
    hub = hub_account(BrokerSettings.from_url("mqtt://127.0.0.1"), tmp_path)
    passwd, acl = access.write(tmp_path / "access", access.build(hub, tools_account(tmp_path), "shopcrier"))
    broker = Mosquitto(BrokerConfig(
        port=free_port(), data_dir=tmp_path / "broker", password_file=passwd, acl_file=acl,
        tls_port=free_port(), tls_bind="127.0.0.1", cafile=ca, certfile=cert, keyfile=key,
    ))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def enroll(tmp_path: Path, broker: Mosquitto, node_id: str) -> Path:
    toml = tmp_path / f"{node_id}.toml"
    pid_file = tmp_path / "mosquitto.pid"
    assert broker.process is not None
    pid_file.write_text(f"{broker.process.pid}\n")
    url = f"mqtts://127.0.0.1:{broker.config.tls_port}"
    call_command("fleet", "enroll", node_id, "--department", "orders", "--out", str(toml), "--broker", url,
                 "--ca", str(broker.config.cafile), "--broker-dir", str(tmp_path / "access"),
                 "--broker-pid", str(pid_file), stdout=io.StringIO())
    return toml


def test_an_enrolled_node_connects_over_tls_with_the_toml_it_was_given(tmp_path: Path, tls_broker: Mosquitto) -> None:
    settings = load(enroll(tmp_path, tls_broker, "spk-tls")).broker
    # The command's SIGHUP makes the broker re-read the files: poll until it takes the new account.
    deadline = time.monotonic() + 5
    while True:
        link = Link(settings, "spk-tls", clean_start=True, session_expiry=0)
        link.start()
        connected = link.wait_connected(1)
        link.stop(timeout=1)
        if connected:
            break
        assert time.monotonic() < deadline, "the enrolled node never got in over TLS"


def test_over_tls_a_wrong_password_is_refused_too(tmp_path: Path, tls_broker: Mosquitto) -> None:
    assert tls_broker.config.tls_port is not None and tls_broker.config.cafile is not None
    client = Client(tls_broker.config.tls_port, "spk-nobody", "wrong", ca=str(tls_broker.config.cafile))
    try:
        assert not client.connect()
    finally:
        client.close()
