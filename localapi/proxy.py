"""A round-robin reverse proxy on 127.0.0.1, as the README's Caddy example spreads posts.

Several bot instances share one webhook URL behind it: each post goes to the next
instance in turn. A post the chosen instance does not take (refused connection, reset) is
answered 502, as Caddy does without retries, and Telegram (here the local Bot API's
pusher) posts it again, reaching the next instance.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _ProxyServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        began = time.monotonic()
        port = self.server.next_backend()
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=self.server.timeout_s)
        try:
            connection.request("POST", self.path, body=body, headers=headers)
            answer = connection.getresponse()
            status, data = answer.status, answer.read()
            kind = answer.getheader("Content-Type", "application/json")
        except (OSError, http.client.HTTPException):
            status, data, kind = 502, b'{"ok": false}', "application/json"
        finally:
            connection.close()
        with self.server.lock:
            self.server.posts[port] = self.server.posts.get(port, 0) + 1
            self.server.seconds.append(time.monotonic() - began)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, backends: list[int], timeout_s: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.timeout_s = timeout_s
        self.lock = threading.Lock()
        self._turns = itertools.cycle(backends)
        self.posts: dict[int, int] = {}  # backend port -> posts forwarded
        self.seconds: list[float] = []  # each post, from reading it to the backend's answer

    def next_backend(self) -> int:
        with self.lock:
            return next(self._turns)


class RoundRobinProxy:
    """``with RoundRobinProxy([port1, port2]) as proxy:`` forwards ``proxy.url + path``."""

    def __init__(self, backends: list[int], *, timeout: float = 10.0) -> None:
        self._server = _ProxyServer(list(backends), timeout)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def posts(self) -> dict[int, int]:
        with self._server.lock:
            return dict(self._server.posts)

    def take_timings(self) -> list[float]:
        """Each post's time through the proxy since the last call, in seconds."""
        with self._server.lock:
            found, self._server.seconds = self._server.seconds, []
            return found

    def __enter__(self) -> RoundRobinProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
