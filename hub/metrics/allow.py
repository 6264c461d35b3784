"""Who may scrape ``/metrics`` without the API token: ``SHOPCRIER_METRICS_ALLOW``, a comma-separated
list of addresses or networks (``127.0.0.1,10.0.0.0/8``). Unset: the token only."""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(name: str, values: list[str]) -> list[Network]:
    """Each value as a network; ValueError naming the variable and the bad value."""
    found = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"{name}: {value!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
    return found


def allowed(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
