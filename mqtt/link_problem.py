"""Why a link to the broker is not up, in words an operator can act on.

paho hands a failed connect no exception (its ``on_connect_fail`` is called
inside the ``except`` that caught it), so :func:`why_connect_failed` reads the
one being handled. The words never carry a password: the broker is named by
its URL as :class:`~mqtt.url.BrokerSettings` prints it.
"""

from __future__ import annotations

import socket
import ssl

from paho.mqtt.reasoncodes import ReasonCode


def describe_os_error(exc: BaseException | None) -> str:
    """One line for an error met while connecting; never a repr."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (nothing listens at that host and port)"
    if isinstance(exc, socket.gaierror):
        return "unknown host name (DNS cannot resolve it)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "no answer (the connection timed out)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed ({exc.reason or 'unknown reason'})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[:1].lower() + exc.strerror[1:]
    return "connection failed" if exc is None else f"connection failed ({type(exc).__name__})"


def describe_refusal(reason: ReasonCode) -> str:
    """The broker answered CONNECT with a failure code."""
    name = str(reason)
    hint = ""
    if name in ("Not authorized", "Bad user name or password"):
        hint = " (check the user name and password in the broker URL)"
    return f"the broker refused the connection: {name}{hint}"


def describe_loss(reason: ReasonCode | str) -> str:
    return f"connection lost: {reason}"
