"""The soak's shop platform: the simulator's feed and server, which can be told to misbehave."""

from __future__ import annotations

import threading
import time
from http.server import ThreadingHTTPServer

from hub.simulator.server import Feed, Handler, SimulatorServer

FAULTS = ("ok", "500", "timeout", "html")
HANG_S = 25.0  # longer than the poller's read timeout (20 s)


class FaultyHandler(Handler):
    server: FaultyPlatform

    def do_GET(self) -> None:
        fault = self.server.fault
        if fault == "500":
            self._reply(500, {"error": "soak: internal server error"})
        elif fault == "timeout":
            time.sleep(HANG_S)
            try:
                self._reply(504, {"error": "soak: too late"})
            except OSError:  # the poller gave up long ago, as it should
                pass
        elif fault == "html":
            body = b"<html><body>502 Bad Gateway</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()


class FaultyPlatform(SimulatorServer):
    """``fault`` is one of :data:`FAULTS`; ``ok`` serves the feed as the simulator does."""

    def __init__(self, feed: Feed) -> None:
        ThreadingHTTPServer.__init__(self, ("127.0.0.1", 0), FaultyHandler)
        self.feed = feed
        self.fault = "ok"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
