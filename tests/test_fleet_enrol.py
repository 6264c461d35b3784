"""`shopcrier-hub fleet`: enrolment, rotation, revocation, the broker's files and the node's TOML."""

from __future__ import annotations

import base64
import io
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hub import env
from hub.fleet.accounts import ServiceAccount, hub_account
from hub.fleet.models import NodeCredential
from hub.org.models import SpeakerNode
from mqtt import BrokerSettings, Route
from mqtt.acl import node_grants, render_acl
from mqtt.passwd import check_password, hash_password
from node.config import load
from tests.test_fleet_broker import make_org

BROKER = "mqtts://hub.example:8883"
CA_ON_NODE = "/etc/shopcrier/ca.crt"


def test_a_hash_is_the_one_mosquitto_passwd_writes_for_the_same_salt(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "alice", "s3cret:é"], check=True)
    written = passwd.read_text().strip().split(":", 1)[1]
    salt = written.split("$")[3]
    assert hash_password("s3cret:é", salt=base64.b64decode(salt)) == written
    assert check_password("s3cret:é", written)
    assert not check_password("s3cret", written)
    assert not check_password("x", "not-a-hash")


def test_a_nodes_acl_names_its_own_topics_only() -> None:
    grants = node_grants("spk-1", [Route("ops", "orders"), Route("ops", "orders", "007")])
    assert render_acl({"spk-1": grants}).splitlines()[1:] == [
        "",
        "user spk-1",
        "topic read shopcrier/announce/all",
        "topic read shopcrier/announce/ops/orders",
        "topic read shopcrier/announce/ops/orders/007",
        "topic read shopcrier/node/spk-1/config",
        "topic read shopcrier/node/spk-1/cmd",
        "topic read shopcrier/node/spk-1/announce",
        "topic read shopcrier/node/spk-1/stored",
        "topic write shopcrier/node/spk-1/status",
        "topic write shopcrier/node/spk-1/heartbeat",
        "topic write shopcrier/node/spk-1/receipt",
        "topic write shopcrier/node/spk-1/reply",
        "topic write shopcrier/node/spk-1/missed",
    ]


def fleet(*args: str, broker_dir: Path) -> str:
    out = io.StringIO()
    call_command("fleet", *args, "--broker-dir", str(broker_dir), "--broker-pid", "", stdout=out)
    return out.getvalue()


def enroll_args(node_id: str, out: Path) -> list[str]:
    return ["enroll", node_id, "--department", "orders", "--staff", "007", "--out", str(out),
            "--broker", BROKER, "--ca", CA_ON_NODE]


@pytest.mark.django_db
def test_enroll_writes_a_private_node_toml_that_the_node_loads_and_keeps_only_the_hash(tmp_path: Path) -> None:
    make_org()
    toml = tmp_path / "node" / "spk-1.toml"
    output = fleet(*enroll_args("spk-1", toml), broker_dir=tmp_path / "broker")

    assert stat.S_IMODE(toml.stat().st_mode) == 0o600
    settings = load(toml)
    assert settings.id == "spk-1"
    assert (settings.broker.host, settings.broker.port, settings.broker.tls) == ("hub.example", 8883, True)
    assert settings.broker.username == "spk-1" and settings.broker.ca_file == CA_ON_NODE
    assert settings.routes == (Route("ops", "orders"), Route("ops", "orders", "007"))
    password = settings.broker.password
    assert password and password not in output

    stored = NodeCredential.objects.get(node__node_id="spk-1").password_hash
    assert password not in stored and check_password(password, stored)
    assert f"spk-1:{stored}\n" in (tmp_path / "broker" / "passwd").read_text()
    assert "user spk-1\n" in (tmp_path / "broker" / "acl").read_text()


@pytest.mark.django_db
def test_enroll_refuses_a_node_enrolled_already_a_service_account_name_and_an_unknown_department(
    tmp_path: Path,
) -> None:
    make_org()
    fleet(*enroll_args("spk-1", tmp_path / "a.toml"), broker_dir=tmp_path)
    with pytest.raises(CommandError, match="enrolled already"):
        fleet(*enroll_args("spk-1", tmp_path / "b.toml"), broker_dir=tmp_path)
    with pytest.raises(CommandError, match="service account"):
        fleet(*enroll_args(env.HUB_MQTT_USER, tmp_path / "c.toml"), broker_dir=tmp_path)
    with pytest.raises(CommandError, match="no department 'nowhere'"):
        fleet("enroll", "spk-2", "--department", "nowhere", "--out", str(tmp_path / "d.toml"),
              "--broker", BROKER, broker_dir=tmp_path)
    assert not (tmp_path / "b.toml").exists() and not (tmp_path / "c.toml").exists()


@pytest.mark.django_db
def test_rotate_issues_a_new_password_and_revoke_removes_the_account(tmp_path: Path) -> None:
    make_org()
    toml = tmp_path / "spk-1.toml"
    fleet(*enroll_args("spk-1", toml), broker_dir=tmp_path)
    old = load(toml).broker.password
    fleet("rotate", "spk-1", "--out", str(toml), "--broker", BROKER, broker_dir=tmp_path)
    new = load(toml).broker.password
    assert old and new and old != new
    stored = NodeCredential.objects.get(node__node_id="spk-1").password_hash
    assert check_password(new, stored) and not check_password(old, stored)

    assert "revoked spk-1" in fleet("revoke", "spk-1", broker_dir=tmp_path)
    assert not SpeakerNode.objects.get(node_id="spk-1").enabled
    assert not NodeCredential.objects.filter(node__node_id="spk-1").exists()
    assert "spk-1" not in (tmp_path / "passwd").read_text() + (tmp_path / "acl").read_text()
    with pytest.raises(CommandError, match="not enrolled"):
        fleet("revoke", "spk-1", broker_dir=tmp_path)


@pytest.mark.django_db
def test_broker_config_writes_a_tls_listener_and_refuses_anonymous_clients(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("fleet", "broker-config", "--out", str(tmp_path), stdout=out)
    conf = (tmp_path / "mosquitto.conf").read_text().splitlines()
    assert "allow_anonymous false" in conf
    assert f"password_file {tmp_path}/passwd" in conf and f"acl_file {tmp_path}/acl" in conf
    assert conf[-7:] == [
        "listener 8883 0.0.0.0",
        "use_username_as_clientid true",
        f"cafile {tmp_path}/certs/ca.crt",
        f"certfile {tmp_path}/certs/server.crt",
        f"keyfile {tmp_path}/certs/server.key",
        "require_certificate false",
        "tls_version tlsv1.2",
    ]
    users = [line.split(":")[0] for line in (tmp_path / "passwd").read_text().splitlines()]
    assert users == ["shopcrier-homeassistant", "shopcrier-hub", "shopcrier-hub-monitor", "shopcrier-tools"]
    assert "certs/ca.crt" in out.getvalue()


def test_the_hub_uses_its_generated_broker_account_unless_the_url_names_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOPCRIER_MQTT_URL", raising=False)
    assert env.broker(tmp_path).username is None
    account = hub_account(BrokerSettings.from_url("mqtt://127.0.0.1"), tmp_path)
    assert (env.broker(tmp_path).username, env.broker(tmp_path).password) == (account.username, account.password)
    assert stat.S_IMODE((tmp_path / env.HUB_MQTT_PASSWORD_FILE).stat().st_mode) == 0o600

    monkeypatch.setenv("SHOPCRIER_MQTT_URL", "mqtt://hub:pw@127.0.0.1")
    assert env.broker(tmp_path).username == "hub"
    assert hub_account(env.broker(tmp_path), tmp_path) == ServiceAccount("hub", "pw")
