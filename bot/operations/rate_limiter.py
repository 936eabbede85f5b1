"""Telegram's flood limits, with people's replies ahead of a digest fan-out.

:class:`FloodLimiter` is PTB's :class:`~telegram.ext.AIORateLimiter` with two changes:

* Its windows are sliding windows (at most N messages in any period) instead of leaky
  buckets, because a leaky bucket of 30/s lets 60 messages through in the first second,
  and Telegram answers the 31st with 429. A send holds its slot until a period after its
  answer, so time on the wire can't squeeze two periods' sends into one (see
  :class:`SlidingWindow`).
* Sends made by the digest fan-out (inside :func:`fanout_lane`) wait whenever a reply to a
  person is waiting, so a command answered during a 10,000-chat fan-out goes next, not
  after the queue.
* With PostgreSQL, every message also takes a permit of the budget all instances share
  (:mod:`bot.operations.shared_budget`); the windows here are then the inner guard.

Only message-sending methods are limited; getChatMember, answerCallbackQuery and edits
are not messages and pass straight through. RetryAfter handling (honour ``retry_after``,
retry up to ``max_retries`` times) is AIORateLimiter's own; every 429 is counted in the
metrics, and every call is shown to :func:`bot.operations.tracing.note_request` so replies are
counted per command.

A reply to a person gets one more try when sending it again cannot make a duplicate:
Telegram answered with a server error, or the request never left (:func:`not_carried_out`),
and a reply to a group that just became a supergroup goes to the supergroup. A timeout or
a reset after the request went out is different (:func:`answer_lost`): Telegram may have
delivered the message, so it is not sent again; the error handler tells the person.
A 429 on an edit (a pressed button changes its message in place) or on the answer to a
press is waited out and the call made again, like a 429 on a send: they are not counted
in the windows, so AIORateLimiter never saw them, and the press was lost. An edit is the
same whenever it is made, and a 429 means Telegram did not take the call, so making it
again can't duplicate anything; a wait longer than
:data:`EDIT_WAIT_MOST` is not waited (the person has long pressed again), and the error
handler answers.
Digests (the fan-out lane) keep their own policy, in :mod:`bot.digests.delivery`. So does
``getMe``, the first call of a start: when it fails the start ends with one line (exit 69,
"try again"), and the supervisor that restarts the bot is what tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import heapq
import itertools
import logging
import math
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import httpx
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter

from bot.operations.metrics import Metrics
from bot.operations.shared_budget import SharedFloodBudget
from bot.operations.telegram_limits import FloodLimits
from bot.operations.tracing import note_request, note_resend

logger = logging.getLogger("briefbot.replies")

_FANOUT = contextvars.ContextVar("briefbot_fanout", default=False)
_TARGET: contextvars.ContextVar[object] = contextvars.ContextVar("briefbot_target", default=None)
_LIMITED_PREFIXES = ("send", "copy", "forward")
_MARGIN = 0.005  # for the two processes' clocks ticking apart
RESERVE = 0.01  # of each window kept for replies (at least one message)
REPLY_RETRY_WAIT = 0.5  # seconds before a reply Telegram surely did not take goes again
EDIT_WAIT_MOST = 30.0  # seconds: a longer flood wait on an edit is not waited out
_PRESS_CALLS = ("edit", "answerCallbackQuery")  # editMessageText, editMessageReplyMarkup, …
_NOT_SENT_AGAIN = frozenset({"getMe"})  # a failed start is one line, not a retry and a line
# Failures of a request that never (fully) left: nothing reached Telegram to carry out.
_NEVER_LEFT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
)


def not_carried_out(error: object) -> bool:
    """Whether Telegram surely did not carry the request out, so sending it again cannot
    make a duplicate: it answered with a server error (5xx; PTB raises NetworkError with no
    transport error behind it), or the request never left (no connection, none free in
    the pool, the write failed). Refusals (BadRequest) are final, not retried."""
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False
    cause = error.__cause__
    return cause is None or isinstance(cause, (TelegramError, *_NEVER_LEFT))


def answer_lost(error: object) -> bool:
    """A network error after the request went out (a read timeout, a reset): Telegram may
    have delivered the message and only its answer was lost, so a resend may duplicate."""
    return (
        isinstance(error, NetworkError)
        and not isinstance(error, BadRequest)
        and not not_carried_out(error)
    )


@contextlib.contextmanager
def fanout_lane() -> Iterator[None]:
    """Mark the sends made inside as fan-out: they yield to replies."""
    token = _FANOUT.set(True)
    try:
        yield
    finally:
        _FANOUT.reset(token)


class SlidingWindow:
    """At most ``limit`` sends in any ``period`` seconds, as the server counts them.

    A send occupies its slot from the moment it is let through until ``period`` after its
    answer came back. The server counts it at some moment in between, so however long the
    request takes on the way (a busy event loop, a slow link), no ``period`` the server
    looks at ever holds more than ``limit``. Counting from the moment a send is let
    through instead is off by the time on the wire, and Telegram answers with 429.
    Urgent callers (replies to people) go before waiting fan-out sends, and the fan-out
    never takes the last ``reserve`` slots (1 %, at least one), so a reply finds a slot
    at once instead of waiting up to a period for the window to turn.
    """

    def __init__(self, limit: int, period: float, clock: Callable[[], float] | None = None):
        self.limit = max(int(limit), 1)
        self._clock = clock or _loop_time
        self.period = period * (1 + _MARGIN)
        # Slots the fan-out leaves free, so a reply never waits for the window to turn.
        self.reserve = min(max(math.ceil(self.limit * RESERVE), 1), self.limit - 1)
        self._finished: list[float] = []  # a heap of answer times still inside the period
        self._in_flight = 0
        self._urgent_waiting = 0

    def idle(self, now: float) -> bool:
        self._expire(now)
        return not self._finished and not self._in_flight

    def _expire(self, now: float) -> None:
        while self._finished and now - self._finished[0] >= self.period:
            heapq.heappop(self._finished)

    def _wait(self, now: float, *, urgent: bool) -> float:
        """0 if a slot is free now, else how long until one may be."""
        self._expire(now)
        limit = self.limit if urgent else self.limit - self.reserve
        if len(self._finished) + self._in_flight < limit:
            return 0.0
        if self._finished:
            return self._finished[0] + self.period - now
        return self.period / self.limit  # every slot is on the wire: check again soon

    async def acquire(self, *, urgent: bool) -> None:
        if urgent:
            self._urgent_waiting += 1
        try:
            while True:
                wait = self._wait(self._clock(), urgent=urgent)
                if wait == 0.0 and (urgent or self._urgent_waiting == 0):
                    self._in_flight += 1
                    return
                # A fan-out send behind an urgent one re-checks soon after the reply took
                # its slot; everyone else sleeps until the window has room.
                await asyncio.sleep(wait or self.period / self.limit)
        finally:
            if urgent:
                self._urgent_waiting -= 1

    def release(self) -> None:
        """The send's answer came back (or it failed): its slot runs for one more period."""
        self._in_flight -= 1
        heapq.heappush(self._finished, self._clock())


def _seconds(retry_after: float | dt.timedelta) -> float:
    """PTB gives ``retry_after`` as seconds or, with a setting of v22, a timedelta."""
    if isinstance(retry_after, dt.timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


class FloodLimiter(AIORateLimiter):
    """AIORateLimiter with sliding windows, per-chat limits and replies ahead of fan-out.

    ``clock`` is what the windows read: the event loop's time unless a test stops it
    (``limiter.clock = lambda: frozen``), so a window that is full stays full and the
    test can see who gets through it without racing the window's turn.
    """

    def __init__(
        self,
        limits: FloodLimits | None = None,
        *,
        max_retries: int = 3,
        metrics: Metrics | None = None,
        reply_retry_wait: float = REPLY_RETRY_WAIT,
    ) -> None:
        self.limits = limits or FloodLimits()
        self.metrics = metrics
        self.reply_retry_wait = reply_retry_wait
        super().__init__(
            overall_max_rate=self.limits.overall_per_second,
            group_max_rate=self.limits.group_per_minute,
            max_retries=max_retries,
        )
        self.clock: Callable[[], float] = _loop_time
        self._overall = SlidingWindow(int(self.limits.overall_per_second), 1.0, self._now)
        self._chats: dict[object, SlidingWindow] = {}
        # Instances sharing PostgreSQL share the budget too (bot/operations/instances.py);
        # the windows above stay, as the inner guard.
        self.shared: SharedFloodBudget | None = None

    def _now(self) -> float:
        return self.clock()

    def _chat_window(self, chat_id: object) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) > 4096:  # forget chats whose windows are empty
                now = self._now()
                self._chats = {k: w for k, w in self._chats.items() if not w.idle(now)}
            is_group = isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)
            limits = self.limits
            window = (
                SlidingWindow(int(limits.group_per_minute), 60.0, self._now)
                if is_group
                else SlidingWindow(limits.private_burst, limits.private_window, self._now)
            )
            self._chats[chat_id] = window
        return window

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        note_request(endpoint)
        # Digests: bot.digests.delivery retries, and records a moved group itself.
        if _FANOUT.get() or endpoint in _NOT_SENT_AGAIN:
            return await self._limited(callback, args, kwargs, endpoint, data, rate_limit_args)
        try:
            return await self._limited(callback, args, kwargs, endpoint, data, rate_limit_args)
        except ChatMigrated as moved:
            if not endpoint.startswith(_LIMITED_PREFIXES) or tuple(args) != (endpoint, data):
                raise
            why = f"the group is now supergroup {moved.new_chat_id}"
            old, data = data.get("chat_id"), {**data, "chat_id": moved.new_chat_id}
            args = (endpoint, data)
        except NetworkError as error:
            if not not_carried_out(error):
                raise
            why, old = f"Telegram did not take it ({error})", data.get("chat_id")
            await asyncio.sleep(self.reply_retry_wait)
        logger.warning("%s to chat %s failed: %s; sending it again", endpoint, old, why)
        note_resend()
        return await self._limited(callback, args, kwargs, endpoint, data, rate_limit_args)

    async def _limited(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint.startswith(_PRESS_CALLS) and not _FANOUT.get():
            return await self._waiting_out_floods(callback, args, kwargs, endpoint)
        if not endpoint.startswith(_LIMITED_PREFIXES) or data.get("chat_id") is None:
            return await self._counting_429s(callback, args, kwargs)
        chat_id: object = data["chat_id"]
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[call-overload]
        token = _TARGET.set(chat_id)
        try:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            _TARGET.reset(token)

    async def _waiting_out_floods(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: Any,
        endpoint: str,
    ) -> Any:
        """The call, made again after each 429's ``retry_after`` (``max_retries`` times)."""
        for attempt in itertools.count():
            try:
                return await self._counting_429s(callback, args, kwargs)
            except RetryAfter as flood:
                wait = _seconds(flood.retry_after)
                if attempt >= self._max_retries or wait > EDIT_WAIT_MOST:
                    raise
                logger.info(
                    "%s: Telegram asked to wait %.0f s; editing again after", endpoint, wait
                )
                await asyncio.sleep(wait + 0.1)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _counting_429s(
        self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any, kwargs: Any
    ) -> Any:
        try:
            return await callback(*args, **kwargs)
        except RetryAfter:
            if self.metrics is not None:
                self.metrics.too_many_requests.inc()
            raise

    async def _run_request(
        self,
        chat: bool,
        group: str | int | bool,
        allow_paid_broadcast: bool,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> Any:
        urgent = not _FANOUT.get()
        chat_window = self._chat_window(_TARGET.get())
        await self._retry_after_event.wait()  # a RetryAfter elsewhere pauses everyone
        await chat_window.acquire(urgent=urgent)
        try:
            await self._overall.acquire(urgent=urgent)
            try:
                if self.shared is None:
                    return await self._counting_429s(callback, args, kwargs)
                permit = await self.shared.acquire(_TARGET.get(), urgent=urgent)
                try:
                    return await self._counting_429s(callback, args, kwargs)
                finally:
                    self.shared.release(permit)
            finally:
                self._overall.release()
        finally:
            chat_window.release()
