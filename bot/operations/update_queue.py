"""Webhook updates through PostgreSQL: one chat at a time and in order, across instances.

With one instance, :class:`bot.operations.concurrency.PerChatUpdateProcessor` keeps each
chat's updates in order. Behind a proxy that spreads Telegram's posts over several
instances, the next update of a chat can reach another instance while the first is being
handled. So when the database is PostgreSQL and updates come by webhook, the webhook
stores each update (:meth:`SharedUpdateQueue.post`) and answers 200, and every instance
takes updates from the table (:class:`bot.store.queued_updates.QueuedUpdates`): of each
chat only the oldest, only while no instance handles one of that chat, under a lease that
another instance takes over when the holder died (``LEASE``).

Each instance runs up to ``workers`` updates at once, each through PTB's own
``process_update`` (the handlers, the error handler, the tracer's line). It takes more
when one of its updates ends (the chat's next update, wherever it was posted, is then
free), when a post arrives, and every ``POLL_EVERY`` seconds (another instance's post, a
lease run out).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.operations.concurrency import MAX_RUNNING_UPDATES, conversation_key
from bot.operations.logs import ThrottledWarning
from bot.operations.tracing import UpdateTracer
from bot.store import describe_outage
from bot.store.queued_updates import QueuedUpdates, chat_key

logger = logging.getLogger("briefbot.updates")
LEASE = dt.timedelta(seconds=60)  # far longer than an update takes; then taken over
POLL_EVERY = 0.5  # seconds between looks at the table when nothing wakes this instance
RETRY_EVERY = 1.0  # seconds, while the database is away
FORGET_EVERY = 60.0  # seconds between deletions of handled rows kept for repeats


class SharedUpdateQueue:
    """This instance's side of the shared queue: posts in, handlers run, rows settled."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        queued: QueuedUpdates,
        owner: str,
        outage_log: ThrottledWarning,
        *,
        workers: int = MAX_RUNNING_UPDATES,
        tracer: UpdateTracer | None = None,
        poll_every: float = POLL_EVERY,
    ) -> None:
        self.application = application
        self.queued = queued
        self.owner = owner
        self.workers = workers
        self.tracer = tracer
        self.poll_every = poll_every
        self.handled = 0  # updates this instance handled, for tests and the benchmark
        self._outage = outage_log
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._taker: asyncio.Task[None] | None = None
        self._stopping = False

    async def post(self, update: Update) -> bool:
        """Store a posted update; False when it was posted before. Raises when the database
        cannot take it (the webhook then answers 503 and Telegram posts it again)."""
        data = update.to_dict()
        key = chat_key(conversation_key(update), update.update_id)
        new = await self.queued.add(update.update_id, key, json.dumps(data))
        if new:
            self._wake.set()
        return new

    def start(self) -> None:
        self._stopping = False
        self._taker = asyncio.create_task(self._take(), name="briefbot:shared-updates")

    async def stop(self, grace: float) -> None:
        """Take no more; let the updates being handled finish (up to ``grace`` seconds).

        What is still in the table stays for the other instances, or the next start.
        """
        self._stopping = True
        if self._taker is not None:
            self._taker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._taker
            self._taker = None
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _take(self) -> None:
        loop = asyncio.get_running_loop()
        forget_at = loop.time() + FORGET_EVERY
        while not self._stopping:
            self._wake.clear()
            free = self.workers - len(self._running)
            try:
                taken = await self.queued.take(self.owner, free, LEASE)
                if loop.time() >= forget_at:
                    forget_at = loop.time() + FORGET_EVERY
                    await self.queued.forget_handled()
            except Exception as error:
                self._database_away(error)
                await asyncio.sleep(RETRY_EVERY)
                continue
            for update_id, body in taken:
                task = asyncio.create_task(self._handle(update_id, body))
                self._running.add(task)
                task.add_done_callback(self._done)
            if len(taken) < free or free == 0:  # nothing more to take for now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_every)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()

    async def _handle(self, update_id: int, body: str) -> None:
        try:
            update = Update.de_json(json.loads(body), self.application.bot)
            handling = self.application.process_update(update)
            if self.tracer is None:
                await handling
            else:
                await self.tracer.run(update, handling)
        except Exception:  # PTB's process_update reports its own errors; keep serving
            logger.exception("update %s escaped its error handler", update_id)
        self.handled += 1
        while True:  # the chat's next update waits for this
            try:
                await self.queued.handled(self.owner, [update_id])
                return
            except Exception as error:
                if self._stopping:  # its lease runs out; another instance handles it again
                    return
                self._database_away(error)
                await asyncio.sleep(RETRY_EVERY)

    def _database_away(self, error: BaseException) -> None:
        self._outage.warn(
            "shared update queue: the database is away (%s); trying again every %g s",
            describe_outage(error),
            RETRY_EVERY,
        )
