"""Stage 6: build, save and load the catalog — the one file the bot reads.

The catalog is deterministic: the same seeds give the same bytes (sorted keys, no
timestamps, stable ordering), it carries ``schema_version`` and the sha256 of its inputs,
and ``version`` is a digest of its content so that buttons can tell a rebuilt catalog.
A build writes to a temporary file and renames it over the old one, so a failed build
leaves the old catalog intact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from briefings import stories, summarize
from briefings.article_names import article_name
from briefings.chronology import (
    ArticleYears,
    YearGuess,
    article_date,
    article_years,
    reference_years,
    written_date,
)
from briefings.clean import clean_article
from briefings.documents import SourceMeta, read_documents, write_atomically
from briefings.events import events_by_article, extract_events
from briefings.model import (
    SCHEMA_VERSION,
    Article,
    ArticleInfo,
    Briefing,
    Catalog,
    Document,
    Event,
    Quote,
    from_plain,
    to_plain,
)
from briefings.relative import has_relative_date
from briefings.search_records import passages
from briefings.segment import RawArticle, content_lines, segment
from briefings.topics import (
    MORE_TOPIC,
    Keyword,
    Registry,
    TopicScorer,
    assign_all,
    load_registry,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = REPO_ROOT / "seeds"
DEFAULT_CATALOG = REPO_ROOT / "catalog" / "briefings.json"


# How many of a topic's most relevant articles the summary, figures, timeline and quotes
# draw on. Listings and the article list always cover every article.
ARTICLES_CONSIDERED = 40


class SeedError(Exception):
    """A seed file the compiler cannot use; the message names the file and the reason."""


class CatalogError(Exception):
    """A catalog file that is missing, unreadable or of another schema."""


@dataclass(frozen=True)
class Seed:
    """One input file: a shipped seed (many articles, no metadata) or an ingested document
    (one article, with the title and metadata its page gave: see briefings/documents.py)."""

    name: str
    text: str
    sha256: str
    meta: SourceMeta | None = None
    title: str | None = None


def read_seeds(directory: Path) -> list[Seed]:
    """Every ``*.txt`` seed in name order; empty, unreadable or non-UTF-8 files stop the build."""
    if not directory.is_dir():
        raise SeedError(f"{directory}: not a directory of seed files")
    paths = sorted(directory.glob("*.txt"))
    if not paths:
        raise SeedError(f"{directory}: no seed files (*.txt) found")
    seeds = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SeedError(f"{path.name}: cannot be read ({error.strerror or error})") from None
        try:
            text = data.decode("utf-8-sig")  # a byte-order mark is not part of the text
        except UnicodeDecodeError as error:
            raise SeedError(
                f"{path.name}: not UTF-8 text (byte {error.start} is {data[error.start]:#04x})"
            ) from None
        if not text.strip():
            raise SeedError(f"{path.name}: the file is empty")
        if "\x00" in text:
            raise SeedError(f"{path.name}: binary data, not text")
        seeds.append(Seed(path.name, text, hashlib.sha256(data).hexdigest()))
    return seeds


def read_inputs(seeds_dir: Path, documents_dir: Path | None = None) -> list[Seed]:
    """The shipped seeds, then the ingested documents (if a folder is given), in name order."""
    inputs = read_seeds(seeds_dir)
    if documents_dir is not None:
        inputs += [
            Seed(
                name,
                document.text,
                hashlib.sha256(data).hexdigest(),
                document.meta,
                document.title,
            )
            for name, data, document in read_documents(documents_dir)
        ]
    return inputs


def seeds_digest(seeds: Sequence[Seed]) -> str:
    digest = hashlib.sha256()
    for seed in seeds:
        digest.update(f"{seed.name}\0{seed.sha256}\n".encode())
    return digest.hexdigest()


def _topic_briefing(
    topic_id: str,
    articles: Sequence[Article],
    relevance: dict[str, float],
    registry: Registry,
    dates: dict[str, tuple[str | None, bool]],
    events: dict[str, list[Event]],
    words: frozenset[str],
    written: dict[str, stories.Dated],
    recent: str = "",
) -> Briefing:
    """A topic's stories, newest first, then its background; every item sourced."""
    topic = next(t for t in registry.all if t.id == topic_id)
    ordered = sorted(articles, key=lambda a: (-relevance[a.key], a.key))
    # An editor reads the most relevant articles first; a big topic is not read to the end.
    considered = ordered[:ARTICLES_CONSIDERED]
    keywords = [Keyword.parse(k) for k in topic.keywords]
    reported = {key: stories.Dated(*value) for key, value in dates.items()}
    groups = stories.group(considered, written, reported, recent)
    in_stories = {a.key for members in groups for a in members}
    shown: set[str] = set()
    built = []
    by_key = {a.key: a for a in articles}
    # Newest story first; a story's own date is that of its newest dated article.
    for members in sorted(
        groups,
        key=lambda m: (
            -_sortable(max((written[a.key].iso or "" for a in m), default="")),
            -max(relevance[a.key] for a in m),
        ),
    ):
        dated = {
            a.key: written[a.key] if written[a.key].iso else _story_dated(members, written)
            for a in members
        }
        wanted = stories.SOLE_STORY_DETAILS if len(groups) == 1 else stories.STORY_DETAILS
        story = stories.build_story(members, dated, relevance, words, keywords, shown, wanted)
        story = replace(story, quotes=tuple(stories.quotes_with_roles(story.quotes, by_key)))
        if story.date is None:  # no day of writing known: the newest date it reports
            said: list[tuple[str, bool]] = [
                (day, guessed)
                for a in members
                for day, guessed in (dates[a.key], (stories.stated_month(a), False))
                if day and len(day) >= 7
            ] or [(day, guessed) for a in members for day, guessed in [dates[a.key]] if day]
            if said:
                day, guessed = max(said, key=lambda d: (_sortable(d[0]), not d[1]))
                story = replace(story, date=day, date_inferred=guessed)
        if story.lede:
            built.append(story)
    built.sort(key=lambda s: -_sortable(s.date or ""))
    rest = [a for a in considered if a.key not in in_stories]
    background, years = stories.background(rest, relevance, words, keywords, shown)
    article_dates = {key: value[0] for key, value in dates.items()}
    topic_events = sorted(
        (e for a in ordered for e in events.get(a.key, [])), key=lambda e: (e.start, e.id)
    )
    known = [d for a in ordered if (d := article_dates.get(a.key))]
    story_days = [s.date for s in built if s.date]
    # The news runs from the first day a story reports (within a week of it) to its date.
    story_days += [
        e.date
        for s in built
        for e in s.dates
        if s.date
        and len(s.date) == 10
        and e.date >= (dt.date.fromisoformat(s.date) - dt.timedelta(days=7)).isoformat()
    ]
    facts = stories.one_count_once([f for s in built for f in s.facts])
    kept = {id(f) for f in facts}
    built = [replace(s, facts=tuple(f for f in s.facts if id(f) in kept)) for s in built]
    timeline = sorted(
        [*(e for s in built for e in s.dates), *years],
        key=lambda e: (e.date, e.source.document, e.source.line),
    )
    news_to = max(story_days, key=_sortable) if story_days else None
    newest = built[0] if built else None
    lede = newest.lede if newest else tuple(background[:3])
    # The headline is the newest story's, else the title of the article the background
    # opens with: never the title of an article with nothing readable to say.
    if newest:
        titles = [newest.headline, *(by_key[k].title for k in newest.articles)]
    else:
        titles = [by_key[f"{s.source.document}#{s.source.article}"].title for s in background[:1]]
    headline = next((t for t in titles if t and not has_relative_date(t)), topic.name_en)
    return Briefing(
        topic=topic_id,
        headline=headline,
        summary=tuple(s.text for s in lede),
        summary_sources=tuple(s.source for s in lede),
        facts=tuple(facts),
        timeline=tuple(timeline),
        quotes=_one_quote_a_speaker(q for s in built for q in s.quotes),
        events=tuple(topic_events),
        articles=tuple(a.key for a in ordered),
        as_of=max(known) if known else None,
        stories=tuple(built),
        background=tuple(background),
        # a month at least: "2026" alone would make a span that says nothing
        news_from=min([d for d in story_days if len(d) >= 7] or story_days, default=None),
        news_to=news_to,
        news_before=stories.written_before(built, events)
        if news_to and len(news_to) < 7
        else None,
    )


def _one_quote_a_speaker(quotes: Iterable[Quote]) -> tuple[Quote, ...]:
    """The briefing's quotes (what inline results show): a speaker's first quote only."""
    kept: dict[str, Quote] = {}
    for quote in quotes:
        kept.setdefault(quote.speaker, quote)
    return tuple(kept.values())[: summarize.MAX_QUOTES]


def _sortable(iso: str) -> int:
    """'2026-02-02' -> 20260202, '2026' -> 20260000: newest first whatever the precision."""
    parts = [int(p) for p in iso[:10].split("-") if p] if iso else []
    parts += [0] * (3 - len(parts))
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


def _story_dated(members: Sequence[Article], written: dict[str, stories.Dated]) -> stories.Dated:
    """An undated article in a story takes the story's newest date, as inferred."""
    days = [written[a.key].iso for a in members if written[a.key].iso]
    return stories.Dated(max(d for d in days if d), True) if days else stories.Dated(None, False)


class _RecordingVocabulary:
    """The corpus vocabulary, noting which words a stage asked about: an article's quality
    depends on the vocabulary only through those words (see ``clean.damage``)."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self.asked: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        found = word in self.words
        self.asked[str(word)] = found
        return found


class StageCache:
    """What the per-article stages computed, kept between builds so that a rebuild after
    new documents processes only those: segmenting and cleaning (by file name and content
    digest), topic scores, listings, dates and quality (by article and every input the stage
    read: its year guess, its listings' spans, the words of the vocabulary it asked about).
    The stages are pure functions, so a build with a warm cache gives the same bytes as one
    without; the stages that look across articles (vocabulary, years, stories, topics) run
    in full each time, over these results.
    """

    def __init__(self) -> None:
        self._articles: dict[tuple[str, str], tuple[Article, ...]] = {}
        self._ids: dict[str, tuple[str, str]] = {}  # document -> (name, sha256)
        self._words: dict[tuple[Any, ...], frozenset[str]] = {}
        self._scores: dict[tuple[Any, ...], dict[str, float]] = {}
        self._events: dict[tuple[Any, ...], tuple[Event, ...]] = {}
        self._dates: dict[tuple[Any, ...], tuple[str | None, bool]] = {}
        self._written: dict[tuple[Any, ...], tuple[str | None, bool]] = {}
        self._quality: dict[tuple[Any, ...], tuple[float, dict[str, bool]]] = {}
        self._years: dict[tuple[Any, ...], ArticleYears] = {}
        self._registry: Registry | None = None
        self.hits = self.misses = 0

    def articles(self, seed: Seed) -> tuple[Article, ...]:
        key = (seed.name, seed.sha256)
        self._ids[seed.name] = key
        found = self._articles.get(key)
        if found is None:
            self.misses += 1
            found = self._articles[key] = tuple(document_articles(seed))
        else:
            self.hits += 1
        return found

    def _id(self, article: Article) -> tuple[Any, ...]:
        return (*self._ids.get(article.document, (article.document, "")), article.number)

    def words(self, article: Article) -> frozenset[str]:
        key = self._id(article)
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = summarize.vocabulary([article])
        return found

    def scores(
        self, scorer: TopicScorer, registry: Registry, article: Article
    ) -> dict[str, float]:
        if registry != self._registry:
            self._scores.clear()
            self._registry = registry
        key = self._id(article)
        found = self._scores.get(key)
        if found is None:
            found = self._scores[key] = scorer.article_scores(article)
        return found

    def events(self, article: Article, year: YearGuess | None) -> list[Event]:
        key = (*self._id(article), year)
        found = self._events.get(key)
        if found is None:
            found = self._events[key] = tuple(extract_events(article, year))
        return list(found)

    def article_date(
        self, article: Article, year: YearGuess | None, spans: list[tuple[str, str]]
    ) -> tuple[str | None, bool]:
        key = (*self._id(article), year, tuple(spans))
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = article_date(article, year, spans)
        return found

    def written_date(self, article: Article, year: YearGuess | None) -> tuple[str | None, bool]:
        key = (*self._id(article), year)
        found = self._written.get(key)
        if found is None:
            found = self._written[key] = written_date(article, year)
        return found

    def years(self, article: Article) -> ArticleYears:
        key = self._id(article)
        found = self._years.get(key)
        if found is None:
            found = self._years[key] = article_years(article)
        return found

    def quality(self, article: Article, words: frozenset[str]) -> float:
        key = self._id(article)
        found = self._quality.get(key)
        if found is not None and all((w in words) == seen for w, seen in found[1].items()):
            return found[0]
        recording = _RecordingVocabulary(words)
        value = summarize.quality(article, cast(frozenset[str], recording))
        self._quality[key] = (value, recording.asked)
        return value

    def keep_only(self, seeds: Sequence[Seed]) -> None:
        """Forget documents that are gone or changed, so the cache does not grow forever."""
        wanted = {(seed.name, seed.sha256) for seed in seeds}
        for key in [k for k in self._articles if k not in wanted]:
            del self._articles[key]
        self._ids = {name: key for name, key in self._ids.items() if key in wanted}
        tables: tuple[dict[tuple[Any, ...], Any], ...] = (
            self._words,
            self._scores,
            self._events,
            self._dates,
            self._written,
            self._years,
        )
        for table in tables:
            for key in [k for k in table if (k[0], k[1]) not in wanted]:
                del table[key]
        for key in [k for k in self._quality if (k[0], k[1]) not in wanted]:
            del self._quality[key]


def compile_catalog(
    seeds: Sequence[Seed], registry: Registry | None = None, cache: StageCache | None = None
) -> Catalog:
    """Seeds -> catalog. Pure: no clock, no randomness, no file access."""
    registry = registry or load_registry()
    stage = cache if cache is not None else StageCache()
    articles = [a for seed in seeds for a in stage.articles(seed) if a.paragraphs]
    stage.keep_only(seeds)
    metas = {seed.name: seed.meta for seed in seeds if seed.meta is not None}
    words = frozenset().union(*(stage.words(a) for a in articles))
    years = reference_years(articles, stage.years)
    # A page that says when it was published is dated by that, not by a guess.
    published = {a.key: day for a in articles if (day := _published_day(metas.get(a.document)))}
    years.update(
        {
            key: YearGuess(int(day[:4]), "the day the page was published", False)
            for key, day in published.items()
        }
    )
    events = events_by_article(articles, years, stage.events)
    dates = {
        a.key: stage.article_date(
            a, years.get(a.key), [(e.start, e.end or e.start) for e in events[a.key]]
        )
        for a in articles
    }
    dates.update({key: (day, False) for key, day in published.items()})
    written = {a.key: stories.Dated(*stage.written_date(a, years.get(a.key))) for a in articles}
    written.update({key: stories.Dated(day, False) for key, day in published.items()})
    # News is what was written within a year of the newest article the seeds date by the day.
    newest_day = max((d.iso for d in written.values() if d.iso), default=None)
    recent = f"{int(newest_day[:4]) - 1}{newest_day[4:7]}" if newest_day else "9999"
    scorer = TopicScorer(registry)
    scores = {a.key: stage.scores(scorer, registry, a) for a in articles}
    assignment = assign_all(
        articles, scorer, {key: ["events"] for key, found in events.items() if found}, scores
    )
    qualities = {a.key: stage.quality(a, words) for a in articles}
    briefings = []
    for topic in registry.all:
        members = [a for a in articles if topic.id in assignment[a.key]]
        if not members:
            continue
        # How well each article speaks to this topic; listings weigh in for "events".
        relevance = {
            a.key: round(
                (
                    scores[a.key].get(topic.id, 0.0)
                    + (len(events[a.key]) if topic.id == "events" else 0)
                )
                * qualities[a.key]
                + (1.0 if topic.id == MORE_TOPIC else 0.0),
                4,
            )
            for a in members
        }
        briefings.append(
            _topic_briefing(
                topic.id, members, relevance, registry, dates, events, words, written, recent
            )
        )
    # An article that does not say when it was written takes its story's day, as inferred.
    story_days: dict[str, tuple[str, bool]] = {}
    for briefing in briefings:
        for story in briefing.stories:
            for key in story.articles:
                if story.date and len(story.date) == 10 and written[key].iso is None:
                    story_days.setdefault(key, (story.date, True))
    shown_dates = {
        a.key: (written[a.key].iso, written[a.key].inferred)
        if written[a.key].iso
        else story_days.get(a.key, dates[a.key])
        for a in articles
    }
    infos = tuple(
        ArticleInfo(
            key=a.key,
            document=a.document,
            number=a.number,
            title=a.title,
            first_line=a.first_line,
            line=a.line,
            topics=assignment[a.key],
            date=shown_dates[a.key][0],
            date_inferred=shown_dates[a.key][1],
            author=a.author,
            dateline=a.dateline,
            caption=a.caption,
            credit=a.credit,
            outlet=a.outlet,
            role=a.role,
            kind=a.kind,
            name=article_name(a),
            url=meta.url if (meta := metas.get(a.document)) else None,
        )
        for a in articles
    )
    by_document: dict[str, list[ArticleInfo]] = {}
    for info in infos:
        by_document.setdefault(info.document, []).append(info)
    documents = tuple(
        Document(
            name=seed.name,
            sha256=seed.sha256,
            title=next((i.title for i in by_document.get(seed.name, [])), seed.name),
            articles=tuple(i.key for i in by_document.get(seed.name, [])),
            as_of=max((i.date for i in by_document.get(seed.name, []) if i.date), default=None),
        )
        for seed in seeds
    )
    used_topics = {b.topic for b in briefings}
    catalog = Catalog(
        schema_version=SCHEMA_VERSION,
        seeds_sha256=seeds_digest(seeds),
        version="",
        topics=tuple(t for t in registry.all if t.id in used_topics or t.id != MORE_TOPIC),
        briefings=tuple(briefings),
        documents=documents,
        articles=infos,
        passages=passages(articles, words, briefings, {k: d[0] for k, d in shown_dates.items()}),
    )
    return replace(catalog, version=_content_version(catalog))


def document_articles(seed: Seed) -> list[Article]:
    """The per-document stages: a seed segmented into its articles, each cleaned; an
    ingested document is one article, its title and metadata as its page gave them."""
    if seed.meta is None:
        return [clean_article(raw) for raw in segment(seed.name, seed.text)]
    article = clean_article(RawArticle(seed.name, 1, tuple(content_lines(seed.text))))
    meta = seed.meta
    return [
        replace(
            article,
            title=seed.title or article.title,
            outlet=meta.outlet or article.outlet,
            author=meta.author or article.author,
        )
    ]


def _published_day(meta: SourceMeta | None) -> str | None:
    """The page's publication day as YYYY-MM-DD, when its metadata gives a valid one."""
    if meta is None or not meta.published:
        return None
    try:
        return dt.date.fromisoformat(meta.published[:10]).isoformat()
    except ValueError:
        return None


def _content_version(catalog: Catalog) -> str:
    """A digest of everything in the catalog but its version. Compact JSON: the same
    content in another layout than the file's, so json's C encoder makes it (an indented
    dump is Python's, several times slower on a large catalog)."""
    body = to_plain(replace(catalog, version=""))
    compact = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(compact.encode("utf-8")).hexdigest()[:12]


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def render_catalog(catalog: Catalog) -> str:
    """The exact text of the catalog file."""
    return _dumps(to_plain(catalog))


def save_catalog(catalog: Catalog, path: Path) -> None:
    """Write atomically: a temporary file in the same directory, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_catalog(catalog)
    write_atomically(path, text)


def load_catalog(path: Path) -> Catalog:
    """Read a catalog file; a clear :class:`CatalogError` for every way it can be wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"no catalog at {path}; run 'briefbot build' first") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(f"cannot read the catalog at {path}: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogError(
            f"the catalog at {path} is not valid JSON (line {error.lineno})"
        ) from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        found = data.get("schema_version") if isinstance(data, dict) else None
        raise CatalogError(
            f"the catalog at {path} has schema {found!r}, this bot reads {SCHEMA_VERSION}; "
            "run 'briefbot build'"
        )
    try:
        return from_plain(Catalog, data)
    except (TypeError, KeyError, ValueError) as error:
        raise CatalogError(f"the catalog at {path} is damaged: {error}") from None


def build(seeds_dir: Path, catalog_path: Path, documents_dir: Path | None = None) -> Catalog:
    """Compile the seeds (and the ingested documents, if a folder is given); write the file."""
    catalog = compile_catalog(read_inputs(seeds_dir, documents_dir))
    save_catalog(catalog, catalog_path)
    return catalog


def is_stale(seeds_dir: Path, catalog_path: Path) -> str | None:
    """Why the catalog file differs from a fresh build, or None when it is current."""
    fresh = render_catalog(compile_catalog(read_seeds(seeds_dir)))
    try:
        current = catalog_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"{catalog_path} does not exist"
    except (OSError, UnicodeDecodeError) as error:
        return f"{catalog_path} cannot be read: {error}"
    if current == fresh:
        return None
    try:
        old_digest = json.loads(current).get("seeds_sha256")
    except (json.JSONDecodeError, AttributeError):
        return f"{catalog_path} is not a valid catalog"
    if old_digest != json.loads(fresh)["seeds_sha256"]:
        return f"{catalog_path} was built from other seeds"
    return f"{catalog_path} differs from what the compiler now produces"
