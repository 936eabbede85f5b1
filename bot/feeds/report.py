"""What ``/feeds`` says: the configured feeds, each with its state, as one HTML message."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.store.feeds import FeedRecord
from bot.texts import en, es

TEXTS = {"en": en.FEEDS, "es": es.FEEDS}
LEAST_MINUTES, MOST_MINUTES = 1, 7 * 24 * 60


def feeds_text(lang: str, key: str, **values: object) -> str:
    return TEXTS.get(lang, en.FEEDS)[key].format(**values)


def _when(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d %b %H:%M") if moment else "—"


def render_feeds(
    feeds: Sequence[FeedRecord],
    lang: str,
    zone: ZoneInfo,
    catalog_line: str | None = None,
) -> str:
    if not feeds:
        lines = [feeds_text(lang, "empty")]
    else:
        lines = [feeds_text(lang, "title", count=len(feeds))]
        for feed in feeds:
            if feed.failures:
                state = feeds_text(
                    lang,
                    "failing",
                    since=_when(feed.failing_since, zone),
                    tries=feed.failures,
                    error=html.escape(feed.last_error or "?"),
                    next=_when(feed.next_poll_at, zone),
                )
            elif feed.last_ok_at is None:
                state = feeds_text(lang, "never")
            else:
                state = feeds_text(lang, "ok", when=_when(feed.last_ok_at, zone))
            lines.append(
                feeds_text(
                    lang,
                    "line",
                    number=feed.id,
                    url=html.escape(feed.url),
                    minutes=max(1, round(feed.interval / 60)),
                    state=state,
                    documents=feed.documents,
                )
            )
    if catalog_line:
        lines.append(catalog_line)
    return "\n".join(lines)
