"""Updates from different chats are handled at the same time; one chat's, in order.

PTB handles updates one after another by default, so one slow reply (or a thousand
subscribers' worth of digests, later) would hold up everyone. Its ``concurrent_updates``
runs them all at once, which can answer a person's second message before their first.
This processor does what a chat needs: a lock per chat (per user for inline queries)
keeps each conversation in order, and different conversations run concurrently. Locks
are made on demand and dropped when no update of that chat is waiting, so memory stays
proportional to the chats active right now.

The running limit is taken *after* the chat's lock, so a chat that sends twenty
messages at once queues behind itself without taking slots the other chats need.
Eight running updates keep both cores busy; more only adds HTTP connection-pool work
(bench/replies.py measures it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.operations.tracing import UpdateTracer

MAX_ADMITTED_UPDATES = 256  # taken off the queue; beyond this, updates wait in PTB's queue
MAX_RUNNING_UPDATES = 8  # handled at once; more only adds HTTP connection pool overhead


def conversation_key(update: object) -> int | None:
    """The chat an update belongs to (the user, for inline queries); None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_admitted: int = MAX_ADMITTED_UPDATES,
        max_running: int = MAX_RUNNING_UPDATES,
        tracer: UpdateTracer | None = None,
    ) -> None:
        super().__init__(max_admitted)
        self._running = asyncio.Semaphore(max_running)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self.tracer = tracer

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Timed from here, once it holds its chat and a slot: the handlers' own time."""
        if self.tracer is None:
            await coroutine
        else:
            await self.tracer.run(update, coroutine)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = conversation_key(update)
        if key is None:
            async with self._running:
                await self._handle(update, coroutine)
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._running:
                await self._handle(update, coroutine)
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
