"""Briefings and events -> Telegram HTML messages. The one place that writes reply text.

Everything a source says is escaped here (``<``, ``>``, ``&``), every tag this module opens
it closes in the same block, and :func:`split_message` cuts only between blocks, so no
message is ever cut inside a tag or an entity. Lengths are counted in UTF-16 code units,
as Telegram counts them. No ``telegram`` import: tests call this directly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from bot.conversation.occurrences import is_run, on_now, on_today, sessions
from bot.texts import en, es
from briefings.model import Briefing, Catalog, Event, SourceRef, Topic

MESSAGE_LIMIT = 4096
LABELS = {"en": en.LABELS, "es": es.LABELS}
_MONTHS_ES = [
    "",
    "ene",
    "feb",
    "mar",
    "abr",
    "may",
    "jun",
    "jul",
    "ago",
    "sep",
    "oct",
    "nov",
    "dic",
]
_DAYS_ES = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]
_TAG = re.compile(r"<[^>]+>")


def escape(text: str) -> str:
    """Text from a source, made safe for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram text limit and offset
    (characters outside the BMP count twice)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_plain(message: str) -> str:
    """What a reader sees of an HTML message: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", message))


def split_message(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack blocks (each self-contained HTML) into messages of at most ``limit`` units.

    Blocks are joined by a blank line and never cut, unless one block alone is too long:
    then it is cut between its lines, and a single overlong line is re-escaped as plain
    text and cut between words, so that no tag or entity is ever split.
    """
    pieces: list[str] = []
    for block in blocks:
        pieces.extend(_fit(block, limit))
    messages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = piece
    if current:
        messages.append(current)
    return messages


def _fit(block: str, limit: int) -> list[str]:
    if utf16_len(block) <= limit:
        return [block]
    lines = block.split("\n")
    if len(lines) > 1:
        return [piece for line in lines for piece in _fit(line, limit)]
    words = to_plain(block).split(" ")
    chunks: list[str] = []
    current = ""
    for word in words:
        escaped = escape(word)
        while utf16_len(escaped) > limit:  # one "word" longer than a message
            cut = limit
            while utf16_len(escaped[:cut]) > limit or escaped[:cut].rfind("&") > cut - 6 > 0:
                cut -= 1
            chunks.append(escaped[:cut])
            escaped = escaped[cut:]
        candidate = f"{current} {escaped}" if current else escaped
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = escaped
    if current:
        chunks.append(current)
    return [c for c in chunks if c]


def format_date(iso: str | None, lang: str = "en") -> str:
    """'2026-02-02' -> '2 Feb 2026'; '2025-03' -> 'Mar 2025'; '1836' -> '1836'."""
    if not iso:
        return ""
    parts = iso[:10].split("-")
    year = parts[0]
    if len(parts) == 1:
        return year
    month = int(parts[1])
    name = _MONTHS_ES[month] if lang == "es" else calendar.month_abbr[month]
    if len(parts) == 2:
        return f"{name} {year}"
    return f"{int(parts[2])} {name} {year}"


def format_moment(moment: dt.datetime, lang: str = "en", with_time: bool = True) -> str:
    day = _DAYS_ES[moment.weekday()] if lang == "es" else calendar.day_abbr[moment.weekday()]
    text = f"{day} {format_date(moment.date().isoformat(), lang)}"
    return f"{text}, {moment:%H:%M}" if with_time else text


@dataclass
class Citations:
    """Numbers cited articles in order of first use; a mark names the paragraph too.

    ``[2 ¶7]`` is paragraph 7 of the second article in the sources list at the end.
    """

    catalog: Catalog
    articles: list[tuple[str, int]] = field(default_factory=list)
    paragraphs: dict[tuple[str, int], list[SourceRef]] = field(default_factory=dict)

    def mark(self, ref: SourceRef) -> str:
        key = (ref.document, ref.article)
        if key not in self.articles:
            self.articles.append(key)
            self.paragraphs[key] = []
        if ref not in self.paragraphs[key]:
            self.paragraphs[key].append(ref)
        return f"[{self.articles.index(key) + 1} ¶{ref.paragraph}]"

    @property
    def refs(self) -> list[SourceRef]:
        return [ref for key in self.articles for ref in self.paragraphs[key]]

    def block(self, lang: str) -> str:
        labels = LABELS[lang]
        lines = [f"<b>{labels['sources']}</b>"]
        infos = {a.key: a for a in self.catalog.articles}
        for number, (document, article) in enumerate(self.articles, 1):
            info = infos.get(f"{document}#{article}")
            title = f" — {escape(info.title)}" if info else ""
            dated = ""
            if info and info.date:
                guessed = f", {labels['inferred']}" if info.date_inferred else ""
                dated = f" ({format_date(info.date, lang)}{guessed})"
            cited = ", ".join(
                f"¶{r.paragraph}"
                for r in sorted(self.paragraphs[(document, article)], key=lambda r: r.paragraph)
            )
            lines.append(
                f"[{number}] {escape(document)}, {labels['article']} {article}"
                f"{title}{dated}: {cited}"
            )
        return "\n".join(lines)


def topic_name(topic: Topic, lang: str) -> str:
    return topic.name_es if lang == "es" else topic.name_en


def _section(title: str, items: Iterable[str]) -> str:
    """A bold heading and one bullet per item: one block, never split inside."""
    return "\n".join([f"<b>{title}</b>", *(f"• {item}" for item in items)])


def _as_of(iso: str | None, lang: str) -> str:
    return f" ({LABELS[lang]['as_of'].lower()} {format_date(iso, lang)})" if iso else ""


def render_briefing(
    catalog: Catalog,
    briefing: Briefing,
    *,
    now: dt.datetime,
    lang: str = "en",
    with_sources: bool = True,
    cite: Citations | None = None,
) -> list[str]:
    """One topic's briefing as HTML blocks (pass them to :func:`split_message`).

    Pass ``cite`` to collect the citations yourself (to put the sources on a page of
    their own); otherwise, with ``with_sources``, they close the last block.
    """
    labels = LABELS[lang]
    topic = catalog.topic(briefing.topic)
    cite = cite if cite is not None else Citations(catalog)
    name = topic_name(topic, lang) if topic else briefing.topic
    header = [f"<b>{escape(name)}</b>", f"<i>{escape(briefing.headline)}</i>"]
    if briefing.as_of:
        count = len(briefing.articles)
        noun = (
            ("artículo" if count == 1 else "artículos")
            if lang == "es"
            else ("article" if count == 1 else "articles")
        )
        header.append(f"{labels['as_of']} {format_date(briefing.as_of, lang)} · {count} {noun}")
    blocks = ["\n".join(header)]
    if briefing.summary:
        sentences = [
            f"{escape(text)} {cite.mark(ref)}"
            for text, ref in zip(briefing.summary, briefing.summary_sources, strict=False)
        ]
        blocks.append(" ".join(sentences))
    if briefing.events:
        blocks.extend(render_events(briefing.events, now=now, lang=lang, cite=cite))
    if briefing.facts:
        blocks.append(
            _section(
                labels["facts"],
                (
                    f"<b>{escape(f.value)}</b> {escape(f.measure)}{_as_of(f.as_of, lang)} — "
                    f"{escape(f.text)} {cite.mark(f.source)}"
                    for f in briefing.facts
                ),
            )
        )
    if briefing.timeline:
        blocks.append(
            _section(
                labels["timeline"],
                (
                    f"<b>{format_date(e.date, lang)}</b> — {escape(e.text)} {cite.mark(e.source)}"
                    for e in briefing.timeline
                ),
            )
        )
    if briefing.quotes:
        blocks.append(
            _section(
                labels["quotes"],
                (
                    f"“{escape(q.text)}” — <i>{escape(q.speaker)}</i> {cite.mark(q.source)}"
                    for q in briefing.quotes
                ),
            )
        )
    if with_sources and cite.refs:
        blocks.append(cite.block(lang))
    return blocks


SCREEN_LIMIT = 1800


def briefing_pages(
    catalog: Catalog, briefing: Briefing, *, now: dt.datetime, lang: str = "en"
) -> tuple[list[str], str]:
    """A briefing as screens of about a phone screen each, and its sources as one page.

    Screens are cut between lines (see :func:`paginate`), and each line carries its own
    citation, so "More ›" never splits a fact from its source. The sources page is one
    message: a topic cites a few dozen articles at most, far under Telegram's limit.
    """
    cite = Citations(catalog)
    blocks = render_briefing(catalog, briefing, now=now, lang=lang, with_sources=False, cite=cite)
    pages = paginate(blocks, SCREEN_LIMIT)
    sources = split_message([cite.block(lang)])[0] if cite.refs else ""
    return pages, sources


def paginate(blocks: Sequence[str], limit: int) -> list[str]:
    """Fill screens line by line; a section cut between screens repeats its heading.

    Unlike :func:`split_message`, which keeps blocks whole, a screen here is filled up,
    so a long list of figures starts right after the summary instead of a screen later.
    Other blocks (a listing with its details) move whole to the next screen when they fit
    one. Lines are whole (each closes its own tags), so no cut is ever inside a tag.
    """
    pages: list[str] = []
    current = ""
    for block in blocks:
        lines = [piece for line in block.split("\n") for piece in _fit(line, limit - 100)]
        heading = lines[0] if lines[0].startswith("<b>") and len(lines) > 1 else None
        whole = f"{current}\n\n{block}" if current else block
        if heading is None and current and utf16_len(whole) > limit >= utf16_len(block):
            pages.append(current)  # keep this block together on the next screen
            current = ""
        separator = "\n\n"
        for number, line in enumerate(lines):
            candidate = f"{current}{separator}{line}" if current else line
            if utf16_len(candidate) <= limit:
                current = candidate
            else:
                pages.append(current)
                if heading and number > 1:
                    current = f"{heading} …\n{line}"
                elif heading and number == 1:  # never leave a heading alone at a page end
                    pages[-1] = pages[-1].removesuffix(f"\n\n{heading}").removesuffix(heading)
                    current = f"{heading}\n{line}"
                else:
                    current = line
            separator = "\n"
    if current:
        pages.append(current)
    return [page for page in pages if page.strip()]


def _local(iso: str, zone: ZoneInfo) -> dt.datetime:
    value = dt.datetime.fromisoformat(iso)
    return value.replace(tzinfo=zone)


def event_is_over(event: Event, now: dt.datetime) -> bool:
    """Over when its last session (or its run) has ended in the event's own time zone.

    A session with no end given is over when its day is (see :mod:`occurrences`).
    """
    return max(session.end for session in sessions(event)) <= now


def next_by_rule(event: Event, now: dt.datetime) -> dt.datetime | None:
    """The next date the event's recurrence rule gives after ``now``, if it has one."""
    if not event.rrule:
        return None
    zone = ZoneInfo(event.timezone)
    start = _local(event.occurrences[0].start, zone)
    rule = rrulestr(event.rrule, dtstart=start)
    following = rule.after(now.astimezone(zone))
    return following if isinstance(following, dt.datetime) else None


def next_beyond_listing(event: Event, now: dt.datetime) -> dt.datetime | None:
    """The rule's next date when it says something the listing doesn't: a date after the
    listing's own sessions (or its run). "Next: Sat 7 Feb" under a listing for Sat 7 Feb,
    or an opening day inside an exhibition's listed run, repeats the listing."""
    following = next_by_rule(event, now)
    if following is None:
        return None
    last = max(session.end for session in sessions(event))
    return following if following >= last else None


def count_listings(count: int, lang: str) -> str:
    """ "1 listing", "5 listings" (or the Spanish)."""
    labels = LABELS[lang]
    return labels["listing_one"] if count == 1 else labels["listing_many"].format(n=count)


def event_status(event: Event, now: dt.datetime) -> str:
    """past, on now, today, running (a run, now closed) or upcoming; see
    :mod:`occurrences` for what "on now" needs."""
    if event_is_over(event, now):
        return "past"
    if on_now(event, now):
        return "ongoing"
    if on_today(event, now):
        return "today"
    if is_run(event) and sessions(event)[0].start <= now:
        return "running"  # an exhibition between its opening hours
    return "upcoming"


def _when(event: Event, lang: str) -> str:
    zone = ZoneInfo(event.timezone)
    parts = []
    for occurrence in event.occurrences:
        start = _local(occurrence.start, zone)
        has_time = "T" in occurrence.start
        text = format_moment(start, lang, with_time=has_time)
        if occurrence.end:
            end = _local(occurrence.end, zone)
            if end.date() == start.date() and "T" in occurrence.end:
                text += f"–{end:%H:%M}"
            elif end.date() != start.date():
                text += f" – {format_moment(end, lang, with_time='T' in occurrence.end)}"
        parts.append(text)
    if event.end and len(event.occurrences) == 1 and not event.occurrences[0].end:
        parts[-1] += f" – {format_date(event.end, lang)}"
    elif event.end and event.rrule and event.end[:10] != event.occurrences[-1].start[:10]:
        parts[-1] += f" … {format_date(event.end[:10], lang)}"
    return "; ".join(parts)


def _price(event: Event, lang: str) -> str | None:
    labels = LABELS[lang]
    price = event.price
    if price is None:
        return None
    if price.free:
        return labels["free"]
    if price.amount is None:
        return None
    amount = f"{price.amount} {price.currency}"
    text = f"{labels['from']} {amount}" if price.minimum else amount
    return f"{text} ({price.note})" if price.note else text


NOTE_INLINE = 80  # notes shorter than this share the details line


def render_event(
    event: Event,
    *,
    now: dt.datetime,
    lang: str,
    cite: Citations | None,
    projected: dt.datetime | None = None,
) -> str:
    """One listing; ``projected`` is a date its rule gives in a window the reader asked for."""
    labels = LABELS[lang]
    if projected is not None:
        status = labels["upcoming"] if projected > now else labels["past"]
    else:
        status = labels[event_status(event, now)]
    place = ", ".join(p for p in (event.venue, event.address, event.city) if p)
    if projected is not None:
        when = f"{format_moment(projected, lang)} ({status}, {labels['by_rule']})"
        lines = [f"• <b>{escape(event.title)}</b> — {escape(when)}"]
        lines.append(f"  ↻ {labels['projected']}: {escape(_when(event, lang))}")
    else:
        lines = [f"• <b>{escape(event.title)}</b> — {escape(_when(event, lang))} ({status})"]
    if event.rrule and projected is None:
        following = next_beyond_listing(event, now)
        if following is not None:
            lines.append(f"  ↻ {labels['next']}: {format_moment(following, lang)}")
    details = [escape(place)] if place else []
    price = _price(event, lang)
    if price:
        details.append(escape(price))
    if event.age_limit:
        details.append(labels["age"].format(age=event.age_limit))
    short = [note for note in event.notes if len(note) < NOTE_INLINE]
    details.extend(escape(note) for note in short)
    if event.year_inferred:
        details.append(labels["inferred"])
    mark = f" {cite.mark(event.source)}" if cite else ""
    lines.append("  " + " · ".join(details) + mark)
    # A long note (a festival's program) gets lines of its own; a listing longer than a
    # screen is cut between these lines by :func:`paginate`, like a briefing.
    for number, note in enumerate(event.notes):
        if len(note) >= NOTE_INLINE:
            source = event.note_sources[number] if number < len(event.note_sources) else None
            note_mark = f" {cite.mark(source)}" if cite and source else ""
            lines.append(f"  {escape(note)}{note_mark}")
    return "\n".join(lines)


def events_preamble(events: Sequence[Event], *, now: dt.datetime, lang: str) -> str:
    """Say plainly when the listings are in the past, with their dates."""
    labels = LABELS[lang]
    today = format_date(now.date().isoformat(), lang)
    over = [e for e in events if event_is_over(e, now)]
    if events and len(over) == len(events):
        first = min(e.start[:7] for e in events)
        last = max((e.end or e.start)[:7] for e in events)
        span = format_date(first, lang) + (
            f" – {format_date(last, lang)}" if last != first else ""
        )
        return labels["all_past"].format(today=today, span=span)
    if over:
        return labels["some_past"].format(today=today)
    return labels["none_past"].format(today=today)


def render_events(
    events: Sequence[Event],
    *,
    now: dt.datetime,
    lang: str = "en",
    cite: Citations | None = None,
    title: str | None = None,
    projected: dict[str, dt.datetime] | None = None,
) -> list[str]:
    """A listings section: a line on where today stands, then one block per event.

    ``projected`` maps an event id to the date its rule gives in the asked-for window;
    such an event is judged by that date, not by its listed (past) one.
    """
    labels = LABELS[lang]
    if not events:
        return [labels["no_events"]]
    projected = projected or {}
    listed = [e for e in events if e.id not in projected]
    head = f"<b>{title if title is not None else labels['events']}</b>"
    if listed:
        head += f"\n{escape(events_preamble(listed, now=now, lang=lang))}"
    return [
        head,
        *(
            render_event(e, now=now, lang=lang, cite=cite, projected=projected.get(e.id))
            for e in events
        ),
    ]
