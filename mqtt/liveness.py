"""How soon a silent speaker is called down, agreed by speaker and hub.

A speaker frozen in place (SIGSTOP, a hung kernel, a pulled Ethernet cable
behind a switch) keeps its TCP connection open and sends nothing. The broker
notices only after its keepalive × 1.5 and publishes the LWT some time later
(Mosquitto 2.0.11: ~10 s after the freeze at keepalive 5), so the hub does not
wait for it: it calls a speaker down after two heartbeat periods and
:data:`JITTER_S` of silence (one lost QoS 0 heartbeat is not an outage), checked every
:data:`CHECK_EVERY_S`. For that to fall within :func:`silence_bound` the
speaker heartbeats at :func:`heartbeat_period`: its configured interval,
shortened when its keepalive is short.
"""

from __future__ import annotations

import math

CHECK_EVERY_S = 1.0
"""How often the hub's monitor turns heartbeat deadlines into states (its tick)."""

JITTER_S = 1.0
"""How late a heartbeat may arrive (a loaded speaker, broker or hub) and still count: the hub's
grace is one period plus this, so one lost QoS 0 heartbeat is never an outage."""

SLACK_S = CHECK_EVERY_S + JITTER_S + 0.5
"""The monitor's tick, the jitter allowed, and the way from the monitor's decision to the
spoken alert."""


def silence_bound(keepalive_s: int) -> float:
    """Seconds from a speaker's last sign of life to its down alert, at most: keepalive × 1.5 + 2."""
    return keepalive_s * 1.5 + 2


def heartbeat_period(configured_s: int, keepalive_s: int) -> int:
    """Whole seconds between a speaker's heartbeats: ``configured_s``, shortened so that two
    periods and :data:`SLACK_S` fit in :func:`silence_bound` (keepalive 5: 3 s; 10: 7 s; 30: 22 s)."""
    return max(1, min(configured_s, math.floor((silence_bound(keepalive_s) - SLACK_S) / 2)))
