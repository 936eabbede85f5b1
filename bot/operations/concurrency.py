"""Fair scheduling of updates: chats take turns, one chat's updates run in order.

PTB hands every update it takes off its queue to the update processor, and its own
processor takes one of a fixed number of slots per update *before* anything knows which
chat the update is for. A chat with a few hundred updates waiting then held every slot
while it drained at its own flood limit, and nobody else was answered. Here PTB admits
one update at a time (``max_concurrent_updates=1``), and admitting is all it waits for:

* each chat (each user, for inline queries) has its own queue, at most
  ``max_queued_per_chat`` long; what a chat sends beyond that is dropped, and the chat is
  told once to slow down (``on_flood``) until it has caught up;
* ``max_running`` workers take the chats in turn, one update of a chat at a time, so a
  flood from one chat costs everybody else at most the time of one of its updates;
* at most ``max_waiting`` updates wait in all the queues together. Past that, admitting
  waits, PTB's fetcher waits, its bounded update queue fills (bot/app.py) and polling
  stops fetching, or the webhook answers "busy" (bot/operations/web.py): whatever a chat
  or all of them send, the memory the backlog takes is bounded and what the bot has not
  taken stays with Telegram.

Most of a flood never gets this far: :meth:`screen` leaves it out of each getUpdates
answer before PTB parses it (bot/operations/update_screen.py).

At a stop, :meth:`finish` keeps handling for ``stop_grace`` seconds, then gives up what
is still queued and says how many; docs/design.md says what becomes of those updates.

Every update passes here, so the bookkeeping is plain code between awaits (one event
loop: nothing else runs in between), with no lock: an idle worker waits on a future of
its own that admission resolves, a worker that finishes takes the next turn itself, and
nobody is woken who has nothing to do. Admitting and starting an update costs about
5 µs (``bench/replies.py`` measures it beside PTB's own processor).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.operations.tracing import UpdateTracer

logger = logging.getLogger("briefbot.updates")
MAX_QUEUED_PER_CHAT = 20  # more than a person types before their first answer arrives
MAX_WAITING = 500  # all chats together: what 30 replies a second clear within STOP_GRACE
MAX_RUNNING_UPDATES = 8  # handled at once; more only adds HTTP connection pool overhead
STOP_GRACE = 20.0  # seconds a stop keeps handling the backlog (within a 30 s stop timeout)

FloodNotice = Callable[[Update], Awaitable[None]]


def conversation_key(update: object) -> int | None:
    """The chat an update belongs to (the user, for inline queries); None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


@dataclass
class SchedulingCounts:
    """What the scheduler did, for metrics and tests; counts only grow."""

    admitted: int = 0  # taken into a chat's queue
    dropped: int = 0  # beyond a chat's queue: not handled, the chat told to slow down
    flood_notices: int = 0  # "slow down" replies asked for
    given_up: int = 0  # still queued when a stop ran out of time
    left_unconfirmed: int = 0  # fetched but not confirmed at a stop: Telegram sends them again
    longest_queue: int = 0  # the most updates one chat ever had waiting
    most_waiting: int = 0  # the most updates ever waiting in all queues together


@dataclass
class _Queued:
    update: object
    coroutine: Awaitable[Any]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        *,
        max_queued_per_chat: int = MAX_QUEUED_PER_CHAT,
        max_waiting: int = MAX_WAITING,
        max_running: int = MAX_RUNNING_UPDATES,
        stop_grace: float = STOP_GRACE,
        tracer: UpdateTracer | None = None,
        on_flood: FloodNotice | None = None,
    ) -> None:
        super().__init__(1)  # PTB's fetcher waits for each admission: that is the back-pressure
        self.max_queued_per_chat = max_queued_per_chat
        self.max_waiting = max_waiting
        self.max_running = max_running
        self.stop_grace = stop_grace
        self.tracer = tracer
        self.on_flood = on_flood
        self.counts = SchedulingCounts()
        self._queues: dict[object, deque[_Queued]] = {}
        self._turns: deque[object] = deque()  # chats with a queued update and none running
        self._running: set[object] = set()
        self._warned: set[object] = set()  # told to slow down since their queue was last empty
        self._waiting = 0
        self._giving_up = False
        self._confirmed_below: int | None = None
        # Who waits, each on a future of its own, so each change wakes only who it
        # concerns: one idle worker for a new turn, the admission for room, a stop for any
        # change (a flood of drops must not wake eight idle workers a message).
        self._idle_workers: deque[asyncio.Future[None]] = deque()
        self._waiting_for_room: deque[asyncio.Future[None]] = deque()
        self._watching: list[asyncio.Future[None]] = []
        self._workers: list[asyncio.Task[None]] = []
        self._notices: set[asyncio.Task[None]] = set()

    @property
    def waiting(self) -> int:
        """Updates admitted and not yet started, in all chats."""
        return self._waiting

    @property
    def running(self) -> int:
        return len(self._running)

    def queued_for(self, key: int) -> int:
        """Updates of one chat waiting their turn."""
        queue = self._queues.get(key)
        return len(queue) if queue else 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Admit: queue the update in its chat's turn, drop it, or wait for room."""
        key = conversation_key(update)
        chat: object = key if key is not None else object()  # no chat: a queue of its own
        while True:
            if self._giving_up or self._unconfirmed(update):
                self._leave(update, coroutine)
                self._changed()
                return
            queue = self._queues.get(chat)
            if queue is not None and len(queue) >= self.max_queued_per_chat:
                self._drop(chat, update, coroutine)
                self._changed()
                return
            if self._waiting < self.max_waiting:
                break
            await _wait_in(self._waiting_for_room)
        if queue is None:
            queue = self._queues[chat] = deque()
        queue.append(_Queued(update, coroutine))
        self._waiting += 1
        counts = self.counts
        counts.admitted += 1
        if len(queue) > counts.longest_queue:
            counts.longest_queue = len(queue)
        if self._waiting > counts.most_waiting:
            counts.most_waiting = self._waiting
        if len(queue) == 1 and chat not in self._running:
            self._turns.append(chat)
            _wake_one(self._idle_workers)
        self._changed()

    def screen(self, updates: list[Any]) -> list[Any]:
        """A getUpdates answer before PTB parses it: leave out what admission would drop.

        Telegram delivers updates in order, so whatever people send after a flood waits
        behind it in getUpdates, and parsing is most of what an update costs the bot before
        admission (about a quarter of a millisecond each). Left out here: a chat's messages
        (and button presses) beyond the room its queue has. One more goes through unless
        the chat was already told, so that admission drops it and tells the chat; the last
        update of the answer too, as polling confirms up to it. Admission may find a little
        more room by then (a worker took one); what was left out is dropped all the same.
        """
        kept: list[Any] = []
        let_through: dict[int, int] = {}
        last = len(updates) - 1
        for index, data in enumerate(updates):
            chat = _raw_chat(data)
            if chat is None or index == last:
                kept.append(data)
                continue
            room = self.max_queued_per_chat - self.queued_for(chat)
            if chat not in self._warned:
                room += 1
            if let_through.get(chat, 0) < room:
                let_through[chat] = let_through.get(chat, 0) + 1
                kept.append(data)
            else:
                self.counts.dropped += 1
        return kept

    def _drop(self, chat: object, update: object, coroutine: Awaitable[Any]) -> None:
        self.counts.dropped += 1
        _close(coroutine)
        if chat in self._warned or self.on_flood is None or not isinstance(update, Update):
            return
        self._warned.add(chat)
        self.counts.flood_notices += 1
        logger.warning("chat %s sends faster than it is answered: dropping its excess", chat)
        notice = asyncio.create_task(self._notify(update))
        self._notices.add(notice)
        notice.add_done_callback(self._notices.discard)

    async def _notify(self, update: Update) -> None:
        assert self.on_flood is not None
        try:
            await self.on_flood(update)
        except Exception as error:  # the chat may be gone; the drop is what counts
            logger.warning("could not ask chat %s to slow down: %s", update.effective_chat, error)

    async def _work(self) -> None:
        turns = self._turns
        while True:
            while not turns:
                await _wait_in(self._idle_workers)
            chat = turns.popleft()
            item = self._queues[chat].popleft()
            self._waiting -= 1
            self._running.add(chat)
            _wake_one(self._waiting_for_room)
            self._changed()
            going_on = False
            try:
                await self._handle(item.update, item.coroutine)
                going_on = True
            except Exception:  # PTB's process_update reports its own errors; keep serving
                logger.exception("update %s escaped its error handler", item.update)
                going_on = True
            finally:
                self._running.discard(chat)
                if self._queues.get(chat):
                    # To the back: every other chat goes first. This worker takes the
                    # oldest turn next (an idle one means this is the only); one that is
                    # cancelled instead hands it to an idle one, or it would wait forever.
                    turns.append(chat)
                    if not going_on:
                        _wake_one(self._idle_workers)
                else:
                    self._queues.pop(chat, None)
                    self._warned.discard(chat)
                self._changed()

    def _changed(self) -> None:
        """Wake a stop waiting for the backlog to change (nobody else waits on this)."""
        if self._watching:
            watching, self._watching = self._watching, []
            for future in watching:
                if not future.done():
                    future.set_result(None)

    async def _until(self, done: Callable[[], bool]) -> None:
        while not done():
            await _wait_in(self._watching)

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Timed from here, once it has its turn: the handlers' own time."""
        if self.tracer is None:
            await coroutine
        else:
            await self.tracer.run(update, coroutine)

    def _unconfirmed(self, update: object) -> bool:
        return (
            self._confirmed_below is not None
            and isinstance(update, Update)
            and update.update_id >= self._confirmed_below
        )

    def _leave(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Not handled, at a stop: Telegram sends it again, or it was given up."""
        if self._unconfirmed(update):
            self.counts.left_unconfirmed += 1
        else:
            self.counts.given_up += 1
        _close(coroutine)

    async def finish(
        self, pending: asyncio.Queue[Any], *, confirmed_below: int | None = None
    ) -> int:
        """At a stop: handle what is queued for up to ``stop_grace`` seconds, give up the
        rest, and return how many updates were given up.

        ``pending`` is PTB's update queue (fetched, not admitted yet). ``confirmed_below``,
        when polling, is the offset the last getUpdates confirmed: updates from it on were
        fetched but not confirmed, so they are left for Telegram to send again (to the
        next start) rather than handled now and then a second time.
        """

        def idle() -> bool:
            return pending.empty() and self._waiting == 0 and not self._running

        self._confirmed_below = confirmed_below
        for chat, queue in list(self._queues.items()):
            kept = deque(item for item in queue if not self._unconfirmed(item.update))
            for item in queue:
                if self._unconfirmed(item.update):
                    self._leave(item.update, item.coroutine)
            self._waiting -= len(queue) - len(kept)
            self._queues[chat] = kept
            if not kept and chat in self._turns:
                self._turns.remove(chat)
        self._changed()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._until(idle), self.stop_grace)
        given_up = self._give_up()
        # What is running finishes (at most one update per worker), and an admission
        # waiting for room gives up too.
        while self._waiting_for_room:
            _wake_one(self._waiting_for_room)
        await self._until(lambda: not self._running)
        await asyncio.gather(*self._notices, return_exceptions=True)
        return given_up

    def _give_up(self) -> int:
        """From now on nothing more is handled: close what waits, and all that comes."""
        self._giving_up = True
        given_up = 0
        for queue in self._queues.values():
            for item in queue:
                _close(item.coroutine)
                given_up += 1
        self._queues = {chat: deque() for chat in self._running}
        self._turns.clear()
        self._waiting = 0
        self.counts.given_up += given_up
        return given_up

    async def initialize(self) -> None:
        self._giving_up = False
        self._workers = [
            asyncio.create_task(self._work(), name=f"briefbot:update-worker:{number}")
            for number in range(self.max_running)
        ]

    async def shutdown(self) -> None:
        self._give_up()
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, *self._notices, return_exceptions=True)
        self._workers = []


def _raw_chat(data: Any) -> int | None:
    """The chat of a message, edited message or button press as JSON, as
    :func:`conversation_key` finds it once parsed; None for anything else."""
    if not isinstance(data, dict):
        return None
    message = data.get("message") or data.get("edited_message")
    if message is None and isinstance(data.get("callback_query"), dict):
        message = data["callback_query"].get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    return chat_id if type(chat_id) is int else None


async def _wait_in(waiters: deque[asyncio.Future[None]] | list[asyncio.Future[None]]) -> None:
    """Wait, on a future of one's own placed in ``waiters``, until someone resolves it."""
    future = asyncio.get_running_loop().create_future()
    waiters.append(future)
    try:
        await future
    finally:
        if not future.done():  # cancelled (a stop): nobody must wake a waiter that left
            future.cancel()


def _wake_one(waiters: deque[asyncio.Future[None]]) -> None:
    """Resolve the first waiter still waiting; those that left are passed over."""
    while waiters:
        future = waiters.popleft()
        if not future.done():
            future.set_result(None)
            return


def _close(coroutine: Awaitable[Any]) -> None:
    """An update not handled: its handlers' coroutine is closed, never awaited."""
    if isinstance(coroutine, Coroutine):
        coroutine.close()
