"""The hub's VAPID key pair: made once into the data dir (0600), read from there ever after."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

KEY_FILE = "vapid-private.pem"


def vapid_key(data_dir: Path) -> Vapid02:
    """The private key in ``data_dir``, generated on first use."""
    path = data_dir / KEY_FILE
    if not path.exists():
        key = Vapid02()
        key.generate_keys()
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key.private_pem())
        os.replace(tmp, path)  # two processes starting at once: one file wins, both read it
    return Vapid02.from_file(str(path))


def application_server_key(data_dir: Path) -> str:
    """The public key as a browser's ``pushManager.subscribe`` wants it (base64url, uncompressed point)."""
    public = vapid_key(data_dir).public_key
    raw = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
