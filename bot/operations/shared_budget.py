"""One flood budget for every instance of the bot, kept in PostgreSQL.

:class:`bot.operations.rate_limiter.FloodLimiter` keeps Telegram's limits inside one process;
instances sharing a database share them through :class:`bot.store.flood_permits.FloodPermits`
too (the in-process windows stay, as an inner guard). Each message sent takes a permit
from the database before it goes, after the in-process windows let it through:

* a reply to a person takes its own permit at once, and may use the overall window's
  last ``reserve`` slots (2 %, at least one), which digests never take: a reply on any
  instance finds room during any instance's fan-out;
* digests wait in line here and are granted in small batches (``batch``, a twentieth of
  the overall limit), one database statement for several messages, and never while a
  reply is waiting for its permit, on this instance or (through the database) another.

A batch's permits are finished (their slots then run one more period) when the last of
its messages has its answer: at that moment, told to the database as "so many seconds
before your clock's now", so the write's own delay does not hold the slots longer.

When the database cannot be reached, sending goes on under the in-process limits alone,
and the log says so once a minute: an outage must not silence the bot, and the limits
are kept again as soon as it is back.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import logging
import math
from dataclasses import dataclass, field

from bot.operations.logs import ThrottledWarning
from bot.operations.telegram_limits import FloodLimits
from bot.store import describe_outage
from bot.store.flood_permits import FloodPermits, Window

logger = logging.getLogger("briefbot.flood")
RESERVE = 0.02  # of the overall window, left to replies (at least one slot)
BATCH = 0.05  # of the overall window, granted to digests in one take (at least one)
MARGIN = 0.005  # the server's clock and the database's tick apart, as in-process
OUTAGE_LOGGED_EVERY = dt.timedelta(minutes=1)


@dataclass
class _Batch:
    """Permits granted together; finished when the last holder releases."""

    permit_ids: list[int]
    holders: int
    last_answer: float = 0.0  # the event loop's time when the last holder released


@dataclass
class Permit:
    """One message's share of a batch; :meth:`SharedFloodBudget.release` after its answer."""

    batch: _Batch | None  # None: granted without the database (it was away)


@dataclass
class _Waiter:
    chat_id: object
    granted: asyncio.Future[Permit] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class SharedFloodBudget:
    """Permits from the database for every message; replies first, digests in batches."""

    def __init__(
        self, permits: FloodPermits, limits: FloodLimits, outage_log: ThrottledWarning
    ) -> None:
        self.permits = permits
        self.limits = limits
        overall = max(int(limits.overall_per_second), 1)
        self.overall = Window(overall, dt.timedelta(seconds=1 + MARGIN))
        self.reserve = min(max(math.ceil(overall * RESERVE), 1), overall - 1)
        self.batch = max(math.ceil(overall * BATCH), 1)
        self._private = Window(limits.private_burst, _seconds(limits.private_window))
        self._group = Window(max(int(limits.group_per_minute), 1), _seconds(60.0))
        self._waiting: collections.deque[_Waiter] = collections.deque()
        self._replies_waiting = 0
        self._wake = asyncio.Event()
        self._finished: list[_Batch] = []
        self._finish_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._outage = outage_log
        self.taken = 0  # permits granted by the database, for tests and the benchmark

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._grant_digests(), name="briefbot:flood-permits"),
            asyncio.create_task(self._finish_permits(), name="briefbot:flood-finish"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for waiter in self._waiting:  # sending goes on under the in-process limits
            if not waiter.granted.done():
                waiter.granted.set_result(Permit(None))
        self._waiting.clear()
        await self._flush_finished()

    def _window(self, chat_id: object) -> Window:
        group = isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)
        return self._group if group else self._private

    async def acquire(self, chat_id: object, *, urgent: bool) -> Permit:
        """Wait for a permit to send one message to ``chat_id``."""
        if not self._tasks:  # stopped (or never started): the in-process limits alone
            return Permit(None)
        if urgent:
            return await self._reply_permit(chat_id)
        waiter = _Waiter(chat_id)
        self._waiting.append(waiter)
        self._wake.set()
        try:
            return await asyncio.shield(waiter.granted)
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self.release(waiter.granted.result())
            else:
                waiter.granted.cancel()
            raise

    async def _reply_permit(self, chat_id: object) -> Permit:
        self._replies_waiting += 1
        try:
            while True:
                try:
                    taken = await self.permits.take(
                        [(str(chat_id), self._window(chat_id))], self.overall, urgent=True
                    )
                except Exception as error:
                    self._database_away(error)
                    return Permit(None)
                if taken.granted:
                    self.taken += 1
                    return Permit(_Batch(taken.permit_ids, 1))
                await asyncio.sleep(taken.retry_in)
        finally:
            self._replies_waiting -= 1
            if self._replies_waiting == 0:
                self._wake.set()

    def release(self, permit: Permit) -> None:
        """The message's answer came back (or it failed)."""
        batch = permit.batch
        if batch is None:
            return
        batch.holders -= 1
        batch.last_answer = _loop_time()
        if batch.holders == 0:
            self._finished.append(batch)
            self._finish_ready.set()

    async def _grant_digests(self) -> None:
        while True:
            self._drop_cancelled()
            if not self._waiting or self._replies_waiting:
                self._wake.clear()
                await self._wake.wait()
                continue
            line = list(self._waiting)[: self.batch]
            chats = [(str(waiter.chat_id), self._window(waiter.chat_id)) for waiter in line]
            batch: _Batch | None = None
            try:
                taken = await self.permits.take(
                    chats, self.overall, urgent=False, reserve=self.reserve
                )
            except Exception as error:
                self._database_away(error)
                granted, retry_in = list(range(len(line))), 0.0
            else:
                granted, retry_in = taken.granted, taken.retry_in
                batch = _Batch(taken.permit_ids, len(granted)) if granted else None
                self.taken += len(granted)
            for index in granted:
                waiter = line[index]
                self._waiting.remove(waiter)
                if waiter.granted.done():  # cancelled meanwhile: its slot is given back
                    if batch is not None:
                        self.release(Permit(batch))
                    continue
                waiter.granted.set_result(Permit(batch))
            if not granted:
                await asyncio.sleep(retry_in)

    def _drop_cancelled(self) -> None:
        while self._waiting and self._waiting[0].granted.done():
            self._waiting.popleft()

    async def _finish_permits(self) -> None:
        while True:
            await self._finish_ready.wait()
            self._finish_ready.clear()
            await self._flush_finished()

    async def _flush_finished(self) -> None:
        finished, self._finished = self._finished, []
        if not finished:
            return
        now = _loop_time()
        try:  # finished when the answers came, not when this write reaches the database
            await self.permits.finish([(b.permit_ids, now - b.last_answer) for b in finished])
        except Exception as error:  # they count as in flight until stale: only slower
            self._database_away(error)

    def _database_away(self, error: BaseException) -> None:
        self._outage.warn(
            "flood budget: the database is away (%s); sending under this instance's "
            "limits alone until it is back",
            describe_outage(error),
        )


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


def _seconds(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds * (1 + MARGIN))
