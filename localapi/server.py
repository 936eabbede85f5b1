"""The local Bot API over real HTTP on 127.0.0.1, for end-to-end tests and benchmarks.

PTB talks to it exactly as to api.telegram.org (``base_url`` is the only change): form,
multipart or JSON bodies in, ``{"ok": ...}`` JSON out, keep-alive connections, long polls
held open. Each connection has its own daemon thread, so a held long poll never blocks a send.

It also acts out the faults a network has, which only a real connection can show: a call
``reset_next`` took is read in full and answered with a TCP reset (the client sees
ECONNRESET, as when a proxy on the way drops it), and one ``time_out_next`` took is held
unanswered until the client hangs up (its read timeout), so the client's own timeouts fire.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import http.client
import json
import select
import socket
import struct
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.console.botapi import Files, LocalBotApi, NoAnswer, Params

# Parameters Telegram reads as strings even when they look like JSON ("123", "true", "null").
# Every other form value is JSON when it parses as JSON, as PTB encodes non-strings that way.
STRING_FIELDS = frozenset(
    """text caption query description short_description name callback_query_id
    inline_query_id parse_mode secret_token url next_offset language_code inline_message_id
    switch_pm_text switch_pm_parameter business_connection_id message_effect_id file_id
    title""".split()
)


def _value(name: str, raw: str) -> Any:
    if name in STRING_FIELDS:
        return raw
    try:
        decoded = json.loads(raw, parse_constant=lambda constant: raw)
    except ValueError:
        return raw
    return raw if isinstance(decoded, str) else decoded


def _multipart(content_type: str, body: bytes) -> tuple[Params, Files]:
    params: Params = {}
    files: Files = {}
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, content)
        else:
            params[name] = _value(name, content.decode())
    return params, files


# How long an unanswered call is held at most when its client never hangs up.
HOLD_UNANSWERED = 60.0
# SO_LINGER on, zero seconds: closing the socket sends a reset (RST), not a goodbye (FIN).
_ABORT = struct.pack("ii", 1, 0)


def _error(description: str, error_code: int = 400) -> dict[str, Any]:
    return {"ok": False, "error_code": error_code, "description": description}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as PTB's connection pool expects
    # Headers and body go out in two writes; with Nagle on, delayed ACKs add 40 ms to each.
    disable_nagle_algorithm = True
    # Buffered: headers and body leave in one write, flushed after each request.
    wbufsize = 64 * 1024
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``api.calls`` instead."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        api = self.server.api
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = url.path.strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "file":  # /file/bot<token>/<file_path>
            if unquote(parts[1]) != f"bot{api.token}":
                self._reply(401, _error("Unauthorized", 401))
                return
            content = api.download(unquote("/".join(parts[2:])))
            if content is None:
                self._reply(404, _error("Not Found", 404))
            else:
                self._send(200, content, "application/octet-stream")
            return
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self._reply(404, _error("Not Found", 404))
            return
        if unquote(parts[0][3:]) != api.token:
            self._reply(401, _error("Unauthorized", 401))
            return
        params: Params = {k: _value(k, v) for k, v in parse_qsl(url.query, True)}
        files: Files = {}
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("application/json") and body:
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None
            if not isinstance(decoded, dict):
                self._reply(400, _error("Bad Request: can't parse JSON object"))
                return
            params.update(decoded)
        elif kind.startswith("application/x-www-form-urlencoded"):
            params.update({k: _value(k, v) for k, v in parse_qsl(body.decode(), True)})
        elif kind.startswith("multipart/form-data"):
            form, files = _multipart(kind, body)
            params.update(form)
        try:
            status, answer = api.call(parts[1], params, files or None)
        except NoAnswer as fault:
            self._leave_unanswered(fault)
            return
        except Exception as error:  # a bug here: say so to the client, then to stderr
            self._reply(500, _error(f"Internal Server Error: {error!r}", 500))
            raise
        self._reply(status, answer)

    def _leave_unanswered(self, fault: NoAnswer) -> None:
        """Answer nothing: reset the connection, or hold it until the client hangs up."""
        self.close_connection = True
        if fault.kind == "timeout":
            self._wait_for_hangup(HOLD_UNANSWERED)
        else:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _ABORT)
            self.server.reset_on_close(self.connection)

    def _wait_for_hangup(self, limit: float) -> None:
        """Until the client closes the connection (or the server stops reading it): the
        socket turns readable then, with the end of the stream."""
        select.select([self.connection], [], [], limit)

    def _reply(self, status: int, answer: dict[str, Any]) -> None:
        self._send(status, json.dumps(answer).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if status >= 500:  # the handler thread is about to end: the client must reconnect
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A fan-out opens a hundred connections at once; the default backlog of 5 drops some.
    request_queue_size = 1024
    api: LocalBotApi

    def __init__(self, address: tuple[str, int], api: LocalBotApi) -> None:
        super().__init__(address, _Handler)
        self.api = api
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self._resetting: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def reset_on_close(self, connection: socket.socket) -> None:
        """Close ``connection`` with a reset: no orderly shutdown first, which sends FIN."""
        with self.connections_lock:
            self._resetting.add(connection)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
            resetting = request in self._resetting
            self._resetting.discard(request)
        if resetting:
            self.close_request(request)  # SO_LINGER 0: the close itself sends RST
        else:
            super().shutdown_request(request)

    def stop_reading(self) -> None:
        """Take no further requests on kept-alive connections; answers under way still go out."""
        with self.connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RD)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a cancelled long poll) is normal; anything else is a bug."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class WebhookPusher:
    """Posts queued updates to the bot's webhook, as Telegram does.

    With ``connections=1`` (the default) one post at a time, in order. With more, up to
    that many posts are in flight at once (Telegram's ``max_connections``, 40 unless set),
    but never two of one chat: Telegram waits for the 200 of a chat's update before it
    posts that chat's next one, so each chat's updates still arrive in order.

    Each post carries the secret token in ``X-Telegram-Bot-Api-Secret-Token``; an update
    the bot does not accept with a 2xx (or a refused connection, a timeout) is posted
    again after ``retry_delay``, so stopping the bot loses nothing that was not answered.
    """

    def __init__(
        self,
        api: LocalBotApi,
        *,
        retry_delay: float = 0.05,
        timeout: float = 5.0,
        connections: int = 1,
    ):
        self.api = api
        self.retry_delay = retry_delay
        self.timeout = timeout
        self._stopping = threading.Event()
        self._choosing = threading.Lock()  # one poster picks the next update at a time
        self._state = threading.Condition()  # what is being posted, until its answer is booked
        self._posting: set[int] = set()
        self._busy_chats: set[int] = set()
        self._threads = [
            threading.Thread(target=self._run, daemon=True) for _ in range(max(connections, 1))
        ]
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.api.release_long_polls()  # ends its wait for updates now
        for thread in self._threads:
            if thread.ident is not None:
                thread.join(timeout=5)

    def _taken(self, update: dict[str, Any]) -> bool:
        """Being posted, or another update of its chat is."""
        with self._state:
            chat = _chat_of(update)
            return update["update_id"] in self._posting or (
                chat is not None and chat in self._busy_chats
            )

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._choosing:
                found = self.api.next_webhook_update(timeout=0.2, skip=self._taken)
                if found is None:
                    continue
                update, url, secret = found
                chat = _chat_of(update)
                with self._state:
                    self._posting.add(update["update_id"])
                    if chat is not None:
                        self._busy_chats.add(chat)
            status = self._post(url, secret, update)
            if 200 <= status < 300:
                self.api.webhook_delivered(update["update_id"])
            else:
                self.api.webhook_refused(status)
            with self._state:
                self._posting.discard(update["update_id"])
                if chat is not None:
                    self._busy_chats.discard(chat)
                self._state.notify_all()
            if not 200 <= status < 300:
                self._stopping.wait(self.retry_delay)

    def settle(self) -> None:
        """Return once no post is in flight, so every answer the bot gave so far is booked.

        A post that starts after this returns goes to whatever listens then; once the bot
        has exited, that is nobody, so ``pending_updates`` is exactly what it never took.
        """
        with self._state:
            self._state.wait_for(lambda: not self._posting, timeout=30)

    def _post(self, url: str, secret: str | None, update: dict[str, Any]) -> int:
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(
            url, data=json.dumps(update).encode(), headers=headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except (OSError, http.client.HTTPException):  # refused, reset, timed out
            return 0


def _chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (the user, for inline queries and the like)."""
    for value in update.values():
        if not isinstance(value, dict):
            continue
        message = value.get("message") if "chat" not in value else value
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


class LocalBotApiServer:
    """``with LocalBotApiServer(api) as server:`` serves ``api`` at ``server.base_url``.

    It also delivers updates to a webhook once the bot sets one (:class:`WebhookPusher`,
    ``webhook_connections`` posts in flight at most).
    """

    def __init__(
        self,
        api: LocalBotApi | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        webhook_connections: int = 1,
    ):
        self.api = api or LocalBotApi()
        self._server = _Server((host, port), self.api)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.pusher = WebhookPusher(self.api, connections=webhook_connections)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def open_connections(self) -> int:
        """Client connections open now: kept alive, long polls, calls held unanswered."""
        with self._server.connections_lock:
            return len(self._server.connections)

    @property
    def base_url(self) -> str:
        """What ``ApplicationBuilder().base_url()`` takes; PTB appends token and method."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> LocalBotApiServer:
        self._thread.start()
        self.pusher.start()
        return self

    def stop(self) -> None:
        """Stop at once: no new requests, long polls answered, kept-alive clients hung up."""
        self.pusher.stop()
        if self._thread.is_alive():
            self._server.shutdown()
        self.api.release_long_polls()
        self._server.stop_reading()
        self._server.server_close()
        if self._thread.ident is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalBotApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
