"""The digest machinery as one service: store, delivery workers and scheduler.

Started after the bot knows who it is (``post_init``), so jobs and links can use its
username, and stopped in two steps: ``post_stop`` lets sends in flight finish while the
HTTP client is still open, ``post_shutdown`` closes the database.

A database that cannot be opened at start (a server still starting beside the bot, or down)
does not stop the bot: briefings answer, subscriptions say they are unavailable, and
:func:`open_when_reachable` keeps trying in the background (after 1, 2, 4 … seconds, then
every ``OPEN_RETRY_MAX``). Once it opens, the schedule is rebuilt from the store as at any
start, so a digest whose time came meanwhile is sent then, once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application

from bot.clock import Clock
from bot.digests.delivery import DigestDelivery, owner_id
from bot.digests.jobs import DigestScheduler
from bot.digests.sender import DigestSender
from bot.operations.config import Settings
from bot.store import Store, database_url, describe_outage
from briefings.model import Catalog

logger = logging.getLogger("briefbot.digests")
OPEN_RETRY_FIRST = 1.0  # seconds before the first new attempt to open the database
OPEN_RETRY_MAX = 30.0  # seconds between attempts, at most
OPENING = "digests-opening"  # bot_data key of the task that keeps trying
_Application = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Digests:
    store: Store
    delivery: DigestDelivery
    scheduler: DigestScheduler


@dataclass(frozen=True)
class DigestSetup:
    """What the digests are built from; ``started`` hears of them once they run."""

    settings: Settings
    catalog: Catalog
    clock: Clock
    started: Callable[[Digests], None]


async def start_digests(application: _Application, setup: DigestSetup) -> Digests:
    settings = setup.settings
    store = await Store.open(database_url(settings.database_url, settings.data_dir))
    try:
        digests = await _start(application, setup, store)
    except BaseException:
        await store.close()
        raise
    setup.started(digests)
    return digests


async def _start(application: _Application, setup: DigestSetup, store: Store) -> Digests:
    settings = setup.settings
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    scheduler: DigestScheduler

    async def chat_changed(chat_id: int) -> None:
        await scheduler.refresh_chat(chat_id)

    async def chat_moved(old_id: int, new_id: int) -> None:
        await scheduler.refresh_chat(new_id)

    delivery = DigestDelivery(
        DigestSender(application.bot, setup.catalog),
        store,
        setup.catalog,
        setup.clock,
        default_zone=settings.timezone,
        owner=owner_id(settings.instance),
        on_chat_gone=chat_changed,
        on_chat_moved=chat_moved,
    )
    scheduler = DigestScheduler(
        application.job_queue,
        store,
        setup.clock,
        default_zone=settings.timezone,
        enqueue=delivery.enqueue,
    )
    await scheduler.rebuild()  # first: if the database fails here, nothing has started
    delivery.start()
    return Digests(store, delivery, scheduler)


def open_when_reachable(application: _Application, setup: DigestSetup) -> None:
    """Keep trying to start the digests in the background until the database opens."""
    application.bot_data[OPENING] = asyncio.create_task(_keep_opening(application, setup))


async def _keep_opening(application: _Application, setup: DigestSetup) -> None:
    wait = OPEN_RETRY_FIRST
    while True:
        await asyncio.sleep(wait)
        try:
            await start_digests(application, setup)
        except Exception as error:
            wait = min(wait * 2, OPEN_RETRY_MAX)
            logger.warning(
                "the database still cannot be opened (%s); trying again in %g s",
                describe_outage(error),
                wait,
            )
        else:
            logger.info("the database is open: subscriptions and digests are on")
            return


async def _stop_opening(application: _Application) -> None:
    opening: asyncio.Task[None] | None = application.bot_data.pop(OPENING, None)
    if opening is not None:
        opening.cancel()
        await asyncio.gather(opening, return_exceptions=True)


async def stop_delivery(application: _Application, digests: Digests | None) -> None:
    await _stop_opening(application)
    if digests is not None:
        await digests.delivery.stop()


async def close_store(application: _Application, digests: Digests | None) -> None:
    """Close the database; the caller forgets ``digests`` afterwards."""
    await _stop_opening(application)
    if digests is not None:
        await digests.store.close()
