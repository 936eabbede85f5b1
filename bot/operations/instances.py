"""Several instances behaving as one bot, when they share a PostgreSQL database.

Started once the store is open (:func:`share_between_instances`) and only on PostgreSQL:
SQLite serves one instance, which keeps the in-process limits and per-chat order alone.

* the flood budget (:mod:`bot.operations.shared_budget`): every message sent by any
  instance takes a permit from the database, replies first;
* in webhook mode, the update queue (:mod:`bot.operations.update_queue`): each chat's
  updates are handled one at a time and in order, whichever instance Telegram's post
  reached.

Long polling serves one instance: Telegram gives getUpdates to one caller at a time, and a
second poller would take the first one's updates in turns. Polling takes
:data:`POLLING_LOCK` for as long as it runs, and a second instance that finds it taken
stops at start with one line (:func:`refuse_a_second_poller`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from telegram.ext import Application

from bot.clock import Clock
from bot.operations.config import Settings, SettingsError
from bot.operations.logs import ThrottledWarning
from bot.operations.rate_limiter import FloodLimiter
from bot.operations.shared_budget import SharedFloodBudget
from bot.operations.telegram_limits import FloodLimits
from bot.operations.tracing import UpdateTracer
from bot.operations.update_queue import SharedUpdateQueue
from bot.store import Store
from bot.store.flood_permits import FloodPermits
from bot.store.queued_updates import QueuedUpdates

logger = logging.getLogger("briefbot")
OUTAGES_LOGGED_EVERY = dt.timedelta(minutes=1)
POLLING_LOCK = 0x62727070  # pg_try_advisory_lock's key while an instance polls ("brpp")


@dataclass
class SharedInstances:
    budget: SharedFloodBudget
    updates: SharedUpdateQueue | None  # None when polling
    limiter: FloodLimiter | None
    polling_lock: AsyncConnection | None = None  # held open while this instance polls

    async def stop_updates(self, grace: float) -> None:
        if self.updates is not None:
            await self.updates.stop(grace)

    async def stop_budget(self) -> None:
        """Last, after the digests in flight: they still take permits."""
        if self.limiter is not None:
            self.limiter.shared = None
        await self.budget.stop()
        if self.polling_lock is not None:
            await self.polling_lock.close()  # the lock goes with its session


def share_between_instances(
    application: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    store: Store,
    clock: Clock,
    owner: str,
    tracer: UpdateTracer | None = None,
) -> SharedInstances | None:
    """Start sharing the budget (and, by webhook, the updates); None on SQLite."""
    if store.engine.dialect.name != "postgresql":
        return None
    limiter = application.bot.rate_limiter
    limiter = limiter if isinstance(limiter, FloodLimiter) else None
    budget = SharedFloodBudget(
        FloodPermits(store.engine),
        limiter.limits if limiter is not None else _default_limits(settings),
        ThrottledWarning(logging.getLogger("briefbot.flood"), OUTAGES_LOGGED_EVERY, clock.now),
    )
    budget.start()
    if limiter is not None:
        limiter.shared = budget
    updates = None
    if settings.webhook_url:
        updates = SharedUpdateQueue(
            application,
            QueuedUpdates(store.engine),
            owner,
            ThrottledWarning(
                logging.getLogger("briefbot.updates"), OUTAGES_LOGGED_EVERY, clock.now
            ),
            tracer=tracer,
        )
        updates.start()
    return SharedInstances(budget, updates, limiter)


def _default_limits(settings: Settings) -> FloodLimits:
    return FloodLimits().scaled(settings.flood_scale)


async def refuse_a_second_poller(shared: SharedInstances | None, store: Store | None) -> None:
    """Before polling on PostgreSQL: take the polling lock, or stop with one line."""
    if shared is None or store is None:
        return
    connection = await store.engine.connect()
    try:
        found = await connection.execute(sa.select(sa.func.pg_try_advisory_lock(POLLING_LOCK)))
        if not found.scalar_one():
            raise SettingsError(
                "another instance of this bot already uses long polling on this database "
                "(DATABASE_URL); several instances need WEBHOOK_URL set, one polling instance "
                "at most"
            )
        await connection.commit()
    except BaseException:
        await connection.close()
        raise
    shared.polling_lock = connection
