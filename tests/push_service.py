"""A local Web Push service: checks the VAPID signature (RFC 8292) and decrypts the aes128gcm body (RFC 8291),
as the browser's push service and the browser would, with a browser key pair made here."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A subscription's keys, as a browser makes them."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        public = self.private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.p256dh = b64url(public)
        self.auth = b64url(os.urandom(16))

    def decrypt(self, body: bytes) -> Any:
        return json.loads(http_ece.decrypt(body, private_key=self.private, auth_secret=unb64url(self.auth), version="aes128gcm"))


@dataclass(frozen=True)
class Push:
    endpoint: str
    vapid_key: str
    claims: dict[str, Any]
    payload: Any


class PushService(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.browsers: dict[str, Browser] = {}
        self.gone: set[str] = set()
        self.pushes: list[Push] = []
        self.refused: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def subscribe(self, name: str) -> tuple[str, Browser]:
        browser = self.browsers[name] = Browser()
        return f"{self.origin}/push/{name}", browser

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: PushService

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        name = self.path.rsplit("/", 1)[-1]
        if name in self.server.gone or name not in self.server.browsers:
            return self._answer(410)
        try:
            key, claims = self._vapid()
            if self.headers.get("Content-Encoding") != "aes128gcm" or not self.headers.get("TTL"):
                raise ValueError("Content-Encoding aes128gcm and a TTL are required")
            payload = self.server.browsers[name].decrypt(body)
        except Exception as exc:
            self.server.refused.append(f"{type(exc).__name__}: {exc}")
            return self._answer(400)
        self.server.pushes.append(Push(f"{self.server.origin}{self.path}", key, claims, payload))
        self._answer(201)

    def _vapid(self) -> tuple[str, dict[str, Any]]:
        scheme, _, rest = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"Authorization is {scheme!r}, not vapid")
        fields = dict(part.strip().split("=", 1) for part in rest.split(","))
        token, key = fields["t"], fields["k"]
        header, claims_b64, signature = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        raw = unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(der, f"{header}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged
        claims = json.loads(unb64url(claims_b64))
        if claims.get("aud") != self.server.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not this push service")
        if not claims.get("sub") or int(claims["exp"]) <= time.time():
            raise ValueError("sub missing or token expired")
        return key, claims

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
