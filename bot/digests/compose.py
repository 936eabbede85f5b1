"""What a digest says: what changed since the subscriber's last one, then the news.

A digest is judged against the catalog. Each digest records the keys of what it held
(facts, listings, sources); the next one compares the catalog's current keys with those
and leads with what is new, or says plainly that nothing is. The events digest lists a
city's listings for the coming month, recurring ones at their next date by rule, and
when the month has none it says which month the newest listings are from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from bot.conversation.event_filters import EventQuery, all_events, select_events
from bot.conversation.render import (
    Citations,
    briefing_pages,
    count_listings,
    escape,
    format_date,
    format_moment,
    news_when,
    render_events,
    split_message,
    topic_name,
)
from bot.texts import en, es
from briefings.model import Catalog, Event
from briefings.topics import fold

EVENTS = "events"
SHOWN_CHANGES = 5  # new items named one by one; the rest are counted

TEXTS = {"en": en.DIGESTS, "es": es.DIGESTS}


def city_name(catalog: Catalog, folded: str) -> str:
    """A city as the listings spell it ("Mazatlán"), from the folded form a filter keeps."""
    for event in all_events(catalog):
        for name in (event.city, event.area):
            if name and fold(name) == folded:
                return name
    return folded.title()


@dataclass(frozen=True)
class Subject:
    """What a subscription follows: a topic, or listings (optionally in one city)."""

    topic: str
    city: str | None = None

    @property
    def is_events(self) -> bool:
        return self.topic == EVENTS

    @property
    def what(self) -> str:
        """The stored form: ``cuba``, ``events``, ``events:guadalajara``."""
        return f"{EVENTS}:{self.city}" if self.is_events and self.city else self.topic

    @classmethod
    def from_what(cls, what: str) -> Subject:
        topic, _, city = what.partition(":")
        return cls(topic, city or None)

    def title(self, catalog: Catalog, lang: str) -> str:
        texts = TEXTS[lang]
        if self.is_events:
            if self.city:
                return texts["listings"].format(city=city_name(catalog, self.city))
            return texts["all_listings"]
        topic = catalog.topic(self.topic)
        return topic_name(topic, lang) if topic else self.topic


@dataclass(frozen=True)
class Digest:
    messages: list[str]
    keys: frozenset[str]  # what this digest held, stored in the ledger


@dataclass(frozen=True)
class Previous:
    """The subscriber's last digest, as the ledger remembers it."""

    sent_at: dt.datetime
    keys: frozenset[str]


def _fact_key(text: str) -> str:
    return "fact:" + hashlib.blake2s(fold(text).encode(), digest_size=6).hexdigest()


def _changes(
    current: dict[str, str], previous: Previous | None, now: dt.datetime, lang: str
) -> str:
    """The opening block: new items named (a few), counted (the rest), or 'nothing new'."""
    texts = TEXTS[lang]
    if previous is None:
        return texts["first"]
    when = format_moment(previous.sent_at.astimezone(now.tzinfo), lang)
    new = [(key, label) for key, label in current.items() if key not in previous.keys]
    if not new:
        return escape(texts["unchanged"].format(date=when))
    lines = [texts["changed"].format(date=escape(when))]
    for key, label in new[:SHOWN_CHANGES]:
        kind = texts[key.split(":", 1)[0]]
        lines.append(f"• {kind}: {escape(label)}")
    if len(new) > SHOWN_CHANGES:
        lines.append("• " + texts["more"].format(n=len(new) - SHOWN_CHANGES))
    return "\n".join(lines)


def compose_digest(
    catalog: Catalog,
    subject: Subject,
    *,
    cadence: str,
    now: dt.datetime,
    lang: str,
    previous: Previous | None,
) -> Digest:
    """The digest as HTML messages (within Telegram's limits) and the keys it held.

    ``now`` is the delivery moment in the subscriber's own time zone.
    """
    texts = TEXTS[lang]
    head = texts["head"].format(
        title=escape(subject.title(catalog, lang)),
        cadence=texts.get(cadence, cadence),
        date=format_moment(now, lang, with_time=False),
    )
    if subject.is_events:
        body, current = _events_body(catalog, subject, now=now, lang=lang)
        blocks = [head, _changes(current, previous, now, lang), *body]
        return Digest(split_message(blocks), frozenset(current))
    body, current = _topic_body(catalog, subject, now=now, lang=lang)
    briefing = catalog.briefing(subject.topic)
    news = news_when(briefing, now=now, lang=lang) if briefing else None
    if previous is not None and news and set(current) <= previous.keys:
        # Old news is never served under today's date as if it were new: the first line
        # says nothing changed, and how old the news is.
        when = format_moment(previous.sent_at.astimezone(now.tzinfo), lang)
        head = texts["head_unchanged"].format(
            title=escape(subject.title(catalog, lang)), date=escape(when), news=escape(news)
        )
        return Digest(split_message([head, *body]), frozenset(current))
    if news:
        head += "\n" + escape(texts["news_from"].format(news=news))
    blocks = [head, _changes(current, previous, now, lang), *body]
    return Digest(split_message(blocks), frozenset(current))


def _topic_body(
    catalog: Catalog, subject: Subject, *, now: dt.datetime, lang: str
) -> tuple[list[str], dict[str, str]]:
    briefing = catalog.briefing(subject.topic)
    if briefing is None:
        return [], {}
    current: dict[str, str] = {}
    for fact in briefing.facts:
        current.setdefault(_fact_key(fact.text), f"{fact.value} {fact.measure}".strip())
    for event in briefing.events:
        current.setdefault(f"event:{event.id}", event.title)
    # what the sources page calls each article (its first sentence when nothing names it)
    titles = {info.key: info.name or info.title for info in catalog.articles}
    for article in briefing.articles:
        current.setdefault(f"source:{article}", titles.get(article, article))
    pages, _ = briefing_pages(catalog, briefing, now=now, lang=lang)
    first = pages[0] if pages else ""
    return [first], current


def coming_month(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """From the delivery's local date to the same date next month: on the 1st, the month."""
    today = now.date()
    return today, today + relativedelta(months=1)


def _events_body(
    catalog: Catalog, subject: Subject, *, now: dt.datetime, lang: str
) -> tuple[list[str], dict[str, str]]:
    texts = TEXTS[lang]
    start, end = coming_month(now)
    events = all_events(catalog)
    selection = select_events(events, EventQuery(subject.city, start, end))
    cite = Citations(catalog)
    last_day = end - dt.timedelta(days=1)
    span = {
        "start": format_date(start.isoformat(), lang),
        "end": format_date(last_day.isoformat(), lang),
    }
    current = {f"event:{e.id}": e.title for e in selection.listed}
    blocks: list[str] = []
    if selection.listed:
        blocks.extend(
            render_events(
                selection.listed,
                now=now,
                lang=lang,
                cite=cite,
                title=texts["window"].format(**span),
            )
        )
    else:
        city = city_name(catalog, subject.city) if subject.city else ""
        where = f" {'en' if lang == 'es' else 'in'} {city}" if city else ""
        lines = [escape(texts["none_in_window"].format(where=where, **span))]
        newest = _newest_month(events, subject.city)
        if newest:
            month, count = newest
            lines.append(
                escape(
                    texts["newest"].format(
                        where=where,
                        month=format_date(month, lang),
                        count=count_listings(count, lang),
                    )
                )
            )
        blocks.append("\n".join(lines))
    recurring = [e for e in selection.events if e.id in selection.projected]
    if recurring:
        blocks.extend(
            render_events(
                recurring,
                now=now,
                lang=lang,
                cite=cite,
                title=texts["recurring"],
                projected=selection.projected,
            )
        )
        for event in recurring:
            date = selection.projected[event.id].date().isoformat()
            current[f"event:{event.id}@{date}"] = f"{event.title}, {date}"
    if cite.refs:
        blocks.append(cite.block(lang))
    return blocks, current


def _newest_month(events: list[Event], city: str | None) -> tuple[str, int] | None:
    """The latest month with listings in the city, and how many run in it: ``("2026-02", 5)``."""
    in_city = select_events(events, EventQuery(city)).listed
    if not in_city:
        return None
    month = max(e.start[:7] for e in in_city)
    first = dt.date.fromisoformat(f"{month}-01")
    window = EventQuery(city, first, first + relativedelta(months=1))
    return month, len(select_events(in_city, window).listed)
