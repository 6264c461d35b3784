"""Mosquitto password file lines, in the format ``mosquitto_passwd`` writes.

Mosquitto 2.0 reads ``user:$7$<iterations>$<base64 salt>$<base64 hash>``:
PBKDF2-HMAC-SHA512, 101 iterations, a 12-byte salt, a 64-byte hash, standard
base64. The hashed string is what the hub stores for each account; the
plaintext never needs to be kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping

ITERATIONS = 101  # what mosquitto_passwd uses; Mosquitto reads the count from each line
SALT_BYTES = 12
HASH_BYTES = 64
_PREFIX = "$7$"


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """The ``$7$…`` string for ``password`` (a fresh random salt unless one is given)."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, HASH_BYTES)
    return f"{_PREFIX}{iterations}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, hashed: str) -> bool:
    """Whether ``password`` matches a ``$7$`` string; False for anything malformed."""
    try:
        kind, iterations, salt, digest = hashed.split("$")[1:]
        if kind != "7":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.pbkdf2_hmac(
            "sha512", password.encode("utf-8"), base64.b64decode(salt, validate=True), int(iterations), len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def render_passwd(accounts: Mapping[str, str]) -> str:
    """A password file from username → ``$7$`` hash, sorted by username."""
    lines = []
    for username, hashed in sorted(accounts.items()):
        if not username or ":" in username or "\n" in username:
            raise ValueError(f"{username!r} cannot be a Mosquitto user name")
        if not hashed.startswith(_PREFIX):
            raise ValueError(f"the hash for {username} is not a $7$ PBKDF2 string")
        lines.append(f"{username}:{hashed}")
    return "".join(line + "\n" for line in lines)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
