"""The local Bot API over real HTTP on 127.0.0.1, for end-to-end tests and benchmarks.

PTB talks to it exactly as to api.telegram.org (``base_url`` is the only change): form or
multipart bodies in, ``{"ok": ...}`` JSON out, long polls held open. Each request runs on
its own daemon thread, so a held long poll never blocks a send.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.localapi.api import LocalBotApi

# Parameters Telegram reads as strings even when they look like JSON ("123", "true").
STRING_FIELDS = {
    "text",
    "caption",
    "query",
    "description",
    "callback_query_id",
    "inline_query_id",
    "parse_mode",
    "secret_token",
    "url",
    "next_offset",
    "language_code",
    "filename",
    "inline_message_id",
    "short_description",
    "name",
}


def _value(name: str, raw: str) -> Any:
    if name in STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, delayed ACKs add 40 ms to each.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        api = self.server.api
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        if parts[0][3:] != api.token:
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        params: dict[str, Any] = {k: _value(k, v) for k, v in parse_qsl(url.query)}
        files: dict[str, tuple[str, bytes]] = {}
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("application/json") and body:
            params.update(json.loads(body))
        elif kind.startswith("application/x-www-form-urlencoded"):
            params.update({k: _value(k, v) for k, v in parse_qsl(body.decode())})
        elif kind.startswith("multipart/form-data"):
            head = f"Content-Type: {kind}\r\n\r\n".encode()
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                decoded = part.get_payload(decode=True)
                payload = decoded if isinstance(decoded, bytes) else b""
                if filename is not None:
                    files[str(name)] = (filename, payload)
                else:
                    params[str(name)] = _value(str(name), payload.decode())
        status, answer = api.call(parts[1], params, files or None)
        self._reply(status, answer)

    def _reply(self, status: int, answer: dict[str, Any]) -> None:
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: LocalBotApi

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a cancelled long poll) is normal, not an error."""


class LocalBotApiServer:
    """``with LocalBotApiServer(api) as server:`` serves ``api`` at ``server.base_url``."""

    def __init__(self, api: LocalBotApi | None = None, host: str = "127.0.0.1", port: int = 0):
        self.api = api or LocalBotApi()
        self._server = _Server((host, port), _Handler)
        self._server.api = self.api
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> LocalBotApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.api.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalBotApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
