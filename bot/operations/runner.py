"""``briefbot run`` with a token: long polling or a webhook, the HTTP server, a clean stop.

    await serve(application)        # until SIGTERM or SIGINT

PTB's ``run_polling`` and ``run_webhook`` own the event loop and serve nothing but the
webhook; this does what they do (the same start and stop hooks, via
:func:`bot.app.start_application`) and also runs :class:`bot.operations.web.WebServer` for health
checks and metrics. The order of the stop is what makes it graceful:

1. the web server stops accepting; webhook posts already answered 200 are in the queue,
   and Telegram resends the ones it could not deliver;
2. polling stops, acknowledging what it fetched (at most a bounded backlog);
3. the application handles what is still queued, for up to ``STOP_GRACE`` seconds, and
   gives up the rest (bot/operations/concurrency.py, docs/design.md), then the digest
   workers finish the sends in flight and record them, then the database closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket

from telegram import Update

from bot.app import start_application, stop_application
from bot.operations.config import SettingsError
from bot.operations.instances import refuse_a_second_poller
from bot.operations.web import WebServer
from bot.services import SERVICES_KEY, BotApplication, Services

logger = logging.getLogger("briefbot")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def serve(
    application: BotApplication,
    *,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
    web: WebServer | None = None,
) -> None:
    """Run until ``stop`` is set (by SIGTERM or SIGINT when ``handle_signals``)."""
    services: Services = application.bot_data[SERVICES_KEY]
    settings = services.settings
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    if handle_signals:
        for number in STOP_SIGNALS:
            loop.add_signal_handler(number, stop.set)
    web = web or WebServer(application)
    port = _listen(web) if settings.port is not None else None
    started = False
    try:
        await start_application(application)
        await _receive_updates(application, services)
        # Said once the bot is up: a start that fails (no Bot API, an unusable database)
        # ends with its one line alone, not after lines that read as if all were well.
        started = True
        if port is not None:
            logger.info("serving /healthz and /metrics on %s:%d", settings.listen, port)
        await stop.wait()
        logger.info("stopping: finishing queued updates and digests in flight")
    finally:
        await web.stop()
        await stop_application(application)
        if handle_signals:
            for number in STOP_SIGNALS:
                with contextlib.suppress(ValueError, RuntimeError):
                    loop.remove_signal_handler(number)
        if started:
            logger.info("stopped")


def _listen(web: WebServer) -> int:
    """Bind before anything connects: an address or port the bot cannot have is a
    configuration error, and the line names the variable to change."""
    settings = web.settings
    try:
        return web.start()
    except OSError as error:
        reason = error.strerror or str(error)
        if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
            raise SettingsError(  # no such name, or an address of another machine
                f"BRIEFBOT_LISTEN={settings.listen}: cannot listen there ({reason}; "
                "expected an address of this machine, e.g. 0.0.0.0 or 127.0.0.1)"
            ) from None
        raise SettingsError(
            f"BRIEFBOT_PORT={settings.port}: cannot listen on {settings.listen} ({reason})"
        ) from None


async def _receive_updates(application: BotApplication, services: Services) -> None:
    settings = services.settings
    if settings.webhook_url:
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        logger.info("webhook mode: Telegram posts to %s", settings.webhook_url)
        return
    assert application.updater is not None
    digests = services.digests
    await refuse_a_second_poller(services.shared, digests.store if digests else None)
    await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
    logger.info("long polling")
