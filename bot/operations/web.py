"""The bot's HTTP server: the webhook, ``/healthz`` and ``/metrics``, on one port.

This is PTB's custom-webhook pattern on tornado, which PTB's webhooks extra already
brings: the same server answers Telegram's webhook posts (webhook mode) and the
operator's health checks and scrapes (both modes), which PTB's built-in webhook server
cannot, as it serves the webhook path alone.

A webhook post is answered 200 only once its update is in the application's queue, which
is bounded (bot/app.py): when it is full, because the bot is that far behind, the post is
answered 503 and Telegram keeps the update and posts it again later. The application
handles what it queued before it stops, within a grace time (docs/design.md). A post
without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403 and is dropped, so only
Telegram (which knows the secret) can feed the bot; since anyone can send such posts,
they are logged at most once a minute, with a count.

Telegram posts an update again when it did not see the 200 (a connection lost after the
update was queued), so the server remembers the last :data:`REMEMBERED_UPDATES` update ids
it queued and answers a repeat 200 without handling it twice. The memory is this process's.
With PostgreSQL the update is stored in the database's queue instead, which any instance
takes from in each chat's order and which recognizes a repeat whichever instance it
reaches (bot/operations/update_queue.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import re
import socket
from collections import deque
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST
from telegram import Update

from bot.operations.logs import ThrottledWarning
from bot.operations.update_queue import SharedUpdateQueue
from bot.services import SERVICES_KEY, BotApplication, Services
from bot.store import QUICK_QUERY_TIMEOUT, describe_outage

logger = logging.getLogger("briefbot.web")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few KB; a megabyte is plenty and bounds a bad client
BUSY_RETRY_AFTER = 1  # seconds, when the update queue is full (Telegram retries on its own)
REMEMBERED_UPDATES = 10_000  # far more than Telegram has in flight to one bot at once
REFUSALS_LOGGED_EVERY = dt.timedelta(minutes=1)


class RecentUpdates:
    """The ids of the last ``size`` updates queued: a repeat post is answered, not handled."""

    def __init__(self, size: int = REMEMBERED_UPDATES) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self.size = size

    def __contains__(self, update_id: int) -> bool:
        return update_id in self._ids

    def add(self, update_id: int) -> None:
        if update_id in self._ids:
            return
        self._order.append(update_id)
        self._ids.add(update_id)
        if len(self._order) > self.size:
            self._ids.discard(self._order.popleft())


class _Base(tornado.web.RequestHandler):
    def initialize(self, bot_application: BotApplication) -> None:
        self.bot_application = bot_application
        self.services: Services = bot_application.bot_data[SERVICES_KEY]

    def write_json(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, sort_keys=True))


class WebhookHandler(_Base):
    def initialize(
        self,
        bot_application: BotApplication,
        secret: str | None = None,
        refusals: ThrottledWarning | None = None,
        recent: RecentUpdates | None = None,
    ) -> None:
        """``refusals`` and ``recent`` are the server's, shared by every request."""
        super().initialize(bot_application)
        self.secret = secret or ""
        self.refusals = refusals or ThrottledWarning(
            logger, REFUSALS_LOGGED_EVERY, self.services.clock.now
        )
        self.recent = recent if recent is not None else RecentUpdates()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.refusals.warn(
                "webhook: refused a post from %s without the right secret token",
                self.request.remote_ip,
            )
            self.write_json(403, {"ok": False, "error": "forbidden"})
            return
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                raise ValueError("no integer update_id")
            update = Update.de_json(data, self.bot_application.bot)
        except Exception as error:  # any malformed body: tell the sender, keep serving
            logger.warning("webhook: refused a post that is not an update (%s)", error)
            self.write_json(400, {"ok": False, "error": "not a Telegram update"})
            return
        if self._connection_closed():  # the server is stopping: Telegram posts it again
            return
        shared = self.services.shared
        if shared is not None and shared.updates is not None:
            await self._queue_in_database(update, shared.updates)
            return
        if update.update_id in self.recent:  # posted again: it is queued or handled already
            logger.info("webhook: update %s posted again; handled once", update.update_id)
            self.write_json(200, {"ok": True})
            return
        # No await between the check, the queueing and the answer: an update is queued only
        # if its 200 can still be written, so it is never handled here and posted again.
        try:
            self.bot_application.update_queue.put_nowait(update)
        except asyncio.QueueFull:  # the backlog is at its bound: Telegram keeps it for now
            self.set_header("Retry-After", str(BUSY_RETRY_AFTER))
            self.write_json(503, {"ok": False, "error": "busy, try again later"})
            return
        self.recent.add(update.update_id)
        self.write_json(200, {"ok": True})

    async def _queue_in_database(self, update: Update, queue: SharedUpdateQueue) -> None:
        """Several instances: any of them handles it, in its chat's order. A repeated post
        is found in the table; a database that does not take it gets a 503, and Telegram
        posts it again."""
        try:
            new = await asyncio.wait_for(queue.post(update), QUICK_QUERY_TIMEOUT)
        except Exception as error:
            self.refusals.warn(
                "webhook: could not queue update %s (%s); answered 503",
                update.update_id,
                describe_outage(error),
            )
            self.set_header("Retry-After", str(BUSY_RETRY_AFTER))
            self.write_json(503, {"ok": False, "error": "busy, try again later"})
            return
        if not new:
            logger.info("webhook: update %s posted again; handled once", update.update_id)
        self.write_json(200, {"ok": True})

    def _connection_closed(self) -> bool:
        """Whether the stop closed this request's connection while it waited its turn."""
        stream = getattr(self.request.connection, "stream", None)
        return stream is not None and bool(stream.closed())


class HealthHandler(_Base):
    async def get(self) -> None:
        services = self.services
        database = await _database_state(services)
        activity = services.activity
        healthy = database == "ok"
        self.write_json(
            200 if healthy else 503,
            {
                "status": "ok" if healthy else "unhealthy",
                "catalog": {
                    "loaded": True,  # build_application refuses to start without it
                    "version": services.catalog.version,
                    "briefings": len(services.catalog.briefings),
                    "articles": len(services.catalog.articles),
                    "changed_at": _iso(services.live.changed_at) if services.live else None,
                },
                "database": database,
                "mode": "webhook" if services.settings.webhook_url else "polling",
                "updates_handled": activity.handled,
                "last_update_id": activity.last_update_id or None,
                "last_update_at": _iso(activity.last_update_at),
                "uptime_seconds": round(services.uptime_seconds, 1),
            },
        )


class MetricsHandler(_Base):
    async def get(self) -> None:
        services = self.services
        digests = services.digests
        if digests is not None:
            try:  # the last counts stay up when the database is away for a moment
                counts = await asyncio.wait_for(
                    digests.store.subscribers_by_chat_type(), QUICK_QUERY_TIMEOUT
                )
                services.metrics.refresh_subscribers(counts)
            except Exception as error:
                logger.warning("metrics: subscriber counts not refreshed (%s)", error)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(services.metrics.render())


async def _database_state(services: Services) -> str:
    if services.digests is None:
        return "unavailable: the database could not be opened at start"
    try:
        await asyncio.wait_for(services.digests.store.ping(), QUICK_QUERY_TIMEOUT)
    except TimeoutError:
        return f"unavailable: no answer within {QUICK_QUERY_TIMEOUT:g} s"
    except Exception as error:
        return f"unavailable: {type(error).__name__}"
    return "ok"


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class WebServer:
    """Listens on ``settings.listen``:``settings.port`` (0 picks a free port)."""

    def __init__(self, application: BotApplication) -> None:
        self.application = application
        services: Services = application.bot_data[SERVICES_KEY]
        self.settings = services.settings
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port: int | None = None
        self.refusals = ThrottledWarning(logger, REFUSALS_LOGGED_EVERY, services.clock.now)
        self.recent = RecentUpdates()

    def routes(self) -> list[Any]:
        arguments = {"bot_application": self.application}
        routes: list[Any] = [
            (r"/healthz", HealthHandler, arguments),
            (r"/metrics", MetricsHandler, arguments),
        ]
        if self.settings.webhook_url:
            webhook = {
                **arguments,
                "secret": self.settings.webhook_secret,
                "refusals": self.refusals,
                "recent": self.recent,
            }
            routes.append((_exact(self.settings.webhook_path), WebhookHandler, webhook))
        return routes

    def start(self) -> int:
        """Bind and serve; raises OSError when the address is taken or not ours."""
        assert self.settings.port is not None
        app = tornado.web.Application(self.routes(), log_function=_quiet)
        sockets = tornado.netutil.bind_sockets(
            self.settings.port, self.settings.listen, family=_family(self.settings.listen)
        )
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY, xheaders=True)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        """Stop accepting, then let requests in flight finish (their updates are queued)."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


def _exact(path: str) -> str:
    return re.escape(path) + "$"


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """Requests are logged by the handlers when something is wrong, not one line each."""
    if handler.get_status() >= 500:
        logger.error(
            "%s %s -> %d", handler.request.method, handler.request.path, handler.get_status()
        )
