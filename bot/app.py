"""Build the python-telegram-bot Application: settings in, a ready application out.

    application = build_application(load_settings())
    application.run_polling()

The catalog is loaded once here, before anything connects, so a broken catalog stops the
start with a clear error instead of failing on the first message. ``request`` is the
one seam for tests and the console chat: pass a request object and every Bot API call
goes through it (``updates_request`` gives getUpdates its own, as PTB recommends).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, CommandHandler, Defaults, Updater
from telegram.request import BaseRequest, HTTPXRequest

from bot.clock import Clock, SystemClock
from bot.conversation.answers import Answers
from bot.conversation.fulltext import index_for
from bot.conversation.menus import DESCRIPTIONS, menus
from bot.digests.service import (
    Digests,
    DigestSetup,
    close_store,
    open_when_reachable,
    start_digests,
    stop_delivery,
)
from bot.feeds.jobs import start_feeds, stop_feeds
from bot.handlers import register
from bot.handlers.flood import ask_to_slow_down
from bot.operations.concurrency import STOP_GRACE, PerChatUpdateProcessor
from bot.operations.config import Settings
from bot.operations.instances import share_between_instances
from bot.operations.live_catalog import LiveCatalog, load_served_catalog
from bot.operations.metrics import LiveReadings, Metrics
from bot.operations.rate_limiter import FloodLimiter
from bot.operations.telegram_limits import FloodLimits
from bot.operations.tracing import UpdateTracer
from bot.operations.update_screen import ScreenedUpdatesRequest
from bot.services import SERVICES_KEY, BotApplication, Services, services_of
from bot.store import UnusableDatabase
from briefings.model import Catalog

logger = logging.getLogger("briefbot")
# Updates fetched (or posted) and not yet admitted by the update processor: one getUpdates
# answer. Past it polling waits and the webhook answers 503, so what the bot has not taken
# stays with Telegram (bot/operations/concurrency.py).
UPDATE_QUEUE_SIZE = 100


def file_base_url(api_base_url: str) -> str:
    """``https://host/bot`` -> ``https://host/file/bot``, as the Bot API lays out files."""
    head, _, _ = api_base_url.rstrip("/").rpartition("/")
    return f"{head}/file/bot"


async def set_command_menus(application: BotApplication) -> None:
    """Publish the command menus and descriptions; a failure is logged, never fatal."""
    found: Services = application.bot_data[SERVICES_KEY]
    for menu in menus(found.catalog):
        scope = (
            BotCommandScopeAllPrivateChats()
            if menu.scope == "private"
            else BotCommandScopeAllGroupChats()
        )
        commands = [BotCommand(name, description) for name, description in menu.commands]
        try:
            await application.bot.set_my_commands(
                commands, scope=scope, language_code=menu.language or None
            )
        except TelegramError as error:
            logger.warning("could not set the %s command menu: %s", menu.scope, error)
    for lang, (description, short) in DESCRIPTIONS.items():
        code = None if lang == "en" else lang
        try:
            await application.bot.set_my_description(description, language_code=code)
            await application.bot.set_my_short_description(short, language_code=code)
        except TelegramError as error:
            logger.warning("could not set the %s description: %s", lang, error)


async def _post_init(application: BotApplication) -> None:
    """Runs once the bot knows who it is (``run_polling`` calls it after ``initialize``).

    The database comes first, so one that can never work (:class:`UnusableDatabase`) stops
    the start before the bot changes anything at Telegram; one that is only away is tried
    again. The command line names the setting that chose it.
    """
    try:
        await start_digests(application, _digest_setup(application))
    except UnusableDatabase:
        raise
    except Exception as error:  # briefings don't need the database; subscriptions say so
        logger.error(
            "subscriptions are off: the database could not be opened (%s); trying again",
            error,
        )
        open_when_reachable(application, _digest_setup(application))
    await set_command_menus(application)


def _digest_setup(application: BotApplication) -> DigestSetup:
    services = services_of(application)

    def started(digests: Digests) -> None:
        services.digests = digests
        processor = application.update_processor
        services.shared = share_between_instances(
            application,
            services.settings,
            digests.store,
            services.clock,
            digests.delivery.owner,
            tracer=processor.tracer if isinstance(processor, PerChatUpdateProcessor) else None,
        )
        services.swap_catalog(services.catalog)  # the one served now, if it changed meanwhile
        start_feeds(application, digests.store)

    return DigestSetup(services.settings, services.catalog, services.clock, started)


async def _post_stop(application: BotApplication) -> None:
    """After updates stop, before the HTTP client closes: let the updates being handled
    and the digests in flight finish (with PostgreSQL, under the shared budget)."""
    services = services_of(application)
    shared = services.shared
    if shared is not None:
        await shared.stop_updates(STOP_GRACE)
    await stop_feeds(application)
    await stop_delivery(application, services.digests)
    if shared is not None:
        await shared.stop_budget()
        services.shared = None


async def _post_shutdown(application: BotApplication) -> None:
    services = services_of(application)
    await close_store(application, services.digests)
    services.digests = None


async def start_application(application: BotApplication) -> None:
    """Initialize and start with the hooks, as ``run_polling`` does before it polls.

    The console chat, the tests and the benchmarks run the application without
    ``run_polling``; going through here they start the digests exactly as it does.
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()


async def stop_application(application: BotApplication) -> None:
    """Stop and shut down with the hooks, as ``run_polling`` does on SIGTERM."""
    confirmed_below = None
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
        confirmed_below = _confirmed_below(application.updater)
    if application.running:
        shared = services_of(application).shared
        if shared is not None:  # take no more from the instances' queue; finish what runs
            await shared.stop_updates(STOP_GRACE)
        processor = application.update_processor
        if isinstance(processor, PerChatUpdateProcessor):  # the backlog, within its grace
            await processor.finish(application.update_queue, confirmed_below=confirmed_below)
        await application.stop()
        if isinstance(processor, PerChatUpdateProcessor):
            _log_what_was_left(processor)
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


def _log_what_was_left(processor: PerChatUpdateProcessor) -> None:
    counts = processor.counts
    if counts.given_up:
        logger.warning(
            "stopping: gave up %d queued update(s) not handled within %g s",
            counts.given_up,
            processor.stop_grace,
        )
    if counts.left_unconfirmed:
        logger.info(
            "stopping: left %d fetched, unconfirmed update(s) for Telegram to send again",
            counts.left_unconfirmed,
        )


def _confirmed_below(updater: Updater) -> int | None:
    """The offset polling confirmed at its stop; the updates it fetched from there on (the
    batch it was queueing when stopped) Telegram sends again.

    PTB keeps it in ``Updater._last_update_id`` and offers it no other way; None (handle
    all that was fetched, as PTB would) if a later PTB keeps it elsewhere.
    """
    offset = getattr(updater, "_last_update_id", None)
    return offset if isinstance(offset, int) and offset > 0 else None


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    catalog: Catalog | None = None,
) -> BotApplication:
    if settings.token is None:
        raise ValueError("build_application needs a token (the console chat supplies its own)")
    catalog = catalog if catalog is not None else load_served_catalog(settings)
    metrics = Metrics()
    tracer = UpdateTracer(metrics)
    processor = PerChatUpdateProcessor(tracer=tracer)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(file_base_url(settings.api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.zone))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .rate_limiter(FloodLimiter(FloodLimits().scaled(settings.flood_scale), metrics=metrics))
        .concurrent_updates(processor)
        .update_queue(asyncio.Queue(maxsize=UPDATE_QUEUE_SIZE))
    )
    if request is not None:
        builder = builder.request(request)
    polling = updates_request or request or HTTPXRequest(connection_pool_size=1)  # PTB's own
    builder = builder.get_updates_request(ScreenedUpdatesRequest(polling, processor.screen))
    application = builder.build()
    services = Services(
        settings=settings,
        catalog=catalog,
        clock=clock or SystemClock(),
        answers=Answers(catalog),
        metrics=metrics,
    )
    services.live = LiveCatalog(
        settings, catalog, services.clock.now, services.swap_catalog, prepare=index_for
    )
    index_for(catalog)  # the search index, now rather than on the first question
    application.bot_data[SERVICES_KEY] = services
    processor.on_flood = ask_to_slow_down(application)
    register(application, catalog, settings.admin_ids)
    tracer.commands = _commands(application)
    metrics.read_live(lambda: _live_readings(application, services))
    return application


def _commands(application: BotApplication) -> frozenset[str]:
    """Every command a handler answers: the labels metrics and logs may use."""
    return frozenset(
        command
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    )


def _live_readings(application: BotApplication, services: Services) -> LiveReadings:
    digests = services.digests
    processor = application.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    return LiveReadings(
        digest_outcomes=dict(digests.delivery.stats.outcomes) if digests else {},
        update_queue=application.update_queue.qsize(),
        turns_queue=processor.waiting,
        updates_dropped=processor.counts.dropped,
        updates_given_up=processor.counts.given_up,
        digest_queue=digests.delivery.pending if digests else 0,
        catalog_version=services.catalog.version,
        catalog_changed_at=services.live.changed_at.timestamp() if services.live else 0.0,
        catalog_rebuilds=services.live.rebuilds if services.live else 0,
        feeds=services.feeds.states if services.feeds else {},
    )
