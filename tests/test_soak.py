"""The short fault soak (the full one is ``make soak``): 1,000 messages through the whole system
on real processes while the broker, the hub and speakers are SIGKILLed and the platform fails;
nothing lost, nothing said twice, every message stored once, every poison item quarantined."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.run import Soak

pytestmark = pytest.mark.e2e


def test_a_short_soak_with_a_broker_sigkill_loses_nothing_and_says_nothing_twice(tmp_path: Path) -> None:
    result = Soak(tmp_path, messages=1000, rate=40, faults=6).run()
    print("\n" + result.report())
    assert "broker" in result.faults and "hub" in result.faults
    assert result.settled, result.report()
    assert (result.stored, result.duplicates) == (result.sent, 0), result.report()
    assert result.quarantined == result.poison > 0, result.report()
    for row in result.rows:
        assert row.expected > 0 and (row.lost, row.twice) == (0, 0), result.report()
        assert row.receipts == row.played and row.unanswered == 0, result.report()
