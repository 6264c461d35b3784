"""ShopCrier's installed version for ``shopcrier-node --version`` (the node does not import the hub)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def version_line(program: str) -> str:
    """``shopcrier-node 0.1.0 (ShopCrier)``; "unknown" from a tree that was never installed."""
    try:
        found = version("shopcrier")
    except PackageNotFoundError:
        found = "unknown"
    return f"{program} {found} (ShopCrier)"
