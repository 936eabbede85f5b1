"""``briefbot ingest`` and the feed poller: a path or URL in, documents kept.

A target is a local file (``.txt``: a plain-text document, read as a seed is; anything
else: an HTML page or a feed, told apart by their content) or an http(s) URL (fetched
within :class:`~ingest.fetch.Limits`). A feed's items are each fetched as pages and
extracted; an item whose page cannot be had keeps the text the feed gave, if it is long
enough to be an article. An item already kept, and unchanged in the feed, is not fetched
again. Extraction is CPU work, so it runs in a worker thread: the event loop of a running
bot keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from briefings.documents import SourceDocument, SourceMeta
from ingest.feeds import Feed, FeedError, FeedItem, parse_feed
from ingest.fetch import DEFAULT_LIMITS, FetchError, Limits, fetch, new_client
from ingest.library import DocumentLibrary, Outcome
from ingest.pages import MIN_TEXT, ExtractionError, page_document, text_document

MAX_ITEMS = 50  # a feed's newest items read per poll: a feed of 10,000 items is not a crawl
_FEED_START = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")


class SourceError(Exception):
    """A target that gave nothing: the message says why, in one line."""


@dataclass
class Report:
    """What one target gave: documents by outcome, and the items that failed."""

    target: str
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None

    @property
    def changed(self) -> int:
        return self.outcomes[Outcome.ADDED] + self.outcomes[Outcome.UPDATED]

    def summary(self) -> str:
        if self.not_modified:
            return f"{self.target}: not modified since the last poll"
        parts = [
            f"{count} {outcome.value}"
            for outcome, count in sorted(self.outcomes.items(), key=lambda item: item[0].value)
            if count
        ]
        failed = f", {len(self.problems)} failed" if self.problems else ""
        return f"{self.target}: {', '.join(parts) or 'nothing new'}{failed}"


def is_url(target: str) -> bool:
    parts = urlsplit(target)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return True
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_FEED_START) and b"<html" not in head[:200]


class Ingester:
    """Adds what targets give to one :class:`DocumentLibrary`."""

    def __init__(
        self,
        library: DocumentLibrary,
        client: httpx.AsyncClient,
        now: Callable[[], dt.datetime],
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.library, self.client, self.now, self.limits = library, client, now, limits

    async def ingest(self, target: str) -> Report:
        """One path or URL; :class:`SourceError` when it gave nothing at all."""
        report = Report(target)
        if is_url(target):
            try:
                fetched = await fetch(self.client, target, self.limits)
            except FetchError as error:
                raise SourceError(f"{target}: {error}") from None
            body, url, kind = fetched.body, fetched.url, fetched.content_type
        else:
            path = Path(target)
            if not path.is_file():
                raise SourceError(f"{target}: no such file, and not an http(s) URL")
            try:
                size = path.stat().st_size
            except OSError as error:
                raise SourceError(f"{target}: cannot be read ({error.strerror})") from None
            if size > self.limits.max_bytes:
                raise SourceError(
                    f"{target}: too large ({size:,} bytes; the cap is {self.limits.max_bytes:,})"
                )
            if path.suffix.lower() == ".txt":
                try:
                    document = text_document(path, self.now())
                except (OSError, ExtractionError) as error:
                    raise SourceError(f"{target}: {error}") from None
                report.outcomes[self.library.add(document)] += 1
                return report
            try:
                body, url, kind = path.read_bytes(), path.resolve().as_uri(), ""
            except OSError as error:
                raise SourceError(f"{target}: cannot be read ({error.strerror})") from None
        if looks_like_feed(body, kind):
            try:
                feed = parse_feed(body, url)
            except FeedError as error:
                raise SourceError(f"{target}: {error}") from None
            await self.add_items(feed, url, report)
        else:
            try:
                document = await asyncio.to_thread(page_document, body, url, self.now())
            except ExtractionError as error:
                raise SourceError(f"{target}: {error}") from None
            report.outcomes[self.library.add(document)] += 1
        return report

    async def poll(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Report:
        """A configured feed, with a conditional GET; :class:`SourceError` if it failed."""
        report = Report(url)
        try:
            fetched = await fetch(
                self.client, url, self.limits, etag=etag, last_modified=last_modified
            )
        except FetchError as error:
            raise SourceError(str(error)) from None
        report.etag, report.last_modified = fetched.etag, fetched.last_modified
        if fetched.not_modified:
            report.not_modified = True
            report.etag = fetched.etag or etag
            report.last_modified = fetched.last_modified or last_modified
            return report
        try:
            feed = parse_feed(fetched.body, fetched.url)
        except FeedError as error:
            raise SourceError(str(error)) from None
        await self.add_items(feed, fetched.url, report)
        return report

    async def add_items(self, feed: Feed, feed_url: str, report: Report) -> None:
        for item in feed.items[:MAX_ITEMS]:
            digest = _item_digest(item)
            known = SourceMeta(
                outlet=feed.title or urlsplit(feed_url).hostname,
                author=item.author,
                url=item.link,
                published=item.published,
                guid=item.guid,
                feed=feed_url,
                item_sha256=digest,
            )
            if self.library.knows_item(known):
                report.outcomes[Outcome.UNCHANGED] += 1
                continue
            try:
                document = await self._item_document(item, known)
            except (FetchError, ExtractionError) as error:
                label = item.link or (f"“{item.title}”" if item.title else "an untitled item")
                report.problems.append(f"{report.target}: {label}: {error}")
                continue
            report.outcomes[self.library.add(document)] += 1

    async def _item_document(self, item: FeedItem, known: SourceMeta) -> SourceDocument:
        fetched_at = self.now()
        problem: Exception | None = None
        if item.link and is_url(item.link):
            try:
                page = await fetch(self.client, item.link, self.limits)
                return await asyncio.to_thread(
                    page_document,
                    page.body,
                    item.link,
                    fetched_at,
                    known=known,
                    fallback_title=item.title,
                )
            except (FetchError, ExtractionError) as error:
                problem = error
        if len(item.summary) >= MIN_TEXT:  # the feed's own text, when the page gave none
            meta = replace(known, fetched=fetched_at.isoformat(timespec="seconds"))
            return SourceDocument(
                title=item.title or item.summary[:80], text=item.summary, meta=meta
            )
        raise problem or ExtractionError("the item has no link and no text")


def _item_digest(item: FeedItem) -> str:
    said = "\n".join(
        [item.guid or "", item.link or "", item.title, item.published or "", item.summary]
    )
    return hashlib.sha256(said.encode("utf-8")).hexdigest()


async def ingest_all(
    targets: Sequence[str],
    documents: Path,
    now: Callable[[], dt.datetime],
    limits: Limits = DEFAULT_LIMITS,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[list[Report], list[str]]:
    """Every target in turn: the reports of those that gave something, and one line for
    each that gave nothing."""
    library = DocumentLibrary.open(documents)
    reports, failures = [], []
    async with new_client(transport) as client:
        ingester = Ingester(library, client, now, limits)
        for target in targets:
            try:
                reports.append(await ingester.ingest(target))
            except SourceError as error:
                failures.append(str(error))
    return reports, failures
