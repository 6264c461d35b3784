"""Relay stdin/stdout to a TCP port on loopback: qemu's ``guestfwd=…-cmd:`` runs one per guest connection.

Usage: ``python tcp_relay.py PORT``. Exits when either side closes.
"""

from __future__ import annotations

import os
import socket
import sys
import threading


def main() -> int:
    sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))

    def upstream() -> None:
        while data := os.read(0, 65536):
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)

    threading.Thread(target=upstream, daemon=True).start()
    while data := sock.recv(65536):
        os.write(1, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
