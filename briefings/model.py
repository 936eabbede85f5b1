"""The catalog's data types: small frozen dataclasses with explicit fields.

Dates are kept as ISO strings of varying precision ("1836", "2025-03", "2026-02-02",
"2026-02-27T20:30") because sources rarely give a full date and a briefing must not
pretend to more precision than its source has. ISO strings of one era sort correctly.

Every type converts to and from plain JSON-ready dicts so that the catalog file is the
single contract between the compiler and the bot.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class SourceRef:
    """Where an item comes from: seed document, article in it, paragraph in the article.

    ``line`` is the 1-based line of the seed file, so a reader can check the claim.
    """

    document: str
    article: int
    paragraph: int
    line: int

    def label(self) -> str:
        return f"{self.document} · article {self.article} · ¶{self.paragraph}"


@dataclass(frozen=True)
class Paragraph:
    """One cleaned paragraph of an article, with its place in the seed."""

    text: str
    number: int
    line: int
    heading: bool = False


@dataclass(frozen=True)
class Article:
    """One news article found in a seed document, cleaned, with its metadata."""

    document: str
    number: int
    title: str
    paragraphs: tuple[Paragraph, ...]
    caption: str | None = None
    credit: str | None = None
    author: str | None = None
    outlet: str | None = None
    dateline: str | None = None
    date: str | None = None
    date_inferred: bool = False
    first_line: str = ""
    line: int = 1
    role: str | None = None
    kind: str = "article"
    embeds: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.document}#{self.number}"

    @property
    def body(self) -> str:
        return "\n".join(p.text for p in self.paragraphs if not p.heading)


@dataclass(frozen=True)
class Fact:
    """A key figure: the number, what it measures, when it was true, and the source."""

    value: str
    measure: str
    text: str
    source: SourceRef
    as_of: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    date: str
    text: str
    source: SourceRef


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str
    source: SourceRef
    role: str | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence of a source, shown as written (relative dates resolved, see relative.py)."""

    text: str
    source: SourceRef


@dataclass(frozen=True)
class Story:
    """Articles reporting one event, as an editor's brief: its date, headline, lead article
    first, 2–3 lede sentences, its own figures, quotes and dated happenings.

    ``date`` is absolute (the newest day the story's articles were written or report);
    ``date_inferred`` says it came from another article or from the year of the seeds.
    """

    id: str
    date: str | None
    date_inferred: bool
    headline: str
    articles: tuple[str, ...]
    lede: tuple[Sentence, ...]
    facts: tuple[Fact, ...] = ()
    quotes: tuple[Quote, ...] = ()
    dates: tuple[TimelineEntry, ...] = ()
    details: tuple[Sentence, ...] = ()


@dataclass(frozen=True)
class Price:
    """What a ticket costs. ``amount`` is a decimal string; ``minimum`` marks 'from …'."""

    free: bool = False
    amount: str | None = None
    currency: str | None = None
    minimum: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Occurrence:
    """One dated session of an event; ``start``/``end`` are local ISO date or datetime."""

    start: str
    end: str | None = None


@dataclass(frozen=True)
class Event:
    """A structured listing. Times are local to ``timezone``.

    ``occurrences`` are the listed sessions and nothing in between ("Feb. 1 and March 7" is
    two); ``end`` is the last moment of the last one, or of a run (with its ``rrule``).
    """

    id: str
    title: str
    city: str
    area: str
    venue: str | None
    address: str | None
    start: str
    end: str | None
    occurrences: tuple[Occurrence, ...]
    timezone: str
    source: SourceRef
    rrule: str | None = None
    price: Price | None = None
    age_limit: int | None = None
    notes: tuple[str, ...] = ()
    summary: str = ""
    year_inferred: bool = False
    year_basis: str | None = None
    # Where each note comes from, in the order of ``notes``: a festival's program is often
    # in another paragraph than its dates, and is cited to that one.
    note_sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class Topic:
    """A subject readers ask for, from the topic registry (``topics.json``)."""

    id: str
    command: str
    name_en: str
    name_es: str
    command_es: str
    description_en: str
    description_es: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Briefing:
    """One topic's brief, like a news editor's: every item carries its source."""

    topic: str
    headline: str
    summary: tuple[str, ...]
    summary_sources: tuple[SourceRef, ...]
    facts: tuple[Fact, ...]
    timeline: tuple[TimelineEntry, ...]
    quotes: tuple[Quote, ...]
    events: tuple[Event, ...]
    articles: tuple[str, ...]
    as_of: str | None
    stories: tuple[Story, ...] = ()
    background: tuple[Sentence, ...] = ()
    news_from: str | None = None
    news_to: str | None = None
    # When the news gives only its year: the day it was written before (the first listing
    # it announces), so the bot can still say how old it is at least.
    news_before: str | None = None


@dataclass(frozen=True)
class ArticleInfo:
    """What the catalog keeps of an article: enough to cite it and to find it in the seed."""

    key: str
    document: str
    number: int
    title: str
    first_line: str
    line: int
    topics: tuple[str, ...]
    date: str | None = None
    date_inferred: bool = False
    author: str | None = None
    dateline: str | None = None
    caption: str | None = None
    credit: str | None = None
    outlet: str | None = None
    role: str | None = None
    kind: str = "article"
    # What the sources page calls it (see briefings/article_names.py): its title, a phrase
    # made from an untitled article, or "" when nothing names it; None in older catalogs.
    name: str | None = None
    url: str | None = None  # an ingested page's address; seeds have none


@dataclass(frozen=True)
class Document:
    """A seed file as the catalog remembers it: its name, digest and the articles in it."""

    name: str
    sha256: str
    title: str
    articles: tuple[str, ...]
    as_of: str | None = None


@dataclass(frozen=True)
class Catalog:
    schema_version: int
    seeds_sha256: str
    version: str
    topics: tuple[Topic, ...]
    briefings: tuple[Briefing, ...]
    documents: tuple[Document, ...] = field(default_factory=tuple)
    articles: tuple[ArticleInfo, ...] = field(default_factory=tuple)
    # Every other sentence of the articles that can be shown on its own (dates resolved),
    # in seed order: what a search finds beyond the briefings (briefings/search_records.py).
    passages: tuple[Sentence, ...] = field(default_factory=tuple)

    def briefing(self, topic_id: str) -> Briefing | None:
        return next((b for b in self.briefings if b.topic == topic_id), None)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


T = TypeVar("T")


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and scalars -> JSON-ready dicts, lists and scalars."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    return value


_NESTED: dict[type[Any], dict[str, type[Any]]] = {}


def _nested_types() -> dict[type[Any], dict[str, type[Any]]]:
    """Which field of which type holds which dataclass (a tuple of them, or one)."""
    if not _NESTED:
        _NESTED.update(
            {
                Article: {"paragraphs": Paragraph},
                Fact: {"source": SourceRef},
                TimelineEntry: {"source": SourceRef},
                Quote: {"source": SourceRef},
                Event: {
                    "source": SourceRef,
                    "price": Price,
                    "occurrences": Occurrence,
                    "note_sources": SourceRef,
                },
                Sentence: {"source": SourceRef},
                Story: {
                    "lede": Sentence,
                    "facts": Fact,
                    "quotes": Quote,
                    "dates": TimelineEntry,
                    "details": Sentence,
                },
                Briefing: {
                    "stories": Story,
                    "background": Sentence,
                    "summary_sources": SourceRef,
                    "facts": Fact,
                    "timeline": TimelineEntry,
                    "quotes": Quote,
                    "events": Event,
                },
                Catalog: {
                    "topics": Topic,
                    "briefings": Briefing,
                    "documents": Document,
                    "articles": ArticleInfo,
                    "passages": Sentence,
                },
            }
        )
    return _NESTED


def from_plain(cls: type[T], data: dict[str, Any]) -> T:
    """The inverse of :func:`to_plain` for the catalog's types."""
    nested = _nested_types().get(cls, {})
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        raw = data[f.name]
        inner = nested.get(f.name)
        if inner is not None and isinstance(raw, list):
            kwargs[f.name] = tuple(from_plain(inner, item) for item in raw)
        elif inner is not None and isinstance(raw, dict):
            kwargs[f.name] = from_plain(inner, raw)
        elif isinstance(raw, list):
            kwargs[f.name] = tuple(raw)
        else:
            kwargs[f.name] = raw
    return cls(**kwargs)
