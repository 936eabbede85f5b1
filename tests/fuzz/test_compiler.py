"""Fuzzing the offline compiler: damaged seeds never crash it nor put junk in the catalog.

Seeds are scraped news dumps, and the next dump may be cut short, re-encoded, shuffled,
stuffed with markup or invisible characters. Whatever arrives, ``read_seeds`` either
refuses a file in one line that names it (empty, not UTF-8, binary: the defined refusals)
or the build writes a catalog a reader can trust. :func:`catalog_problems` is that
definition of "no junk", checked on every catalog these properties compile, and
:func:`rendering_problems` ties it to what a reader sees: every briefing still renders as
valid Telegram HTML within the message limit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.console.html_entities import EntityParseError, parse_html
from bot.conversation.render import (
    MESSAGE_LIMIT,
    SCREEN_LIMIT,
    briefing_pages,
    render_briefing,
    split_message,
    utf16_len,
)
from briefings.catalog import (
    REPO_ROOT,
    Seed,
    SeedError,
    compile_catalog,
    load_catalog,
    read_seeds,
    render_catalog,
    save_catalog,
    seeds_digest,
)
from briefings.clean import (
    HTML_TAG_NAMES,
    TITLE_LIMIT,
    damage,
    is_footer,
    is_site_title,
    is_social_post,
)
from briefings.model import SCHEMA_VERSION, Briefing, Catalog, Event, SourceRef
from briefings.relative import has_relative_date, strip_markers
from briefings.standalone import normal, standalone_problem
from briefings.summarize import MAX_FACTS, MAX_QUOTES, MAX_TIMELINE, SUMMARY_SENTENCES
from tests.conftest import FEB_FIRST, SEEDS, TODAY

SEED_TEXTS = {path.name: path.read_text("utf-8") for path in sorted(SEEDS.glob("*.txt"))}
SEED_NAMES = sorted(SEED_TEXTS)
CONTINUATION_BYTES = {
    name: [i for i, byte in enumerate(text.encode()) if byte & 0xC0 == 0x80]
    for name, text in SEED_TEXTS.items()
}
SEED_LINES = sorted({line for text in SEED_TEXTS.values() for line in text.split("\n") if line})

# ---------------------------------------------------------------------------------------
# What "no junk" means
# ---------------------------------------------------------------------------------------

_ZWJ = "\u200d"
# Markup a scraper leaves behind; a reader would see it verbatim (the renderer escapes it).
_TAG = re.compile(r"</?([A-Za-z][\w:-]*)(?:\s[^<>]*)?/?>|<!--|-->")
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_MARKDOWN = re.compile(
    r"\*\*\S(?:[^*]*\S)?\*\*|__\S(?:[^_]*\S)?__|!?\[[^\]\n]+\]\([^)\s]+\)|```|^#{1,6}\s|^>\s"
)
_LEAKED_NONE = re.compile(r"[–—-]None\b|\bNone[–—-]|\(None\b|\bNone\)")
_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_ISO_MOMENT = re.compile(r"(?P<day>\d{4}-\d{2}-\d{2})(?:T(?P<time>\d{2}:\d{2}))?")
_EVENT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The longest summary sentence _is_prose admits, in words; and the three of a summary
# share the first screen of a briefing.
_SUMMARY_WORDS = 45
_SUMMARY_CHARACTERS = SCREEN_LIMIT // SUMMARY_SENTENCES


def _joins_an_emoji(text: str, index: int) -> bool:
    """A zero-width joiner inside an emoji sequence (👨‍👩‍👧) is part of what a reader sees."""
    if text[index] != _ZWJ or not 0 < index < len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    return (
        unicodedata.category(before) in ("So", "Sk") or before == "\ufe0f"
    ) and unicodedata.category(after) == "So"


def _character_problems(text: str) -> list[str]:
    """Characters no catalog text may hold: controls, invisible format marks, line breaks,
    private-use icons and unassigned code points (scraped icon fonts, or damage)."""
    found = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp") or (
            category == "Cf" and not _joins_an_emoji(text, index)
        ):
            found.append(f"U+{ord(char):04X} ({category}) at {index}")
    return found


def _visible(text: str) -> bool:
    return any(unicodedata.category(c)[0] in "LNPS" for c in text)


def text_problems(text: object, *, markup: bool = True, whole: bool = True) -> list[str]:
    """Why a text a reader sees is junk; [] when it is clean.

    ``markup=False`` for locators copied from the seed (an article's first line), which
    must still be one clean line but are not prose. ``whole=False`` for a piece of a line
    (a venue, an address, a speaker's name): "#1488" is a street number there, not the
    hashtag that marks a social post when it starts a line.
    """
    if not isinstance(text, str):
        return [f"not text: {text!r}"]
    problems = _character_problems(text)
    if not _visible(text):
        problems.append("nothing visible")
    if text != text.strip():
        problems.append("surrounding whitespace")
    if not markup:
        return problems
    # "<Mexico City>" is words in angle brackets; a tag is an element a page has.
    tags = [m.group(1) for m in _TAG.finditer(text)]
    html_tags = any(name is None or name.lower() in HTML_TAG_NAMES for name in tags)
    if html_tags or _HTML_ENTITY.search(text):
        problems.append("HTML markup")
    if _MARKDOWN.search(text):
        problems.append("Markdown markup")
    if _LEAKED_NONE.search(text):
        problems.append("a Python None in the text")
    if whole and (is_footer(text) or is_social_post(text) or is_site_title(text)):
        problems.append("boilerplate the cleaner drops (footer, social post or site title)")
    return problems


def _valid_date(value: object) -> bool:
    """ISO text at a source's precision: '1836', '2025-03', '2026-02-02'; a real day.

    Years are those news copy writes (the compiler reads 1800–2099), or one a weekday
    inferred from them: "Friday, Jan. 1" in a guide of 2099 falls in 2100.
    """
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return 1800 <= parts[0] <= 2099 + 6  # dates.year_from_weekday looks 6 years around


def _valid_moment(value: object) -> bool:
    """An event's local start or end: a real day, and a real HH:MM when a time is given."""
    match = _ISO_MOMENT.fullmatch(value) if isinstance(value, str) else None
    if match is None or not _valid_date(match.group("day")):
        return False
    time = match.group("time")
    return time is None or (int(time[:2]) < 24 and int(time[3:]) < 60)


def _in_order(start: str, end: str | None) -> bool:
    """An end at or after its start; a day without a time lasts until midnight."""
    if end is None or not (_valid_moment(start) and _valid_moment(end)):
        return True  # nothing to compare (the moments themselves are checked elsewhere)
    if "T" in start and "T" in end:
        return start <= end
    return start[:10] <= end[:10]


def _seed_lines(text: str) -> list[str]:
    """The lines of a seed as an editor (and Python's universal newlines) counts them."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def catalog_problems(catalog: Catalog, seeds: list[Seed]) -> list[str]:
    """Everything junk about a compiled catalog, as readable lines; [] for a clean one."""
    problems: list[str] = []

    def check(where: str, text: object, **options: bool) -> None:
        """Note each way ``text`` is junk (see :func:`text_problems` for the options)."""
        problems.extend(f"{where}: {p}: {text!r:.120}" for p in text_problems(text, **options))

    def require(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    require(catalog.schema_version == SCHEMA_VERSION, "schema_version")
    require(catalog.seeds_sha256 == seeds_digest(seeds), "seeds_sha256 is not the inputs'")
    require(re.fullmatch(r"[0-9a-f]{12}", catalog.version) is not None, "version")
    lines = {s.name: _seed_lines(s.text) for s in seeds}
    articles = {a.key: a for a in catalog.articles}
    topics = {t.id for t in catalog.topics}
    require(len(articles) == len(catalog.articles), "duplicate article keys")
    require(len(topics) == len(catalog.topics), "duplicate topics")

    def check_ref(where: str, ref: SourceRef) -> None:
        key = f"{ref.document}#{ref.article}"
        require(key in articles, f"{where}: cites {key}, not in the catalog")
        require(ref.paragraph >= 1, f"{where}: paragraph {ref.paragraph}")
        seed = lines.get(ref.document, [])
        cited = seed[ref.line - 1] if 1 <= ref.line <= len(seed) else ""
        require(_visible(cited), f"{where}: cites line {ref.line}, blank or past the end")
        if key in articles:
            require(ref.line >= articles[key].line, f"{where}: line before its article")

    require([d.name for d in catalog.documents] == [s.name for s in seeds], "documents != seeds")
    for document, seed in zip(catalog.documents, seeds, strict=False):
        require(document.sha256 == seed.sha256, f"{document.name}: sha256")
        check(f"{document.name} title", document.title)
        require(document.as_of is None or _valid_date(document.as_of), f"{document.name} as_of")
        for key in document.articles:
            require(articles.get(key) is not None, f"{document.name} lists {key}")
        # Numbers count the seed's articles; one that was all junk leaves a gap, no more.
        numbers = [articles[k].number for k in document.articles if k in articles]
        require(numbers == sorted(set(numbers)) and min(numbers, default=1) >= 1, "numbers")
        mine = [a.key for a in catalog.articles if a.document == document.name]
        require(list(document.articles) == mine, f"{document.name}: articles")
    for info in catalog.articles:
        where = f"article {info.key}"
        require(info.key == f"{info.document}#{info.number}", f"{where}: key")
        check(f"{where} title", info.title)
        check(f"{where} first_line", info.first_line, markup=False)
        for name in ("author", "dateline", "caption", "credit"):
            if (value := getattr(info, name)) is not None:
                check(f"{where} {name}", value, whole=name == "caption")
        require(bool(info.topics) and set(info.topics) <= topics, f"{where}: topics")
        require(info.date is None or _valid_date(info.date), f"{where}: date {info.date!r}")
        require(info.date is not None or not info.date_inferred, f"{where}: inferred no date")
        document_lines = lines.get(info.document, [])
        require(1 <= info.line <= len(document_lines), f"{where}: line {info.line}")

    seen_topics: set[str] = set()
    events_by_id: dict[str, Event] = {}
    for briefing in catalog.briefings:
        where = f"briefing {briefing.topic}"
        require(briefing.topic in topics, f"{where}: unknown topic")
        require(briefing.topic not in seen_topics, f"{where}: twice")
        seen_topics.add(briefing.topic)
        check(f"{where} headline", briefing.headline)
        require(len(briefing.headline) <= TITLE_LIMIT + 1, f"{where}: headline too long")
        require(
            bool(briefing.articles) and len(set(briefing.articles)) == len(briefing.articles),
            f"{where}: articles",
        )
        for key in briefing.articles:
            require(briefing.topic in getattr(articles.get(key), "topics", ()), f"{where} {key}")
        require(briefing.as_of is None or _valid_date(briefing.as_of), f"{where}: as_of")
        require(len(briefing.summary) <= SUMMARY_SENTENCES, f"{where}: summary too long")
        require(len(briefing.summary_sources) == len(briefing.summary), f"{where}: sources")
        require(len(set(briefing.summary)) == len(briefing.summary), f"{where}: repeats")
        for sentence, ref in zip(briefing.summary, briefing.summary_sources, strict=False):
            check(f"{where} summary", sentence)
            check_ref(f"{where} summary", ref)
            require(damage(sentence) is None, f"{where}: damaged sentence {sentence!r:.80}")
            require(
                len(sentence.split()) <= _SUMMARY_WORDS and len(sentence) <= _SUMMARY_CHARACTERS,
                f"{where}: summary sentence of {len(sentence)} characters",
            )
        require(len(briefing.facts) <= MAX_FACTS, f"{where}: facts")
        require(len(set(briefing.facts)) == len(briefing.facts), f"{where}: duplicate facts")
        for fact in briefing.facts:
            check(f"{where} fact value", fact.value, whole=False)
            require(re.search(r"\d", fact.value) is not None, f"{where}: figure {fact.value}")
            if fact.measure:
                check(f"{where} fact measure", fact.measure, whole=False)
            check(f"{where} fact text", fact.text)
            require(len(fact.text) <= 260, f"{where}: fact text too long")
            require(fact.as_of is None or _valid_date(fact.as_of), f"{where}: fact as_of")
            check_ref(f"{where} fact", fact.source)
        # History needs two dated entries to be a timeline; one dated news event is news.
        news_dates = sum(len(s.dates) for s in briefing.stories)
        history = len(briefing.timeline) - news_dates
        require(history in (0, *range(2, MAX_TIMELINE + 1)), f"{where}: timeline")
        require(
            [e.date for e in briefing.timeline] == sorted(e.date for e in briefing.timeline),
            f"{where}: timeline out of order",
        )
        for entry in briefing.timeline:
            require(_valid_date(entry.date), f"{where}: timeline date {entry.date!r}")
            check(f"{where} timeline", entry.text)
            require(len(strip_markers(entry.text)) <= 240, f"{where}: timeline text too long")
            check_ref(f"{where} timeline", entry.source)
        require(len(briefing.quotes) <= MAX_QUOTES, f"{where}: quotes")
        speakers = [q.speaker for q in briefing.quotes]
        require(len(set(speakers)) == len(speakers), f"{where}: a speaker quoted twice")
        for quote in briefing.quotes:
            check(f"{where} quote", quote.text)
            check(f"{where} speaker", quote.speaker, whole=False)
            require(quote.speaker[:1].isupper(), f"{where}: speaker {quote.speaker!r}")
            require(len(quote.text) <= 300, f"{where}: quote too long")
            check_ref(f"{where} quote", quote.source)
        problems.extend(shown_problems(briefing))
        for story in briefing.stories:
            require(story.date is None or _valid_date(story.date), f"{where}: story date")
            require(bool(story.articles), f"{where}: a story of no articles")
            for key in story.articles:
                require(key in briefing.articles, f"{where}: story cites {key}")
            for item in (*story.lede, *story.facts, *story.quotes, *story.dates, *story.details):
                check_ref(f"{where} story", item.source)
        for item in briefing.background:
            check_ref(f"{where} background", item.source)
        if briefing.stories:
            require(
                briefing.summary == tuple(s.text for s in briefing.stories[0].lede),
                f"{where}: the summary is not the newest story's lede",
            )
            days = [s.date or "" for s in briefing.stories]
            require(
                [_day_key(d) for d in days] == sorted((_day_key(d) for d in days), reverse=True),
                f"{where}: stories not newest first: {days}",
            )
        ids = [e.id for e in briefing.events]
        require(len(set(ids)) == len(ids), f"{where}: two events share an id: {ids}")
        require(
            [(e.start, e.id) for e in briefing.events]
            == sorted((e.start, e.id) for e in briefing.events),
            f"{where}: events out of order",
        )
        for event in briefing.events:
            at = f"{where} event {event.id}"
            # The bot lists all events by id: one id, one event, in whichever briefings.
            same = events_by_id.setdefault(event.id, event)
            require(same == event, f"{at}: another event has this id")
            require(_EVENT_ID.fullmatch(event.id) is not None and len(event.id) <= 40, at)
            check(f"{at} title", event.title)
            for name in ("city", "area"):
                check(f"{at} {name}", getattr(event, name), whole=False)
            for name in ("venue", "address"):
                if (value := getattr(event, name)) is not None:
                    check(f"{at} {name}", value, whole=False)
            if event.summary:
                check(f"{at} summary", event.summary)
            for note in event.notes:
                check(f"{at} note", note)
            try:
                ZoneInfo(event.timezone)
            except (ValueError, KeyError) as error:
                problems.append(f"{at}: time zone {event.timezone!r}: {error}")
            require(bool(event.occurrences), f"{at}: no occurrences")
            require(event.start == event.occurrences[0].start, f"{at}: start")
            moments = [event.start, *(o.start for o in event.occurrences)]
            moments += [m for m in (event.end, *(o.end for o in event.occurrences)) if m]
            for moment in moments:
                require(_valid_moment(moment), f"{at}: date or time {moment!r}")
            spans = [(o.start, o.end) for o in event.occurrences] + [(event.start, event.end)]
            for start, end in spans:
                require(_in_order(start, end), f"{at}: ends ({end}) before it starts ({start})")
            if event.price is not None and not event.price.free:
                amount = event.price.amount or ""
                require(re.fullmatch(r"\d+(?:\.\d{1,2})?", amount) is not None, f"{at}: price")
                require(event.price.currency in ("MXN", "USD"), f"{at}: currency")
            if event.price is not None and event.price.note is not None:
                check(f"{at} price note", event.price.note, whole=False)
            require(event.age_limit is None or 0 < event.age_limit < 100, f"{at}: age")
            require(not event.year_inferred or bool(event.year_basis), f"{at}: inferred how?")
            check_ref(at, event.source)
    # What only a search shows (issue 18): held to the rules of a shown sentence.
    for number, passage in enumerate(catalog.passages):
        at = f"passage {number}"
        check(at, passage.text)
        check_ref(at, passage.source)
        if has_relative_date(passage.text):
            problems.append(f"{at}: an unresolved relative date: {passage.text!r:.100}")
        elif why := standalone_problem(passage.text):
            problems.append(f"{at}: {why}: {passage.text!r:.100}")
    return problems


def _day_key(iso: str) -> tuple[int, ...]:
    return tuple(int(p) for p in iso[:10].split("-") if p) + (0,) * (3 - len(iso[:10].split("-")))


def shown_problems(briefing: Briefing) -> list[str]:
    """The rules of a sentence a reader is shown (issue 17, point 4), over one briefing.

    Every story's lede, figures, dated happenings and quotes, the background and the
    timeline: no relative date left unresolved, no sentence that leans on one not shown
    (a connective or a pronoun first) or that is cut mid-clause (quotes are a speaker's
    own words and may open as they do), and no sentence shown twice.
    """
    where = f"briefing {briefing.topic}"
    problems: list[str] = []
    story_dated = {(e.date, e.text) for s in briefing.stories for e in s.dates}
    items: list[tuple[str, str, bool]] = []  # (what, text, a quote?)
    for story in briefing.stories:
        items += [("lede", s.text, False) for s in story.lede]
        items += [("figure", f.text, False) for f in story.facts]
        items += [("detail", s.text, False) for s in story.details]
        items += [("date", e.text, False) for e in story.dates]
        items += [("quote", q.text, True) for q in story.quotes]
    items += [("background", s.text, False) for s in briefing.background]
    items += [
        ("timeline", e.text, False)
        for e in briefing.timeline
        if (e.date, e.text) not in story_dated
    ]
    seen: dict[str, str] = {}
    for what, text, quote in items:
        if has_relative_date(text):
            problems.append(f"{where} {what}: an unresolved relative date: {text!r:.100}")
        elif not quote and (why := standalone_problem(text)):
            problems.append(f"{where} {what}: {why}: {text!r:.100}")
        key = normal(text)
        if key in seen:
            problems.append(f"{where}: shown twice ({seen[key]}, {what}): {text!r:.100}")
        seen[key] = what
    return problems


def rendering_problems(catalog: Catalog) -> list[str]:
    """Every briefing, in both languages and on two dates, as the bot sends it to a reader.

    Telegram refuses a message whose HTML it cannot parse or whose text is longer than
    4096 UTF-16 units; :func:`parse_html` is the local Bot API's copy of its parser.
    """
    problems = []
    for briefing in catalog.briefings:
        for lang, now in (("en", TODAY), ("es", FEB_FIRST)):
            pages, sources = briefing_pages(catalog, briefing, now=now, lang=lang)
            whole = split_message(render_briefing(catalog, briefing, now=now, lang=lang))
            for message in [*pages, *([sources] if sources else []), *whole]:
                try:
                    seen = parse_html(message)
                except EntityParseError as error:
                    problems.append(f"{briefing.topic}/{lang}: {error}: {message!r:.200}")
                    continue
                if not seen.strip() or utf16_len(seen) > MESSAGE_LIMIT:
                    problems.append(f"{briefing.topic}/{lang}: {utf16_len(seen)} units")
    return problems


# ---------------------------------------------------------------------------------------
# Compiling a directory of seed files as `briefbot build` does
# ---------------------------------------------------------------------------------------


def refusal(data: bytes) -> str | None:
    """Why ``read_seeds`` must refuse a file with these bytes, or None when it must read it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "not UTF-8"
    if not text.strip():
        return "empty"
    return "binary" if "\x00" in text else None


def build_checked(files: dict[str, bytes]) -> Catalog | None:
    """Compile seed files and check the outcome; the catalog, or None for a clean refusal.

    A file the compiler cannot use must stop the build with a :class:`SeedError` whose one
    line names the first such file and the reason; anything else must give a clean catalog
    that survives the trip through the catalog file and renders for a reader.
    """
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        refused = [(n, r) for n in sorted(files) if (r := refusal(files[n])) is not None]
        if not files or refused:
            with pytest.raises(SeedError) as raised:
                read_seeds(folder)
            message = str(raised.value)
            assert "\n" not in message
            if refused:
                name, reason = refused[0]
                assert message.startswith(f"{name}: ") and reason in message, message
            return None
        seeds = read_seeds(folder)
        catalog = compile_catalog(seeds)
        assert catalog_problems(catalog, seeds) == []
        assert rendering_problems(catalog) == []
        save_catalog(catalog, folder / "catalog" / "briefings.json")
        assert load_catalog(folder / "catalog" / "briefings.json") == catalog
        return catalog


# ---------------------------------------------------------------------------------------
# Strategies: truncated, mutated and random seed files
# ---------------------------------------------------------------------------------------

INVISIBLE_AND_CONTROL = [
    "\u200b",  # zero-width space
    "\u200c",
    _ZWJ,
    "\u2060",  # word joiner
    "\ufeff",  # a byte-order mark inside the text
    "\u00ad",  # soft hyphen
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\x00",
    "\r",  # a lone carriage return
    "\t",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\x0b",
    "\x0c",
    "\u2028",
    "\u2029",
]
VISIBLE_ODDITIES = [
    "مرحبا بالعالم",
    "שלום",
    "😀",
    "👨\u200d👩\u200d👧",
    "🇲🇽",
    "🛢️",
    "e\u0301",
    "\u0301\u0302\u0303",
    "\ue000",  # private use
    "\ufffd",
    "\u00a0",
    "\u3000",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
]
MARKUP = [
    "<b>",
    "</p>",
    "<br/>",
    '<a href="https://example.com/x">a link</a>',
    "<script>alert(1)</script>",
    "<!-- ad slot -->",
    "&nbsp;",
    "&amp;",
    "&#8217;",
    "&quot;",
    "**bold**",
    "__underlined__",
    "[a link](https://example.com)",
    "![photo](https://example.com/p.jpg)",
    "`code`",
]
JUNK_LINES = [
    "# A Markdown heading",
    "## Another one",
    "> a quoted line",
    "```",
    "---",
    "* a list item",
    "| a | table |",
    "<div class='ad'>",
    "</div>",
    "Share this:",
    "Leave a Reply",
    "This Post Has 3 Comments",
    "Related posts:",
    "Tags: cuba, mexico",
    "Check this pic.twitter.com/abc123",
    "— Someone (@someone) May 12, 2024",
    "Cuba and Mexico sign a deal | The Site |",
    "Cuba and Mexico sign a deal - Wikipedia",
    "Firefighters at the scene on Monday. (AP)",
    "By Jane Doe | Staff Writer",
    "GUADALAJARA, Feb. 3 — ",
    "[ edit ]",
    "Launching on Feb. 30, the show opens to the public.",
    "Mazatlán's 2026 carnival is scheduled for Feb. 25-2.",
    "Relationship between cuba and mexico",
    "",
    "   ",
]
fragments = st.one_of(
    st.sampled_from(INVISIBLE_AND_CONTROL),
    st.sampled_from(VISIBLE_ODDITIES),
    st.sampled_from(MARKUP),
    st.text(max_size=12),
)
junk_lines = st.one_of(
    st.sampled_from(JUNK_LINES),
    st.sampled_from(SEED_LINES),
    st.lists(fragments, max_size=6).map("".join),
)

# A listing's fields, written the many ways copy gets them wrong.
_MONTHS = ["Jan.", "Feb.", "February", "March", "Sept.", "May", "Dec.", "Febrero"]
times = st.one_of(
    st.just(""),
    st.builds(
        "{} at {}{}{}".format,
        st.sampled_from(["", ",", ";"]),
        st.integers(0, 99),
        st.sampled_from(["", ":00", ":30", ":75", ":5", ":99"]),
        st.sampled_from([" p.m.", " a.m.", "pm", " PM", ""]),
    ),
    st.sampled_from([", 10 p.m.-2 a.m.", ", 10-2 a.m.", ", 8:30 p.m.-12:15 a.m.", " at noon"]),
    st.builds(
        ", {}-{} {}".format,
        st.integers(0, 30),
        st.integers(0, 30),
        st.sampled_from(["p.m.", "a.m."]),
    ),
)
dates = st.builds(
    "{}{}{}{}{}".format,
    st.sampled_from(["", "Friday, ", "The first Saturday of every month, on "]),
    st.sampled_from(_MONTHS),
    st.one_of(
        st.just(""),  # "March 2026": a month, no day
        st.integers(0, 40).map(" {}".format),
        st.builds(" {}-{}".format, st.integers(0, 40), st.integers(0, 40)),
    ),
    st.sampled_from(["", ", 2026", " 2026", ", 2025", ", 1999", ", 2099"]),
    times,
)
listing_values = {
    "When": st.one_of(
        st.lists(dates, min_size=1, max_size=3).map(", ".join),
        st.builds("The show runs until {}. Open Tues-Sun, {}".format, dates, times),
        fragments,
    ),
    "Where": st.one_of(
        st.sampled_from(
            ["Teatro Diana, Av. 16 de Septiembre 710, Guadalajara", "Zapopan", "", "123"]
        ),
        st.text(max_size=30),
    ),
    "Cost": st.one_of(
        st.sampled_from(["Free", "$0", "$", "from $1,000.50", "US $20", "18+", "650 pesos"]),
        st.builds("${} pesos".format, st.integers(0, 10**9)),
        st.text(max_size=20),
    ),
}


class SeedFiles:
    """Seed files to build, and how they were made: a failing case reads as its recipe.

    A seed is tens of kilobytes; printing the bytes of a failing case would bury the one
    edit that broke the build. (A plain class: Hypothesis prints a dataclass field by field.)
    """

    def __init__(self, files: dict[str, bytes], recipe: tuple[str, ...]) -> None:
        self.files = files
        self.recipe = recipe

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name} ({len(data)} bytes)" for name, data in self.files.items())
        return f"SeedFiles({sizes}; " + "; ".join(self.recipe) + ")"


def _with_others(draw: st.DrawFn, name: str, data: bytes, recipe: list[str]) -> SeedFiles:
    """The damaged seed alone, or with some of the other seeds whole."""
    others = sorted(draw(st.sets(st.sampled_from([n for n in SEED_NAMES if n != name]))))
    if others:
        recipe.append("with " + ", ".join(others))
    return SeedFiles({name: data} | {n: SEED_TEXTS[n].encode() for n in others}, tuple(recipe))


@st.composite
def truncated_seeds(draw: st.DrawFn) -> SeedFiles:
    """A real seed cut at a character, a byte (maybe inside a character) or a line."""
    name = draw(st.sampled_from(SEED_NAMES))
    text = SEED_TEXTS[name]
    how = draw(st.sampled_from(["character", "line", "byte", "inside a character"]))
    if how == "character":
        cut = draw(st.integers(0, len(text)))
        data, recipe = text[:cut].encode(), f"{name} cut after character {cut}"
    elif how == "line":
        lines = text.split("\n")
        first = draw(st.integers(0, len(lines)))
        last = draw(st.integers(first, len(lines)))
        data, recipe = "\n".join(lines[first:last]).encode(), f"{name} lines {first + 1}-{last}"
    elif how == "byte":
        cut = draw(st.integers(0, len(text.encode())))
        data, recipe = text.encode()[:cut], f"{name} cut after byte {cut}"
    else:  # a download cut short inside a multi-byte character is not UTF-8
        cut = draw(st.sampled_from(CONTINUATION_BYTES[name]))
        data, recipe = text.encode()[:cut], f"{name} cut inside a character, at byte {cut}"
    return _with_others(draw, name, data, [recipe])


EDITS = [
    "delete",
    "duplicate",
    "swap",
    "shuffle",
    "insert line",
    "insert text",
    "long",
    "no spaces",
    "listing",
]


def _cited_lines(catalog: Catalog) -> dict[str, list[int]]:
    """Per seed, the 0-based indexes of the lines the catalog cites or names articles by."""
    refs = [
        ref
        for b in catalog.briefings
        for ref in (
            *b.summary_sources,
            *(f.source for f in b.facts),
            *(t.source for t in b.timeline),
            *(q.source for q in b.quotes),
            *(e.source for e in b.events),
        )
    ]
    cited: dict[str, set[int]] = {}
    for document, line in [(r.document, r.line) for r in refs] + [
        (a.document, a.line) for a in catalog.articles
    ]:
        cited.setdefault(document, set()).update({line - 2, line - 1})  # and the line above
    return {name: sorted(i for i in found if i >= 0) for name, found in cited.items()}


# Most lines of a seed never reach a briefing; half the edits land where a reader would see
# them (the lines the real seeds' catalog cites, and the titles above them).
CITED_LINES = _cited_lines(compile_catalog(read_seeds(SEEDS)))


def _mutate(draw: st.DrawFn, name: str, lines: list[str]) -> str:
    """One random edit of a seed's lines, in place; says what it did."""
    cited = [i for i in CITED_LINES.get(name, []) if i < len(lines)]
    anywhere = st.integers(0, max(len(lines) - 1, 0))
    index = draw(st.one_of(st.sampled_from(cited), anywhere) if cited else anywhere)
    operation = draw(st.sampled_from(EDITS))
    if not lines:
        lines.append(draw(junk_lines))
        return f"a line {lines[0]!r:.80}"
    if operation == "delete":
        del lines[index]
    elif operation == "duplicate":
        lines.insert(index, lines[index])
    elif operation == "swap":
        other = draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
        return f"swap lines {index + 1} and {other + 1}"
    elif operation == "shuffle":
        end = draw(st.integers(index, len(lines)))
        order = draw(st.permutations(range(end - index)))
        lines[index:end] = [lines[index + i] for i in order]
        return f"lines {index + 1}-{end} in the order {order}"
    elif operation == "insert line":
        lines.insert(index, draw(junk_lines))
        return f"insert before line {index + 1}: {lines[index]!r:.80}"
    elif operation == "insert text":
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        fragment = draw(fragments)
        lines[index] = line[:at] + fragment + line[at:]
        return f"insert {fragment!r} in line {index + 1} at {at}"
    elif operation == "long":
        times = draw(st.integers(2, 20))
        lines[index] = " ".join([lines[index]] * times)
        return f"line {index + 1} repeated {times} times on one line"
    elif operation == "no spaces":
        unit = draw(st.sampled_from(["x", "ab", "1"]))
        times = draw(st.integers(500, 8_000))
        lines[index] = unit * times
        return f"line {index + 1} replaced by {unit!r} * {times}"
    else:
        return _rewrite_listing(draw, lines, index)
    return f"{operation} line {index + 1}"


def _rewrite_listing(draw: st.DrawFn, lines: list[str], index: int) -> str:
    """Rewrite one of a listing's ``When:``/``Where:``/``Cost:`` lines, or add one."""
    label = draw(st.sampled_from(sorted(listing_values)))
    fields = [i for i, line in enumerate(lines) if line.startswith(f"{label}:")]
    where = draw(st.sampled_from(fields)) if fields else index
    value = f"{label}: {draw(listing_values[label])}"
    if fields:
        lines[where] = value
    else:
        lines.insert(where, value)
    return f"line {where + 1} is {value!r}"


# The Guadalajara guide of the second seed: six listings, and a short compile.
GUIDE_NAME = SEED_NAMES[1]
GUIDE = SEED_TEXTS[GUIDE_NAME].split("\n")[158:]


@st.composite
def rewritten_listings(draw: st.DrawFn) -> SeedFiles:
    """The guide with some listing fields written the ways copy gets them wrong."""
    lines = list(GUIDE)
    edits = draw(st.integers(1, 4))
    recipe = [
        _rewrite_listing(draw, lines, draw(st.integers(0, len(lines)))) for _ in range(edits)
    ]
    return SeedFiles({GUIDE_NAME: "\n".join(lines).encode()}, ("the guide", *recipe))


def _encode(draw: st.DrawFn, text: str) -> tuple[bytes, str]:
    """The seed's text as a file: UTF-8 mostly, sometimes as other tools save it."""
    how = draw(
        st.sampled_from(
            ["utf-8", "utf-8", "utf-8", "bom", "crlf", "cr", "latin-1", "utf-16", "bytes"]
        )
    )
    if how == "bom":
        return "\ufeff".encode() + text.encode(), "with a byte-order mark"
    if how == "crlf":
        return text.replace("\n", "\r\n").encode(), "CRLF line ends"
    if how == "cr":
        return text.replace("\n", "\r").encode(), "CR line ends"
    if how in ("latin-1", "utf-16"):
        return text.encode(how, errors="replace"), f"saved as {how}"
    data = text.encode()
    if how == "bytes":
        at = draw(st.integers(0, len(data)))
        noise = draw(st.binary(min_size=1, max_size=4))
        return data[:at] + noise + data[at:], f"bytes {noise!r} at byte {at}"
    return data, "UTF-8"


@st.composite
def mutated_seeds(draw: st.DrawFn) -> SeedFiles:
    """A real seed with a few random edits, saved in a random way."""
    name = draw(st.sampled_from(SEED_NAMES))
    lines = SEED_TEXTS[name].split("\n")
    recipe = [name, *(_mutate(draw, name, lines) for _ in range(draw(st.integers(1, 8))))]
    data, encoding = _encode(draw, "\n".join(lines))
    return _with_others(draw, name, data, [*recipe, encoding])


seed_names = st.from_regex(r"[a-z0-9_]{1,12}\.txt", fullmatch=True)
random_contents = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(str.encode),
    st.sampled_from([b"", b" ", b"\n\n\n", b"\t \r\n \x0b\x0c", "\u3000\u2028".encode()]),
    st.lists(st.one_of(junk_lines, st.sampled_from(SEED_LINES)), max_size=20)
    .map("\n".join)
    .map(str.encode),
)


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------


@given(truncated_seeds())
@example(SeedFiles({SEED_NAMES[2]: b"M"}, ("a seed of one letter",)))
@example(SeedFiles({SEED_NAMES[1]: "Mexico’s".encode()[:8]}, ("cut inside a character",)))
def test_a_truncated_seed_compiles_to_a_clean_catalog(case: SeedFiles) -> None:
    build_checked(case.files)


@given(mutated_seeds())
def test_a_mutated_seed_compiles_to_a_clean_catalog(case: SeedFiles) -> None:
    build_checked(case.files)


@given(rewritten_listings())
def test_listings_with_odd_dates_times_and_prices_compile_to_a_clean_catalog(
    case: SeedFiles,
) -> None:
    """Listings become Event records the bot turns into dates; impossible ones crash it."""
    build_checked(case.files)


@given(st.dictionaries(seed_names, random_contents, max_size=4))
@example({})  # a directory with no seed files
@example({"a.txt": b""})
@example({"a.txt": b" \n\t\n"})
@example({"a.txt": "\u200b\u200d\ufeff\n\u00ad".encode()})  # only invisible characters
def test_random_files_compile_or_are_refused_by_name(files: dict[str, bytes]) -> None:
    build_checked(files)


def test_a_directory_without_seed_files_is_refused() -> None:
    """Other files and sub-directories are not seeds: the build says there are none."""
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "notes.md").write_text("# not a seed\n", "utf-8")
        (folder / "old").mkdir()
        (folder / "old" / "000_x.txt").write_text("Cuba and Mexico.\n", "utf-8")
        with pytest.raises(SeedError, match="no seed files"):
            read_seeds(folder)


# Other interpreters with other string-hash seeds: a set iterated in hash order would make
# `briefbot build --check` fail on a machine that merely hashes differently. Two strings
# come out of a set in the same order under about half of all seeds, so the cases are
# shared among three processes that do not all agree with one another.
_COMPILER_PROCESS = """
import json, sys
from briefings.catalog import Seed, compile_catalog, render_catalog
for line in sys.stdin:
    seeds = [Seed(**seed) for seed in json.loads(line)]
    print(json.dumps(render_catalog(compile_catalog(seeds))), flush=True)
"""
_HASH_SEEDS = ("1", "3", "7")  # {"relationship…", "cuba, mexico…"}: 1 and 7 differ from 3


@dataclass
class OtherProcesses:
    """Compilers in other interpreters: hand one seeds, then collect the catalog's text."""

    processes: list[subprocess.Popen[str]]

    def submit(self, seeds: list[Seed]) -> subprocess.Popen[str]:
        """The same seeds always go to the same process, so that a failure replays."""
        process = self.processes[int(seeds_digest(seeds), 16) % len(self.processes)]
        assert process.stdin is not None
        process.stdin.write(json.dumps([vars(seed) for seed in seeds]) + "\n")
        process.stdin.flush()
        return process

    @staticmethod
    def result(process: subprocess.Popen[str]) -> str:
        assert process.stdout is not None
        answer = process.stdout.readline()
        assert answer, "a compiler process died"
        text = json.loads(answer)
        assert isinstance(text, str)
        return text


@pytest.fixture(scope="module")
def other_processes() -> Iterator[OtherProcesses]:
    """Compiler processes with other ``PYTHONHASHSEED`` values, for the whole module."""
    with contextlib.ExitStack() as stack:
        processes = [
            stack.enter_context(
                subprocess.Popen(
                    [sys.executable, "-c", _COMPILER_PROCESS],
                    cwd=REPO_ROOT,
                    env=os.environ | {"PYTHONHASHSEED": seed},
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                )
            )
            for seed in _HASH_SEEDS
        ]
        yield OtherProcesses(processes)
        for process in processes:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(timeout=30)


# Each case compiles twice, once in another process: half the profile's cases, to fit.
@settings(max_examples=max(1, settings().max_examples // 2))
@given(st.one_of(truncated_seeds(), mutated_seeds()))
def test_the_same_seeds_compile_to_the_same_bytes(
    other_processes: OtherProcesses, case: SeedFiles
) -> None:
    """Here and in another process, whose set and dict orders of strings differ from ours."""
    if any(refusal(data) for data in case.files.values()):
        return
    with tempfile.TemporaryDirectory() as directory:
        for name, data in case.files.items():
            (Path(directory) / name).write_bytes(data)
        seeds = read_seeds(Path(directory))
    elsewhere = other_processes.submit(seeds)  # it compiles while we do
    assert render_catalog(compile_catalog(seeds)) == other_processes.result(elsewhere)


def test_the_real_catalog_passes_the_junk_checks() -> None:
    """The checks hold for the committed seeds, so a fuzz failure is the fuzzing's doing."""
    seeds = read_seeds(SEEDS)
    catalog = compile_catalog(seeds)
    assert catalog_problems(catalog, seeds) == []
    assert rendering_problems(catalog) == []
