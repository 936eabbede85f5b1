"""Polls the configured feeds and feeds what they bring to the live catalog.

Each tick claims the due feeds (a lease in the database: with several instances on one
PostgreSQL, one of them polls a feed), polls them a few at a time with a conditional GET
(ETag / Last-Modified) within the feed settings' timeout and size cap, and records each
outcome. A failing feed is logged once when its failure streak starts (and once when it
recovers), shown in ``/feeds``, and tried again after ``interval × 2^failures`` (at most
``BACKOFF_MAX``). Whatever a feed does, it cannot stop the bot or hurt the catalog: the
worst it can do is fail, and a failure is one line. New or updated documents trigger one
rebuild of the live catalog, off the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

import httpx

from bot.clock import Clock
from bot.store.feeds import FeedRecord, FeedStore
from ingest.fetch import Limits, new_client
from ingest.library import DocumentLibrary
from ingest.sources import MAX_ITEMS, Ingester, SourceError

logger = logging.getLogger("briefbot.feeds")
BACKOFF_MAX = 6 * 3600.0  # seconds: a feed down for days is still tried four times a day
LEASE_MARGIN = 60.0  # seconds a lease outlives the fetches it covers
AT_ONCE = 4  # feeds polled at the same time


class FeedPoller:
    def __init__(
        self,
        store: FeedStore,
        documents: DocumentLibrary,
        clock: Clock,
        owner: str,
        limits: Limits,
        rebuild: Callable[[], Awaitable[bool]],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store, self.documents, self.clock, self.owner = store, documents, clock, owner
        self.limits, self.rebuild = limits, rebuild
        self.client = new_client(transport)
        self.ingester = Ingester(documents, self.client, clock.now, limits)
        self.polls = 0  # completed ticks, for tests that wait for one
        self.states: dict[str, int] = {}  # "ok" / "failing" -> feeds, for /metrics
        self._lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(AT_ONCE)
        self._again = False
        self._task: asyncio.Task[None] | None = None
        # The first poll also rebuilds whatever is in the documents folder: what a poll
        # before a crash fetched and never compiled, or another process's ingest.
        self._compiled_once = False
        self._signature: frozenset[tuple[str, int, int]] | None = None

    def poll_soon(self) -> None:
        """Poll the due feeds in the background now, or right after the poll under way."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll_while_asked())

    async def _poll_while_asked(self) -> None:
        while self._again:
            self._again = False
            try:
                await self.poll_due()
            except Exception as error:  # the database away: the next tick tries again
                logger.warning("feeds were not polled: %s", error)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.client.aclose()

    async def poll_due(self) -> int:
        """Poll every due feed once; returns how many documents were added or updated."""
        async with self._lock:
            now = self.clock.now()
            # A lease covers every fetch of a poll: the feed and up to MAX_ITEMS pages.
            lease = self.limits.timeout * (MAX_ITEMS + 1) + LEASE_MARGIN
            # Another process (``briefbot ingest`` beside the bot) wrote to the folder.
            outside = self._signature is not None and (
                await asyncio.to_thread(self.documents.signature) != self._signature
            )
            if outside:
                await asyncio.to_thread(self.documents.reload)
            pulled = await self._pull_shared()
            due = await self.store.claim_due(self.owner, now, lease)
            changed = sum(await asyncio.gather(*(self._poll(feed) for feed in due)))
            await self._share()
            first = not self._compiled_once and len(self.documents) > 0
            if changed or pulled or outside or first:
                await self.rebuild()
            self._compiled_once = True
            self._signature = await asyncio.to_thread(self.documents.signature)
            feeds = await self.store.all()
            failing = sum(1 for feed in feeds if feed.failures)
            self.states = {"ok": len(feeds) - failing, "failing": failing}
            self.polls += 1
            return changed

    async def _share(self) -> None:
        """Put the documents this instance wrote into the database, for the others."""
        names = sorted(self.documents.written)
        if not names:
            return
        digests = self.documents.file_digests()
        bodies = {name: (digests[name], self.documents.text_of(name)) for name in names}
        await self.store.share_documents(bodies, self.clock.now())
        self.documents.written.difference_update(names)

    async def _pull_shared(self) -> int:
        """Copy in what other instances fetched (or updated); how many documents came."""
        shared = await self.store.document_digests()
        local = self.documents.file_digests()
        # What only this instance has (``briefbot ingest`` here, or a share that failed)
        # is shared at the end of this poll.
        self.documents.written.update(name for name in local if name not in shared)
        wanted = [
            name
            for name, digest in shared.items()
            if local.get(name) != digest and name not in self.documents.written
        ]
        if not wanted:
            return 0
        bodies = await self.store.documents(wanted)
        adopted = sum(self.documents.adopt(name, body) for name, body in bodies.items())
        if adopted:
            logger.info("copied %d document(s) other instances fetched", adopted)
        return adopted

    async def _poll(self, feed: FeedRecord) -> int:
        async with self._slots:
            try:
                report = await self.ingester.poll(
                    feed.url, etag=feed.etag, last_modified=feed.last_modified
                )
            except SourceError as error:
                await self._failed(feed, str(error))
                return 0
            except Exception as error:  # a bug must not stop the other feeds or the bot
                logger.exception("feed %s: unexpected error", feed.url)
                await self._failed(feed, f"{type(error).__name__}: {error}")
                return 0
        now = self.clock.now()
        if feed.failures:
            logger.info("feed %s recovered after %d failed polls", feed.url, feed.failures)
        for problem in report.problems:
            logger.info("feed item skipped: %s", problem)
        if report.changed:
            logger.info("%s", report.summary())
        await self.store.finish(
            feed.id,
            self.owner,
            etag=report.etag,
            last_modified=report.last_modified,
            next_poll_at=now + dt.timedelta(seconds=feed.interval),
            last_ok_at=now,
            failures=0,
            failing_since=None,
            last_error=None,
            documents=feed.documents + report.changed,
        )
        return report.changed

    async def _failed(self, feed: FeedRecord, reason: str) -> None:
        now = self.clock.now()
        failures = feed.failures + 1
        wait = min(feed.interval * 2.0**failures, BACKOFF_MAX)
        if failures == 1:  # once per streak: the next lines would say the same
            logger.warning(
                "feed %s is failing: %s; trying again with backoff (next in %s)",
                feed.url,
                reason,
                _duration(wait),
            )
        await self.store.finish(
            feed.id,
            self.owner,
            next_poll_at=now + dt.timedelta(seconds=wait),
            failures=failures,
            failing_since=feed.failing_since or now,
            last_error=reason[:256],
        )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
