"""``shopcrier-hub check --deploy``: every warning is resolvable by a documented setting —
``SHOPCRIER_TLS=1`` (behind a TLS proxy) gives HSTS, the HTTPS redirect and secure cookies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO


def check_deploy(data: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPCRIER_DATA_DIR": str(data), **extra}
    for name in ("SHOPCRIER_TLS", "SHOPCRIER_DEBUG", "DATABASE_URL"):
        if name not in extra:
            env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "hub.manage", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_without_tls_the_four_transport_warnings_are_listed(tmp_path: Path) -> None:
    result = check_deploy(tmp_path)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_shopcrier_tls_resolves_every_deploy_warning(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, SHOPCRIER_TLS="1")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "SHOPCRIER_TLS" in (REPO / "docs" / "dashboard.md").read_text(encoding="utf-8")
