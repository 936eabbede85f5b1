"""Sending digests exactly once: claim in the ledger, send, then mark sent.

A due digest is a (subscription, period) pair put on a queue; a pool of workers takes
them. Each worker claims the ledger row first (the unique key means only one instance
ever holds it), composes the digest against the catalog, sends it through the flood
limiter's fan-out lane, and marks the row sent with the message ids.

**The crash window.** If the process dies after Telegram accepted the message but before
the row is marked sent, the row stays ``claimed``. The same instance takes it back when it
starts again (its boot id changed); another instance takes it once the lease expires. The
digest is then sent again: at most one duplicate for that period, and only in that window.
It is never lost, because nothing is marked before Telegram has accepted it.

Outcomes, each recorded on the ledger row: ``sent``; ``retry`` (a network error after the
backoff retries, or RetryAfter after the limiter's retries: claimed again by the sweep);
``failed`` (Forbidden, chat not found: the chat's subscriptions are paused); a group that
became a supergroup is followed to its new id and the digest is sent there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from bot.clock import Clock
from bot.deeplinks import start_link
from bot.digests import Digest, Previous, Subject, compose_digest
from bot.ratelimit import fanout_lane
from bot.store import ChatRecord, Claim, Delivery, Store, Subscription
from briefings.model import Catalog

logger = logging.getLogger("briefbot.delivery")

LEASE = dt.timedelta(minutes=2)  # a claim older than this, by any instance, is abandoned
MAX_ATTEMPTS = 6  # claims of one period before it is marked failed for good
WORKERS = 64  # sends in flight at once; the flood limiter sets the pace


@dataclass(frozen=True)
class Due:
    subscription_id: int
    period: str


@dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0
    deferred: int = 0  # left for a retry
    duplicates_avoided: int = 0  # due pairs someone else had already claimed or sent
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def _transient(error: BaseException) -> bool:
    """Network trouble worth retrying now; Telegram's refusals (BadRequest) are not."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def owner_id(instance: str) -> str:
    """``instance#boot``: the ledger tells this boot's claims from an earlier boot's."""
    return f"{instance}#{uuid.uuid4().hex[:12]}"


class DigestDelivery:
    """A queue of due digests and the workers that send them."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        catalog: Catalog,
        clock: Clock,
        *,
        default_zone: str,
        owner: str,
        on_chat_gone: Callable[[int], Awaitable[None]],
        on_chat_moved: Callable[[int, int], Awaitable[None]],
        retry_wait: float = 0.5,
    ) -> None:
        self.bot, self.store, self.catalog, self.clock = bot, store, catalog, clock
        self.default_zone = default_zone
        self.owner = owner
        self.stats = DeliveryStats()
        self._on_chat_gone = on_chat_gone
        self._on_chat_moved = on_chat_moved
        self._retry_wait = retry_wait
        self._queue: asyncio.Queue[Due] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        self._sending: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._composed: dict[tuple[object, ...], Digest] = {}

    # --- the queue -------------------------------------------------------------------------

    def start(self, workers: int = WORKERS) -> None:
        self._stopping = False
        self._workers = [asyncio.create_task(self._work()) for _ in range(workers)]

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking digests; let the ones being sent finish (up to ``grace`` seconds).

        A send cut off here would leave its row claimed (a possible duplicate later), so a
        clean stop waits for it; what is still queued stays due and is planned again at the
        next start from the store.
        """
        self._stopping = True
        busy = [task for task in self._workers if task in self._sending]
        for task in self._workers:
            if task not in self._sending:
                task.cancel()
        if busy:
            await asyncio.wait(busy, timeout=grace)
        for task in self._workers:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []

    def enqueue(self, due: Due) -> None:
        self._queue.put_nowait(due)

    @property
    def pending(self) -> int:
        """Digests waiting or being sent, for metrics and for tests that wait for quiet."""
        return self._queue.qsize() + len(self._sending)

    async def _work(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        while not self._stopping:
            due = await self._queue.get()
            self._sending.add(task)
            try:
                await self.deliver(due)
            except Exception:  # a bug must not stop the worker; the sweep retries the row
                logger.exception("delivery of %s crashed", due)
            finally:
                self._sending.discard(task)
                self._queue.task_done()

    async def drained(self) -> None:
        await self._queue.join()

    # --- one digest ------------------------------------------------------------------------

    def _now(self, chat: ChatRecord) -> dt.datetime:
        return self.clock.now().astimezone(ZoneInfo(chat.timezone or self.default_zone))

    async def deliver(self, due: Due) -> str:
        """Claim, compose, send, mark; returns the outcome (also counted in ``stats``)."""
        outcome = await self._deliver(due)
        self.stats.count(outcome)
        return outcome

    async def _deliver(self, due: Due) -> str:
        context = await self.store.delivery_context(due.subscription_id)
        if context is None:
            return "skipped"
        subscription, chat, previous = context
        if subscription.paused or not chat.active:
            return "skipped"
        claim = await self.store.claim(
            due.subscription_id, due.period, self.owner, self.clock.now(), LEASE
        )
        if claim is None:
            self.stats.duplicates_avoided += 1
            return "taken"
        if claim.attempts > MAX_ATTEMPTS:
            await self.store.mark_failed(claim, "gave up after repeated failures", retry=False)
            self.stats.failed += 1
            return "failed"
        digest = self.compose(subscription, chat, previous_sent=previous)
        return await self._send_and_record(claim, subscription, chat, digest)

    def compose(
        self,
        subscription: Subscription,
        chat: ChatRecord,
        *,
        previous_sent: Delivery | None,
    ) -> Digest:
        """The digest for this subscriber now; the same minute's twin is reused.

        In a fan-out thousands of subscribers get the same digest (same subject, zone,
        language and previous digest), so it is composed once per minute, not per chat.
        """
        previous = None
        if previous_sent is not None and previous_sent.sent_at is not None:
            previous = Previous(previous_sent.sent_at, previous_sent.content_keys)
        now = self._now(chat).replace(second=0, microsecond=0)
        key = (subscription.what, subscription.cadence, now, chat.language, previous)
        digest = self._composed.get(key)
        if digest is None:
            if len(self._composed) > 1024:
                self._composed.clear()
            digest = compose_digest(
                self.catalog,
                Subject.from_what(subscription.what),
                cadence=subscription.cadence,
                now=now,
                lang=chat.language,
                previous=previous,
            )
            self._composed[key] = digest
        return digest

    def _markup(self, subject: Subject, lang: str) -> InlineKeyboardMarkup | None:
        try:
            username = self.bot.username
        except RuntimeError:  # not initialized: no link, the digest still goes out
            return None
        topic = self.catalog.topic(subject.topic)
        if topic is None:
            return None
        payload = topic.command + (f"_{subject.city}" if subject.city else "")
        label = "Abrir en briefbot" if lang == "es" else "Open in briefbot"
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, url=start_link(username, payload.replace(" ", "_")))]]
        )

    async def send(self, chat_id: int, digest: Digest, subject: Subject, lang: str) -> list[int]:
        """Send the digest's messages in the fan-out lane, retrying network errors."""
        markup = self._markup(subject, lang)
        ids: list[int] = []
        with fanout_lane():
            for index, text in enumerate(digest.messages):
                last = index == len(digest.messages) - 1
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(4),
                    wait=wait_exponential(multiplier=self._retry_wait, max=8),
                    retry=retry_if_exception(_transient),
                    reraise=True,
                ):
                    with attempt:
                        message = await self.bot.send_message(
                            chat_id, text, reply_markup=markup if last else None
                        )
                ids.append(message.message_id)
        return ids

    async def _send_and_record(
        self, claim: Claim, subscription: Subscription, chat: ChatRecord, digest: Digest
    ) -> str:
        subject = Subject.from_what(subscription.what)
        chat_id = chat.id
        try:
            try:
                ids = await self.send(chat_id, digest, subject, chat.language)
            except ChatMigrated as moved:
                chat_id = moved.new_chat_id
                await self.store.migrate_chat(chat.id, chat_id)
                await self._on_chat_moved(chat.id, chat_id)
                ids = await self.send(chat_id, digest, subject, chat.language)
        except Forbidden as error:
            await self.store.mark_failed(claim, str(error), retry=False)
            reason = "blocked" if "blocked" in str(error) else "removed"
            await self.store.set_active(chat_id, False, reason)
            await self._on_chat_gone(chat_id)
            self.stats.failed += 1
            logger.info("chat %s is gone (%s); its subscriptions are paused", chat_id, error)
            return "failed"
        except BadRequest as error:
            await self.store.mark_failed(claim, str(error), retry=False)
            if "chat not found" in str(error).lower():
                await self.store.set_active(chat_id, False, "not found")
                await self._on_chat_gone(chat_id)
            self.stats.failed += 1
            logger.warning("digest %s/%s refused: %s", claim.subscription_id, claim.period, error)
            return "failed"
        except (RetryAfter, NetworkError) as error:
            await self.store.mark_failed(claim, f"{type(error).__name__}: {error}", retry=True)
            self.stats.deferred += 1
            logger.warning("digest %s/%s deferred: %s", claim.subscription_id, claim.period, error)
            return "retry"
        await self.store.mark_sent(
            claim, chat_id, ids, self.catalog.version, digest.keys, self.clock.now()
        )
        self.stats.sent += 1
        return "sent"
