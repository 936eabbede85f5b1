"""Inline mode: ``@bot cuba`` in any chat -> briefings, found sentences, facts, listings.

Results are plain records here; the inline handler wraps them. A result's message has to
stand on its own in someone else's chat, so each carries its source in full rather than
a ``[n]`` mark pointing at a sources page the reader can't see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.conversation.event_filters import all_events
from bot.conversation.fulltext import SearchIndex
from bot.conversation.question import read_question
from bot.conversation.render import (
    LABELS,
    SCREEN_LIMIT,
    briefing_pages,
    escape,
    format_date,
    render_event,
    shown_text,
    source_label,
    to_plain,
    topic_name,
    utf16_len,
)
from bot.conversation.search import rank_topics
from briefings.model import Catalog, SourceRef
from briefings.topics import fold

INLINE_LIMIT = 50
SEARCH_RESULTS = 10
CACHE_SECONDS = 30


@dataclass(frozen=True)
class InlineResult:
    id: str
    title: str
    description: str
    message: str
    topic_command: str


def _source_line(catalog: Catalog, ref: SourceRef, lang: str) -> str:
    """The cited article as the sources page names it, in the reader's language."""
    info = next((a for a in catalog.articles if a.key == f"{ref.document}#{ref.article}"), None)
    source = source_label(info, lang) if info else escape(f"{ref.document} #{ref.article}")
    line = LABELS[lang]["inline_source"].format(source=source, paragraph=ref.paragraph)
    return f"<i>{line}</i>"


def _found(catalog: Catalog, index: SearchIndex, query: str, lang: str) -> list[InlineResult]:
    """Sentences, figures and quotes on the query's names, places and numbers, each with
    its source in full (listings come with the listings below)."""
    results = []
    for hit in index.search(read_question(query), limit=SEARCH_RESULTS).hits:
        record = hit.record
        if record.kind == "listing":
            continue
        topic = catalog.topic(record.topic)
        text = to_plain(shown_text(record.text, lang))
        dated = format_date(record.article_date) if record.article_date else ""
        about = " · ".join(p for p in (dated, topic_name(topic, lang) if topic else "") if p)
        message = f"{shown_text(record.text, lang)}\n{_source_line(catalog, record.source, lang)}"
        results.append(
            InlineResult(
                f"s:{hit.row}",
                _short(text, 120),
                about,
                message,
                topic.command if topic else record.topic,
            )
        )
    return results


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def inline_results(
    catalog: Catalog,
    query: str,
    *,
    now: dt.datetime,
    lang: str = "en",
    index: SearchIndex | None = None,
) -> list[InlineResult]:
    """Up to 50 results, best first; an empty query lists every briefing.

    With ``index``, the search's sentences on the query follow the briefings it names.
    """
    query = query.strip()
    topics = [m.topic for m in rank_topics(catalog, query) if m.score >= 62] if query else []
    if not query:
        topics = list(catalog.topics)
    results: list[InlineResult] = []
    for topic in topics:
        briefing = catalog.briefing(topic.id)
        if briefing is None:
            continue
        pages, _ = briefing_pages(catalog, briefing, now=now, lang=lang)
        message = pages[0]
        if len(pages) > 1 and utf16_len(message) < SCREEN_LIMIT:
            command = topic.command_es if lang == "es" else topic.command
            message += f"\n\n<i>{LABELS[lang]['inline_more'].format(command=command)}</i>"
        results.append(
            InlineResult(
                f"b:{topic.id}",
                topic_name(topic, lang),
                _short(briefing.headline),
                message,
                topic.command,
            )
        )
    if query and index is not None:
        results.extend(_found(catalog, index, query, lang))
    needle = fold(query)
    for briefing in catalog.briefings:
        for number, fact in enumerate(briefing.facts):
            haystack = fold(f"{fact.value} {fact.measure} {fact.text}")
            relevant = briefing.topic in {t.id for t in topics}
            if needle and not relevant and fuzz.partial_ratio(needle, haystack) < 85:
                continue
            as_of = (
                f" ({LABELS[lang]['fact_as_of'].format(date=format_date(fact.as_of, lang))})"
                if fact.as_of
                else ""
            )
            message = (
                f"<b>{escape(fact.value)}</b> {escape(fact.measure)}{as_of}\n"
                f"{escape(fact.text)}\n{_source_line(catalog, fact.source, lang)}"
            )
            results.append(
                InlineResult(
                    f"f:{briefing.topic}:{number}",
                    f"{fact.value} {fact.measure}{as_of}",
                    _short(fact.text),
                    message,
                    briefing.topic,
                )
            )
    for number, event in enumerate(all_events(catalog)):
        haystack = fold(f"{event.title} {event.city} {event.area} {event.venue or ''}")
        wanted = "events" in {t.id for t in topics} or not needle
        if not wanted and fuzz.partial_ratio(needle, haystack) < 85:
            continue
        message = (
            render_event(event, now=now, lang=lang, cite=None)
            + "\n"
            + _source_line(catalog, event.source, lang)
        )
        results.append(
            InlineResult(
                f"e:{number}",
                event.title,
                _short(f"{format_date(event.start[:10], lang)} · {event.city}"),
                message,
                "events",
            )
        )
    return results[:INLINE_LIMIT]
