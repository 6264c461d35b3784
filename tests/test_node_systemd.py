"""The systemd unit the speaker image installs: restarted always, stopped with SIGTERM and time to finish."""

from __future__ import annotations

import configparser

from tests.paths import REPO

UNIT = REPO / "firmware_image" / "shopcrier-node.service"


def test_the_unit_restarts_the_node_always_and_stops_it_with_sigterm() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    unit.read_string(UNIT.read_text())
    service = unit["Service"]

    assert service["ExecStart"] == "/usr/local/bin/shopcrier-node --config /etc/shopcrier/node.toml"
    assert (service["Restart"], service["RestartSec"]) == ("always", "2")
    assert (service["KillSignal"], service["TimeoutStopSec"]) == ("SIGTERM", "20")
    assert service["User"] == "shopcrier"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
