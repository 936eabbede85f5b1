"""Sending digests exactly once: claim in the ledger, send, then mark sent.

The pipeline here is plain code; :mod:`bot.digests.sender` is the one part that talks to
Telegram, and tells it what Telegram's answer means.

A due digest is a (subscription, period) pair put on a queue. Batches of them are read
and claimed in the ledger first (the unique key means only one instance ever holds a
row), each is composed against the catalog and sent through the flood limiter's fan-out
lane, and the rows are marked sent with their message ids, a few milliseconds' worth of
outcomes in one write.

**The crash window.** If the process dies after Telegram accepted the message but before
the row is marked sent (that moment plus up to ``SETTLE_EVERY`` of batching), the row
stays ``claimed``. The same instance takes it back when it
starts again (its boot id changed); another instance takes it once the lease expires. The
digest is then sent again: one duplicate, and only in that window, which holds at most
``WORKERS`` sends (a worker keeps its slot until its outcome is written, so batching the
writes lengthens the window but not the count): at most ``WORKERS`` duplicates per kill,
and a period killed k times before it settles can reach one subscriber k + 1 times. It is
never lost, because nothing is marked before Telegram has accepted it.

**The database away.** A claim that cannot be made is retried every
``CLAIM_RETRY_SECONDS``. An outcome that cannot be written is kept and written again every
``SETTLE_RETRY_SECONDS`` until the database is back; its worker holds its slot meanwhile,
so the fan-out pauses instead of sending digests it could not mark (each a duplicate once
the lease ran out). An outage alone adds no duplicate; the process dying during one leaves
at most ``WORKERS`` rows in the crash window above.

**The lost answer.** A timeout or a connection reset after the request went out leaves
Telegram's side unknown: it may have delivered the message. Such a send is not repeated
at once (repeating while Telegram is slow is how copies pile up); the row is left
``retry`` with "Telegram may have delivered it" in ``last_error``, and the sweep sends
the digest again. If Telegram had in fact delivered it, that is a duplicate: one per lost
answer, and a period is claimed at most ``MAX_ATTEMPTS`` times, so no message of it goes
out more often than that. Errors that prove Telegram did not take the message (a 5xx
answer, no connection) are retried at once, with backoff, and cannot duplicate. A digest
of several messages that fails part-way is sent again whole.

Outcomes, each recorded on the ledger row: ``sent`` (with, in ``last_error``, the error
it was retried after, if any); ``retry`` (a lost answer, a network error after the
backoff retries, or RetryAfter after the limiter's retries: claimed again by the sweep);
``failed`` (Forbidden, chat not found: the chat's subscriptions are paused); a group that
became a supergroup is followed to its new id and the digest is sent there.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.digests.compose import Digest, Previous, Subject, compose_digest
from bot.store import ChatRecord, Claim, Delivery, Store, Subscription, describe_outage, is_outage
from bot.store.store import failed_values, sent_values
from briefings.model import Catalog

logger = logging.getLogger("briefbot.delivery")

LEASE = dt.timedelta(minutes=2)  # a claim older than this, by any instance, is abandoned
MAX_ATTEMPTS = 6  # claims of one period before it is marked failed for good
WORKERS = 16  # sends in flight at once; the flood limiter sets the pace
BATCH = 200  # due digests read and claimed in one transaction
SETTLE_EVERY = 0.02  # seconds an outcome may wait to be written with others
CLAIM_RETRY_SECONDS = 5.0  # when the database could not be reached to claim a batch
SETTLE_RETRY_SECONDS = 1.0  # when it could not be reached to record outcomes


@dataclass(frozen=True)
class Due:
    subscription_id: int
    period: str


@dataclass
class DeliveryStats:
    """How each due digest ended: sent, failed, retry, taken (someone else had it), skipped."""

    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, times: int = 1) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + times

    @property
    def sent(self) -> int:
        return self.outcomes.get("sent", 0)

    @property
    def failed(self) -> int:
        return self.outcomes.get("failed", 0)


@dataclass(frozen=True)
class Sent:
    chat_id: int  # the group's new id when it became a supergroup on the way
    message_ids: list[int]
    retried_after: str | None  # the last error a retry followed, for the ledger


@dataclass(frozen=True)
class Refused:
    chat_id: int
    error: str  # for the ledger's last_error
    retry: bool  # True: the sweep sends it again later
    chat_gone: str | None = None  # "blocked", "removed" or "not found": pause the chat


class Sender(Protocol):
    """The Telegram side of a send (:class:`bot.digests.sender.DigestSender`)."""

    retry_wait: float

    async def deliver(
        self,
        chat_id: int,
        digest: Digest,
        subject: Subject,
        lang: str,
        *,
        moved: Callable[[int, int], Awaitable[None]],
    ) -> Sent | Refused: ...


def _log_database_failure(level: int, error: BaseException, failed: str, then: str) -> None:
    """A bug gets its traceback; a database that is away for now gets one line at ``level``
    saying what happens next (an outage is expected: a traceback would bury the news)."""
    if is_outage(error):
        away = describe_outage(error)
        logger.log(level, "%s, the database is away (%s); %s", failed, away, then)
    else:
        logger.exception("%s; %s", failed, then)


def _log_outcome(claim: Claim, chat_id: int, outcome: str, values: dict[str, Any]) -> None:
    """One line per digest: which subscription, period and chat, and how it ended."""
    error = values.get("last_error")
    logger.log(
        logging.INFO if outcome == "sent" else logging.WARNING,
        "digest subscription=%d period=%s chat=%s outcome=%s attempt=%d%s",
        claim.subscription_id,
        claim.period,
        values.get("chat_id") or chat_id,
        outcome,
        claim.attempts,
        f" error={error!r}" if error else "",
    )


def owner_id(instance: str) -> str:
    """``instance#boot``: the ledger tells this boot's claims from an earlier boot's."""
    return f"{instance}#{uuid.uuid4().hex[:12]}"


class DigestDelivery:
    """A queue of due digests and the workers that send them."""

    def __init__(
        self,
        sender: Sender,
        store: Store,
        catalog: Catalog,
        clock: Clock,
        *,
        default_zone: str,
        owner: str,
        on_chat_gone: Callable[[int], Awaitable[None]],
        on_chat_moved: Callable[[int, int], Awaitable[None]],
    ) -> None:
        self.sender, self.store, self.catalog, self.clock = sender, store, catalog, clock
        self.default_zone = default_zone
        self.owner = owner
        self.stats = DeliveryStats()
        self._on_chat_gone = on_chat_gone
        self._on_chat_moved = on_chat_moved
        self._queue: asyncio.Queue[Due] = asyncio.Queue()
        self._dispatcher: asyncio.Task[None] | None = None
        self._settler: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(WORKERS)
        self._in_flight = 0  # taken from the queue, outcome not yet recorded
        self._unsent: collections.deque[Claim] = collections.deque()  # claimed, not started
        self._outcomes: list[tuple[Claim, dict[str, Any], asyncio.Future[None]]] = []
        self._outcome_ready = asyncio.Event()
        self._recording_waits = False  # outcomes are kept because the database is away
        self._held: set[tuple[int, str]] = set()  # claimed by this boot, not yet recorded
        self._stopping = False
        self._composed: dict[tuple[object, ...], Digest] = {}

    @property
    def retry_wait(self) -> float:
        """Seconds before the first retry of a send Telegram surely did not take."""
        return self.sender.retry_wait

    @retry_wait.setter
    def retry_wait(self, seconds: float) -> None:
        self.sender.retry_wait = seconds

    # --- the pipeline ----------------------------------------------------------------------
    #
    # Due digests are taken from the queue in batches: one query reads their subscriptions,
    # chats and previous digests, one transaction claims them, then each is sent in its own
    # task (at most ``workers`` at once; the flood limiter sets the pace), and outcomes are
    # written back together every few milliseconds. A per-digest round trip to SQLite costs
    # about 2 ms, which alone would cap a fan-out near 150 digests a second.

    def start(self, workers: int = WORKERS) -> None:
        self._stopping = False
        self._slots = asyncio.Semaphore(workers)
        self._dispatcher = asyncio.create_task(self._dispatch())
        self._settler = asyncio.create_task(self._settle_outcomes())

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking digests; let the ones being sent finish (up to ``grace`` seconds).

        A send cut off here would leave its row claimed (a possible duplicate later), so a
        clean stop waits for it and records its outcome; what is still queued stays due and
        is planned again at the next start, from the store.
        """
        self._stopping = True
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=grace)
        for task in list(self._sending):
            task.cancel()
        if self._settler is not None:
            self._settler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._settler
        await self._flush()
        await self._release_unsent()
        self._dispatcher = self._settler = None

    async def _release_unsent(self) -> None:
        """Hand back the claims of a batch whose sends had not started when the stop came.

        Left claimed, they would wait for this instance's next start (or another's lease);
        as ``retry`` rows, with the attempt they never had taken back, any instance's next
        sweep sends them. If the database is away they stay claimed: still never lost.
        """
        unsent, self._unsent = list(self._unsent), collections.deque()
        if not unsent:
            return
        self._in_flight -= len(unsent)
        self._held.difference_update((claim.subscription_id, claim.period) for claim in unsent)
        released = {"state": "retry", "last_error": "released unsent by a clean stop"}
        try:
            await self.store.settle_many(
                [(claim, {**released, "attempts": claim.attempts - 1}) for claim in unsent]
            )
        except Exception as error:
            _log_database_failure(
                logging.ERROR,
                error,
                f"could not release {len(unsent)} unsent digests",
                "they stay claimed until this instance starts again or their lease runs out",
            )

    def enqueue(self, due: Due) -> None:
        self._queue.put_nowait(due)

    def _requeue(self, batch: list[Due]) -> None:
        if not self._stopping:
            for due in batch:
                self.enqueue(due)

    @property
    def pending(self) -> int:
        """Digests waiting or being sent, for metrics and for tests that wait for quiet."""
        return self._queue.qsize() + self._in_flight

    async def _dispatch(self) -> None:
        while not self._stopping:
            batch = [await self._queue.get()]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._in_flight += len(batch)
            try:
                ready = await self._claim_to_the_end(batch)
            except Exception as error:  # the database is away: nothing was claimed; try again
                _log_database_failure(
                    logging.WARNING,
                    error,
                    f"could not claim {len(batch)} digests",
                    f"retrying in {CLAIM_RETRY_SECONDS:g} s",
                )
                loop = asyncio.get_running_loop()
                loop.call_later(CLAIM_RETRY_SECONDS, self._requeue, batch)
                ready = []
            self._in_flight -= len(batch) - len(ready)
            for _ in batch:
                self._queue.task_done()
            self._unsent = collections.deque(claim for claim, *_ in ready)
            self._held.update((claim.subscription_id, claim.period) for claim in self._unsent)
            for job in ready:
                await self._slots.acquire()
                self._unsent.popleft()
                task = asyncio.create_task(self._send_one(*job))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)

    async def _claim_to_the_end(
        self, batch: list[Due]
    ) -> list[tuple[Claim, Subscription, ChatRecord, Delivery | None]]:
        """Claim a batch; a stop that comes meanwhile lets the claim end, then hands it back.

        Cut short, the claim's transaction could commit with nobody left to send its rows
        (claimed until the next start), or, cancelled inside the driver, stay open and keep
        SQLite locked while the stop records what was sent.
        """
        claiming = asyncio.ensure_future(self._claim(batch))
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                self._unsent = collections.deque(claim for claim, *_ in await claiming)
            raise

    async def _claim(
        self, batch: list[Due]
    ) -> list[tuple[Claim, Subscription, ChatRecord, Delivery | None]]:
        """Read and claim a batch; what is paused, gone or held elsewhere is counted, skipped."""
        contexts = await self.store.delivery_contexts([due.subscription_id for due in batch])
        wanted = []
        for due in dict.fromkeys(batch):
            context = contexts.get(due.subscription_id)
            if context is None or context[0].paused or not context[1].active:
                self.stats.count("skipped")
                continue
            if (due.subscription_id, due.period) in self._held:  # ours, its lease run out
                self.stats.count("taken")  # (a long outage): taking it again would resend
                continue
            wanted.append((due.subscription_id, due.period))
        claims = await self.store.claim_many(wanted, self.owner, self.clock.now(), LEASE)
        self.stats.count("taken", len(wanted) - len(claims))
        ready = []
        for claim in claims:
            subscription, chat, previous = contexts[claim.subscription_id]
            ready.append((claim, subscription, chat, previous))
        return ready

    async def _send_one(
        self,
        claim: Claim,
        subscription: Subscription,
        chat: ChatRecord,
        previous: Delivery | None,
    ) -> None:
        try:
            if claim.attempts > MAX_ATTEMPTS:
                values = failed_values("gave up after repeated failures", retry=False)
                outcome = "failed"
            else:
                digest = self.compose(subscription, chat, previous_sent=previous)
                outcome, values = await self._attempt(claim, subscription, chat, digest)
            self.stats.count(outcome)
            _log_outcome(claim, chat.id, outcome, values)
            await self._record(claim, values)
        except Exception:  # a bug must not stop the pipeline; the sweep retries the row
            logger.exception("delivery of %s/%s crashed", claim.subscription_id, claim.period)
        finally:
            self._slots.release()
            self._in_flight -= 1
            self._held.discard((claim.subscription_id, claim.period))

    async def _record(self, claim: Claim, values: dict[str, Any]) -> None:
        """Hand the outcome to the settler and wait until it is in the ledger."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outcomes.append((claim, values, done))
        self._outcome_ready.set()
        if self._settler is None:  # stopping: write it now
            await self._flush()
        await done

    async def _settle_outcomes(self) -> None:
        while True:
            await self._outcome_ready.wait()
            await asyncio.sleep(SETTLE_EVERY)  # let a few more outcomes join this write
            self._outcome_ready.clear()
            if not await self._flush(keep=True):
                await asyncio.sleep(SETTLE_RETRY_SECONDS)
                self._outcome_ready.set()

    async def _flush(self, *, keep: bool = False) -> bool:
        """Write the outcomes waiting; False when the database is away and ``keep`` held them.

        Kept outcomes are written when the database is back, and until then their workers
        hold their slots: the fan-out pauses instead of sending digests it cannot record
        (each one a duplicate after the lease). At a stop nothing is kept: rows left
        claimed are the crash window's.
        """
        batch, self._outcomes = self._outcomes, []
        if not batch:
            return True
        try:
            await self.store.settle_many([(claim, values) for claim, values, _ in batch])
        except Exception as error:
            if keep and is_outage(error):
                self._outcomes[:0] = batch
                if not self._recording_waits:
                    logger.warning(
                        "could not record %d digest outcomes, the database is away (%s); "
                        "sending waits, retrying every %g s",
                        len(batch),
                        describe_outage(error),
                        SETTLE_RETRY_SECONDS,
                    )
                self._recording_waits = True
                return False
            # rows stay claimed: retaken after the lease (or the restart), sent once more
            _log_database_failure(
                logging.ERROR,
                error,
                f"could not record {len(batch)} digest outcomes",
                "their rows stay claimed",
            )
        else:
            if self._recording_waits:
                logger.info("recorded %d digest outcomes; the database is back", len(batch))
            self._recording_waits = False
        for _, _, done in batch:
            if not done.done():
                done.set_result(None)
        return True

    # --- one digest ------------------------------------------------------------------------

    def _now(self, chat: ChatRecord) -> dt.datetime:
        return self.clock.now().astimezone(ZoneInfo(chat.timezone or self.default_zone))

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
            # To the minute, as the digest shows it: thousands of readers sent the same
            # digest a few milliseconds apart must share its twin, not get one each.
            sent_at = previous_sent.sent_at.replace(second=0, microsecond=0)
            previous = Previous(sent_at, previous_sent.content_keys)
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

    async def _attempt(
        self, claim: Claim, subscription: Subscription, chat: ChatRecord, digest: Digest
    ) -> tuple[str, dict[str, Any]]:
        """Send the digest; (outcome, the ledger columns to record)."""

        async def moved(old_id: int, new_id: int) -> None:
            await self.store.migrate_chat(old_id, new_id)
            await self._on_chat_moved(old_id, new_id)

        subject = Subject.from_what(subscription.what)
        result = await self.sender.deliver(chat.id, digest, subject, chat.language, moved=moved)
        if isinstance(result, Refused):
            if result.chat_gone is not None:
                await self.store.set_active(result.chat_id, False, result.chat_gone)
                await self._on_chat_gone(result.chat_id)
                if result.chat_gone != "not found":
                    logger.info(
                        "chat %s is gone (%s); its subscriptions are paused",
                        result.chat_id,
                        result.error,
                    )
            outcome = "retry" if result.retry else "failed"
            return outcome, failed_values(result.error, retry=result.retry)
        values = sent_values(
            result.chat_id, result.message_ids, self.catalog.version, digest.keys, self.clock.now()
        )
        if result.retried_after:  # the row keeps what it met on the way
            values["last_error"] = f"sent after retrying {result.retried_after}"[:256]
        elif claim.attempts > 1:
            del values["last_error"]  # an earlier attempt's error stays on the row
        return "sent", values
