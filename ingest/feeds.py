"""An RSS or Atom feed -> its items, through feedparser.

Only what a feed says of each item is read here (its GUID, link, title, date, author and
summary); the article itself is the item's page, fetched and extracted by ``sources``.
A body that is no feed at all (an HTML page where XML was expected, or garbage) is a
:class:`FeedError`; a feed with an error that feedparser could read past still gives its
items, as a feed reader would.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import io
import re
from dataclasses import dataclass

import feedparser


class FeedError(Exception):
    """A body that is not a feed; the message says what it looks like instead."""


@dataclass(frozen=True)
class FeedItem:
    guid: str | None
    link: str | None
    title: str
    published: str | None  # YYYY-MM-DD
    author: str | None
    summary: str  # plain text


@dataclass(frozen=True)
class Feed:
    title: str
    items: tuple[FeedItem, ...]


def parse_feed(body: bytes, url: str | None = None) -> Feed:
    """The feed's items; relative links resolved against ``url``, where it was fetched."""
    headers = {"content-location": url} if url else None
    parsed = feedparser.parse(
        io.BytesIO(body),
        sanitize_html=True,
        resolve_relative_uris=True,
        response_headers=headers,
    )
    if not parsed.get("version") and not parsed.entries:
        head = body[:512].lower()
        if b"<html" in head or b"<!doctype html" in head:
            raise FeedError("an HTML page, not an RSS or Atom feed")
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            raise FeedError(f"not a readable feed ({_short(str(reason))})")
        raise FeedError("not an RSS or Atom feed")
    items = tuple(_item(entry) for entry in parsed.entries)
    if parsed.get("bozo") and not any(item.link or item.summary for item in items):
        # Broken XML that feedparser read past, with nothing usable in it.
        reason = parsed.get("bozo_exception")
        raise FeedError(f"not a readable feed ({_short(str(reason))})")
    return Feed(title=_text(parsed.feed.get("title", "")), items=items)


def _item(entry: feedparser.FeedParserDict) -> FeedItem:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    published = (
        dt.datetime.fromtimestamp(calendar.timegm(moment), dt.UTC).date().isoformat()
        if moment
        else None
    )
    content = entry.get("content") or []
    summary = content[0].get("value", "") if content else entry.get("summary", "")
    return FeedItem(
        guid=(entry.get("id") or "").strip() or None,
        link=(entry.get("link") or "").strip() or None,
        title=_text(entry.get("title", "")),
        published=published,
        author=_text(entry.get("author", "")) or None,
        summary=_html_to_text(summary),
    )


def _html_to_text(markup: str) -> str:
    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d)\b[^>]*>", "\n", markup)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", _html_to_text(value)).strip()


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
