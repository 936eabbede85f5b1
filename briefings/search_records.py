"""What the search index holds: every item a briefing shows, as a flat record with its source.

The compiler decides what a reader can find; the bot (``bot/conversation/fulltext.py``)
only indexes and ranks these records. Each record is one thing a briefing shows — a lede
or detail sentence, a figure, a quote, a dated happening, a background sentence, a listing,
a source's title — or a passage only a search shows (``catalog.passages``), with its
citation and the date of its article, so an answer can cite it as the briefing would.

Records are derived from the catalog alone (a pure function, no clock, same catalog -> same
records in the same order), so the index needs no file of its own: ``briefbot build``
writes the catalog, and the index is rebuilt from it when the bot loads it (docs/design.md,
"Search").

``words`` are searchable words a record has besides its shown text: a quote's speaker and
role, a listing's venue, city, notes and price, a title's byline. A topic's names in English
and Spanish (:func:`topic_words`) find every record of the topic: ``desaparecidos`` finds
the missing-persons sentences only through them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from briefings.model import (
    Article,
    Briefing,
    Catalog,
    Event,
    Fact,
    Quote,
    Sentence,
    SourceRef,
    Story,
    TimelineEntry,
    Topic,
)
from briefings.relative import MARKER
from briefings.standalone import normal
from briefings.stories import shown_candidates

# A search answer shows a few sentences, not a screen of them: a pronoun's sentence may
# come with a longer one it leans on than a briefing allows ("… Saldívar Farías. His
# partner … filed a criminal complaint against … Omar García Harfuch").
SEARCH_PASSAGE = 520
KINDS = ("sentence", "figure", "quote", "date", "background", "listing", "passage", "title")


@dataclass(frozen=True)
class SearchRecord:
    """One findable item: what is shown, where it comes from, what story and topic it is in.

    ``text`` is the item as stored in the catalog (relative dates still marked, see
    briefings/relative.py), ``story`` the id of the story it is shown in, or of the first
    story its article is in (None when in none), ``event`` the id of its listing,
    ``speaker`` a quote's speaker.
    """

    kind: str
    text: str
    words: str
    source: SourceRef
    topic: str
    article_date: str | None
    story: str | None = None
    event: str | None = None
    speaker: str | None = None

    @property
    def article(self) -> str:
        return f"{self.source.document}#{self.source.article}"


def searchable(text: str) -> str:
    """The text as words to index: a resolved relative date becomes its ISO date."""
    return MARKER.sub(lambda m: f" {m.group('iso')}", text)


def topic_words(topic: Topic) -> str:
    """What a reader may call a topic's news by, in English and Spanish: its names,
    aliases and descriptions. Matched once per topic, so every record of the topic is
    found by them (``desaparecidos``) without carrying them itself."""
    names = [topic.name_en, topic.name_es, topic.description_en, topic.description_es]
    return " ".join([*names, *topic.aliases])


def _story_records(
    story: Story, topic: str, dates: dict[str, str | None]
) -> Iterator[SearchRecord]:
    def dated(ref: SourceRef) -> str | None:
        return dates.get(f"{ref.document}#{ref.article}")

    for sentence in (*story.lede, *story.details):
        yield SearchRecord(
            "sentence",
            sentence.text,
            "",
            sentence.source,
            topic,
            dated(sentence.source),
            story=story.id,
        )
    for fact in story.facts:
        yield SearchRecord(
            "figure",
            fact.text,
            f"{fact.value} {fact.measure}",
            fact.source,
            topic,
            dated(fact.source),
            story=story.id,
        )
    for quote in story.quotes:
        who = " ".join(part for part in (quote.speaker, quote.role) if part)
        yield SearchRecord(
            "quote",
            quote.text,
            who,
            quote.source,
            topic,
            dated(quote.source),
            story=story.id,
            speaker=quote.speaker,
        )
    for entry in story.dates:
        yield SearchRecord(
            "date",
            entry.text,
            entry.date,
            entry.source,
            topic,
            dated(entry.source),
            story=story.id,
        )


def listing_words(event: Event) -> str:
    """What a reader may call a listing by besides its title: place, city, notes, price."""
    price = ""
    if event.price is not None:
        price = "free gratis" if event.price.free else f"{event.price.amount or ''} pesos"
    parts = [event.venue, event.address, event.city, event.area, *event.notes, price]
    return " ".join(part for part in parts if part)


def _briefing_records(briefing: Briefing, dates: dict[str, str | None]) -> Iterator[SearchRecord]:
    for story in briefing.stories:
        yield from _story_records(story, briefing.topic, dates)
    in_stories = {(e.source, e.text) for s in briefing.stories for e in s.dates}
    for entry in briefing.timeline:
        if (entry.source, entry.text) not in in_stories:  # a year from the background
            key = f"{entry.source.document}#{entry.source.article}"
            yield SearchRecord(
                "date",
                entry.text,
                entry.date,
                entry.source,
                briefing.topic,
                dates.get(key),
            )
    for sentence in briefing.background:
        key = f"{sentence.source.document}#{sentence.source.article}"
        yield SearchRecord(
            "background", sentence.text, "", sentence.source, briefing.topic, dates.get(key)
        )
    for event in briefing.events:
        key = f"{event.source.document}#{event.source.article}"
        yield SearchRecord(
            "listing",
            event.title,
            listing_words(event),
            event.source,
            briefing.topic,
            dates.get(key),
            event=event.id,
        )


def search_records(catalog: Catalog) -> list[SearchRecord]:
    """Every shown item of every briefing, once, then the other passages a search may show,
    then every article's title.

    An item shown in two briefings (a listing in "events" and in its own topic) is kept
    with the first topic that shows it, in the catalog's topic order.
    """
    dates = {a.key: a.date for a in catalog.articles}
    records: list[SearchRecord] = []
    seen: set[tuple[str, str, SourceRef]] = set()
    for briefing in catalog.briefings:
        for record in _briefing_records(briefing, dates):
            key = (record.kind, record.text, record.source)
            if key not in seen:
                seen.add(key)
                records.append(record)
    infos = {a.key: a for a in catalog.articles}
    # A passage or title of an article in a story is found under that story.
    story_of: dict[str, str] = {}
    for briefing in catalog.briefings:
        for story in briefing.stories:
            for article in story.articles:
                story_of.setdefault(article, story.id)
    records = [
        record if record.story else replace(record, story=story_of.get(record.article))
        for record in records
    ]
    for sentence in catalog.passages:
        info = infos.get(f"{sentence.source.document}#{sentence.source.article}")
        if info is None or not info.topics:
            continue
        records.append(
            SearchRecord(
                "passage",
                sentence.text,
                "",
                sentence.source,
                info.topics[0],
                info.date,
                story=story_of.get(info.key),
            )
        )
    for info in catalog.articles:
        if not info.title or not info.topics:
            continue
        # Paragraph 0: the title line, cited as the article itself ("[2]").
        source = SourceRef(info.document, info.number, 0, info.line)
        byline = " ".join(p for p in (info.author, info.outlet, info.dateline, info.credit) if p)
        records.append(
            SearchRecord(
                "title",
                info.title,
                byline,
                source,
                info.topics[0],
                info.date,
                story=story_of.get(info.key),
            )
        )
    return records


def passages(
    articles: Sequence[Article],
    words: frozenset[str],
    briefings: Sequence[Briefing],
    dates: dict[str, str | None],
) -> tuple[Sentence, ...]:
    """The articles' sentences that a briefing does not show but a search may: whole, read
    on their own, relative dates resolved against the article's date (the same rules as a
    briefing's, :func:`briefings.stories.shown_candidates`)."""
    shown = {
        (item.source, normal(item.text))
        for briefing in briefings
        for item in _shown_items(briefing)
    }
    found: list[Sentence] = []
    for article in articles:
        written = dates.get(article.key)
        for candidate in shown_candidates(article, 0.0, words, written, SEARCH_PASSAGE):
            if (candidate.ref, normal(candidate.text)) not in shown:
                found.append(Sentence(candidate.text, candidate.ref))
    return tuple(found)


def _shown_items(briefing: Briefing) -> Iterator[Sentence | Fact | Quote | TimelineEntry]:
    for story in briefing.stories:
        yield from story.lede
        yield from story.details
        yield from story.facts
        yield from story.quotes
        yield from story.dates
    yield from briefing.background
    yield from briefing.timeline
