"""A question answered from the search index: cited sentences grouped by story, as HTML.

Each sentence is shown as its briefing shows it, with its ``[n ¶p]`` and the date of its
article; the sources it cites follow, as under a briefing. Sentences of one story stand
under that story's date and headline. A listing is shown whole (dates, place, price) with
an "Add to calendar" button; "when is the next …" is answered first, by the listing's rule.
The buttons open the briefing of each topic the sentences come from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.conversation import callbacks
from bot.conversation.callbacks import Action
from bot.conversation.event_filters import all_events
from bot.conversation.fulltext import Found, Hit
from bot.conversation.occurrences import sessions
from bot.conversation.render import (
    LABELS,
    Citations,
    escape,
    format_date,
    format_moment,
    next_by_rule,
    render_event,
    shown_text,
    split_message,
    topic_name,
)
from bot.conversation.reply import Button, Reply, quoted
from bot.texts import en, es
from briefings.model import Catalog, Event, Story
from briefings.search_records import SearchRecord

TEXTS = {"en": en.ANSWERS, "es": es.ANSWERS}
MAX_TOPIC_BUTTONS = 3
MAX_LISTING_BUTTONS = 3
BUTTON_TITLE = 28


@dataclass(frozen=True)
class _Group:
    """Hits of one story (or, outside stories, of one article), in the order they rank."""

    key: str
    hits: list[Hit]


def _group_key(record: SearchRecord) -> str:
    return f"s:{record.story}" if record.story else f"a:{record.article}"


def _stories(catalog: Catalog) -> dict[str, Story]:
    return {s.id: s for b in catalog.briefings for s in b.stories}


def _heading(group: _Group, catalog: Catalog, stories: dict[str, Story], lang: str) -> str:
    """The story's date and headline, or the article's title; then the topic's name."""
    record = group.hits[0].record
    topic = catalog.topic(record.topic)
    name = escape(topic_name(topic, lang)) if topic else ""
    story = stories.get(record.story or "")
    if story is not None:
        date = f"<b>{format_date(story.date, lang)}</b> · " if story.date else ""
        headline = f"<i>{escape(story.headline)}</i>" if story.headline else name
        return f"{date}{headline}" + (f" · {name}" if story.headline and name else "")
    info = next((a for a in catalog.articles if a.key == record.article), None)
    title = f"<i>{escape(info.title)}</i>" if info and info.title else ""
    return " · ".join(part for part in (title, name) if part)


def _line(record: SearchRecord, cite: Citations, lang: str) -> str:
    """One found item with its citation and its article's date."""
    texts = TEXTS[lang]
    date = format_date(record.article_date, lang) or texts["search_undated"]
    mark = cite.mark(record.source)
    if record.kind == "quote":
        who = f" — <i>{escape(record.speaker)}</i>" if record.speaker else ""
        return f"• “{shown_text(record.text, lang)}”{who} {mark} · {date}"
    if record.kind == "title":
        return f"• “{escape(record.text)}” {mark} · {date}"
    return f"• {shown_text(record.text, lang)} {mark} · {date}"


def _events_by_id(catalog: Catalog) -> dict[str, tuple[int, Event]]:
    return {event.id: (number, event) for number, event in enumerate(all_events(catalog))}


def next_date_line(event: Event, *, now: dt.datetime, lang: str) -> str:
    """ "Via RecreActiva Nocturna: next date by its rule: Sat 5 Dec 2026, 19:00." """
    texts = TEXTS[lang]
    title = escape(event.title)
    following = next_by_rule(event, now)
    if following is not None:
        return texts["search_next_rule"].format(title=title, date=format_moment(following, lang))
    coming = [s for s in sessions(event) if s.end > now]
    if coming:
        moment = format_moment(coming[0].start, lang, with_time=coming[0].timed)
        return texts["search_next_listed"].format(title=title, date=moment)
    last = max(s.start for s in sessions(event))
    return texts["search_next_none"].format(
        title=title, date=format_date(last.date().isoformat(), lang)
    )


def search_reply(
    catalog: Catalog,
    found: Found,
    question: str,
    *,
    now: dt.datetime,
    lang: str,
    wants_next: bool = False,
    subject: str = "",
) -> Reply:
    """The found items as one answer (several messages only if Telegram's limit needs)."""
    texts = TEXTS[lang]
    labels = LABELS[lang]
    cite = Citations(catalog)
    stories = _stories(catalog)
    events = _events_by_id(catalog)
    hits = list(found.hits)
    listing_hits = [h for h in hits if h.record.kind == "listing" and h.record.event in events]
    header = [texts["search_head"].format(text=escape(quoted(subject or question)))]
    if found.corrected:
        pairs = ", ".join(
            texts["search_read_pair"].format(typed=escape(typed), found=escape(word))
            for typed, word in found.corrected
        )
        header.append(f"<i>{texts['search_read_as'].format(pairs=pairs)}</i>")
    if labels["quoted_in_english"]:
        header.append(f"<i>{labels['quoted_in_english']}</i>")
    blocks = ["\n".join(header)]
    if wants_next and listing_hits:
        _, event = events[listing_hits[0].record.event or ""]
        blocks.insert(0, next_date_line(event, now=now, lang=lang))
    # A festival's program is a note of its listing: shown there, not twice.
    notes = {note for h in listing_hits for note in events[h.record.event or ""][1].notes}
    groups: dict[str, _Group] = {}
    for hit in hits:
        if hit.record.kind == "listing" or hit.record.text in notes:
            continue
        key = _group_key(hit.record)
        groups.setdefault(key, _Group(key, [])).hits.append(hit)
    for group in groups.values():
        ordered = sorted(group.hits, key=lambda h: (h.record.source.paragraph, h.record.kind))
        lines = [_heading(group, catalog, stories, lang)]
        lines.extend(_line(h.record, cite, lang) for h in ordered)
        blocks.append("\n".join(line for line in lines if line))
    if listing_hits:
        blocks.append(f"<b>{texts['search_listings']}</b>")
        for hit in listing_hits:
            _, event = events[hit.record.event or ""]
            blocks[-1] += "\n" + render_event(event, now=now, lang=lang, cite=cite)
    if cite.any:
        blocks.append(cite.block(lang))
    return Reply(split_message(blocks), buttons=_buttons(catalog, hits, events, now, lang))


def _buttons(
    catalog: Catalog,
    hits: Sequence[Hit],
    events: dict[str, tuple[int, Event]],
    now: dt.datetime,
    lang: str,
) -> tuple[tuple[Button, ...], ...]:
    """The briefing of each topic found (best first), and a calendar button per listing."""
    texts = TEXTS[lang]
    version = catalog.version
    rows: list[tuple[Button, ...]] = []
    topics = list(dict.fromkeys(h.record.topic for h in hits))[:MAX_TOPIC_BUTTONS]
    for topic_id in topics:
        topic = catalog.topic(topic_id)
        if topic is None:
            continue
        data = callbacks.encode(Action("topic", version, topic.id))
        label = texts["search_open"].format(topic=topic_name(topic, lang))
        rows.append((Button(label, data),))
    listed = [h.record.event for h in hits if h.record.kind == "listing" and h.record.event]
    for event_id in list(dict.fromkeys(listed))[:MAX_LISTING_BUTTONS]:
        if event_id not in events:
            continue
        number, event = events[event_id]
        title = event.title if len(event.title) <= BUTTON_TITLE else event.title[:27] + "…"
        over = all(s.end <= now for s in sessions(event)) and next_by_rule(event, now) is None
        key = "calendar_one_past" if over else "calendar_one"
        data = callbacks.encode(Action("ics_one", version, str(number)))
        rows.append((Button(texts[key].format(title=title), data),))
    return tuple(rows)
