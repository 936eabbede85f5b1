"""Search: the catalog's shown items in an SQLite FTS5 index, ranked by BM25, typos fixed.

The records (what can be found) come from the compiler, :mod:`briefings.search_records`;
this module indexes them and answers a :class:`~bot.conversation.question.Question` with
the best of them. The index lives in memory, built from the catalog when it is first asked
(about 15 ms for the seeds, docs/design.md "Search"): no binary file in git, and it can
never disagree with the catalog the bot serves.

Words are folded (``unicode61 remove_diacritics 2``: "Garcia" finds "García") and
stemmed (``porter``: "tickets" finds "ticket", "mining" finds "mine"). A word of the
question that no record has is replaced by the nearest word that one has, by rapidfuzz
(``sheinbuam`` -> ``sheinbaum``), when it is close enough to be a typo.

A hit must contain every word of the question; when no record has them all, a question of
three words or more may be answered by records with all but one. Among those, BM25 over
the shown text (and, weighing less, the record's other words: a speaker, a venue, the
topic's names) orders them, shown sentences before titles.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.conversation.question import Question
from briefings.model import Catalog
from briefings.search_records import SearchRecord, search_records, searchable, topic_words
from briefings.standalone import normal
from briefings.topics import fold

TOKENIZER = "porter unicode61 remove_diacritics 2"
TEXT_WEIGHT, WORDS_WEIGHT = 1.0, 0.3
TYPO_SCORE = 80.0  # rapidfuzz ratio from which an unknown word is read as a known one
TYPO_MIN_LENGTH = 4  # shorter words are too often other words one letter off
CANDIDATES = 200
LISTED = 2000  # wanted rows ranked among themselves by rowid (SQLite takes 32,766 params)
TERMS_REMEMBERED = 4096
STORY_WEIGHT = 0.5  # how much a story's other sentences with the words raise each of its own
_WORD = re.compile(r"[a-z0-9]+")
# What a reader wants first of equally good matches: what the news says, then its
# figures and quotes, then dates and background, then a listing or a title.
KIND_WEIGHT = {
    "sentence": 1.0,
    "figure": 1.0,
    "quote": 0.95,
    "listing": 1.0,
    "date": 0.85,
    "background": 0.8,
    "passage": 0.8,
    "title": 0.7,
}


@dataclass(frozen=True)
class Hit:
    record: SearchRecord
    score: float  # higher is better; comparable within one question only
    row: int = 0  # the record's place in the index: an id that stays put for one catalog


@dataclass(frozen=True)
class Found:
    """The hits for a question, and the words searched for (after typos were fixed)."""

    hits: tuple[Hit, ...]
    terms: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...] = ()
    partial: bool = False  # the hits lack one of the words: none has them all


class SearchIndex:
    """An in-memory FTS5 table of a catalog's search records."""

    def __init__(
        self, records: Sequence[SearchRecord], topics: Mapping[str, str] | None = None
    ) -> None:
        """``topics``: each topic's words (names, aliases); a word of them finds every
        record of that topic. Kept in a table of their own, once per topic, not on each of
        the topic's records: at 10,000 articles that would double the index."""
        self.records = list(records)
        topics = dict(topics or {})
        # One connection, read only after this; answers run on the event loop's thread,
        # benchmarks and the console may ask from another.
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            f"CREATE VIRTUAL TABLE items USING fts5(text, words, tokenize='{TOKENIZER}')"
        )
        self._db.executemany(
            "INSERT INTO items(rowid, text, words) VALUES (?, ?, ?)",
            ((number, searchable(r.text), r.words) for number, r in enumerate(self.records)),
        )
        self._db.execute("INSERT INTO items(items) VALUES ('optimize')")
        self._topic_ids = list(topics)
        self._db.execute(f"CREATE VIRTUAL TABLE topics USING fts5(words, tokenize='{TOKENIZER}')")
        self._db.executemany(
            "INSERT INTO topics(rowid, words) VALUES (?, ?)",
            ((number, topics[topic]) for number, topic in enumerate(self._topic_ids)),
        )
        by_topic: dict[str, set[int]] = {topic: set() for topic in self._topic_ids}
        for number, record in enumerate(self.records):
            by_topic.setdefault(record.topic, set()).add(number)
        self._by_topic = {topic: frozenset(rows) for topic, rows in by_topic.items()}
        self.vocabulary = sorted(
            {
                word
                for text in (
                    *(f"{searchable(r.text)} {r.words}" for r in self.records),
                    *topics.values(),
                )
                for word in _WORD.findall(fold(text))
                if not word.isdigit()
            }
        )
        self._known = frozenset(self.vocabulary)
        self._rows: dict[str, frozenset[int]] = {}

    @classmethod
    def of(cls, catalog: Catalog) -> SearchIndex:
        return cls(search_records(catalog), {t.id: topic_words(t) for t in catalog.topics})

    def spell(self, term: str) -> str:
        """The term itself when a record has it (or a word of its stem: "companies"), else
        the nearest word one has, if near enough to be a typo."""
        if term in self._known or len(term) < TYPO_MIN_LENGTH or term.isdigit():
            return term
        if self._matching(term):
            return term
        found = process.extractOne(
            term, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE
        )
        return str(found[0]) if found else term

    def _matching(self, term: str) -> frozenset[int]:
        """The rows with the term (or a word of its stem), and every row of a topic whose
        words have it; remembered, the index is fixed."""
        found = self._rows.get(term)
        if found is None:
            phrase = (_phrase(term),)
            rows = self._db.execute("SELECT rowid FROM items WHERE items MATCH ?", phrase)
            topics = self._db.execute("SELECT rowid FROM topics WHERE topics MATCH ?", phrase)
            found = frozenset(row for (row,) in rows).union(
                *(self._by_topic[self._topic_ids[number]] for (number,) in topics)
            )
            if len(self._rows) >= TERMS_REMEMBERED:
                self._rows.clear()
            self._rows[term] = found
        return found

    def search(
        self, question: Question, limit: int = 5, kinds: frozenset[str] | None = None
    ) -> Found:
        """The best records for the question's words, best first: at most ``limit``, two of
        a story at most (so that an answer spans the stories), none far below the best.
        ``kinds`` keeps only records of those kinds (``{"listing"}``)."""
        spelled = tuple(dict.fromkeys(self.spell(t) for t in question.terms))
        corrected = tuple((t, s) for t in question.terms if (s := self.spell(t)) != t)
        if not spelled:
            return Found((), spelled, corrected)
        matches = {term: self._matching(term) for term in spelled}
        needed = len(spelled) if len(spelled) <= 2 else len(spelled) - 1
        counts: dict[int, int] = {}
        for rows in matches.values():
            for row in rows:
                counts[row] = counts.get(row, 0) + 1
        allowed = {r for r in counts if kinds is None or self.records[r].kind in kinds}
        # Records with every word, if any has them all; else those missing one of three+.
        if any(counts[row] == len(spelled) for row in allowed):
            needed = len(spelled)
        wanted = {row for row in allowed if counts[row] >= needed}
        if not wanted:
            return Found((), spelled, corrected)
        # bm25 over the words the records themselves have, among the wanted rows (all of
        # them when they are not too many to list); a row found only through its topic's
        # names ranks after those, in the catalog's order.
        query = " OR ".join(_phrase(t) for t in spelled if matches[t])
        few = sorted(wanted) if len(wanted) <= LISTED else []
        only = f" AND rowid IN ({','.join('?' * len(few))})" if few else ""
        ranked = self._db.execute(
            f"SELECT rowid, bm25(items, ?, ?) FROM items WHERE items MATCH ?{only} "
            "ORDER BY bm25(items, ?, ?) LIMIT ?",
            (TEXT_WEIGHT, WORDS_WEIGHT, query, *few, TEXT_WEIGHT, WORDS_WEIGHT, CANDIDATES),
        ).fetchall()
        seen = {row for row, _ in ranked}
        weakest = max((rank for _, rank in ranked), default=-1.0)  # bm25: lower is better
        ranked += [(row, weakest / 2) for row in sorted(wanted - seen)]
        # A story that says the words in many of its sentences is about them: its
        # sentences come first among equals ("Sheinbaum": the story of her words on Cuba).
        about = Counter(_group(self.records[row]) for row in wanted)
        hits = []
        for row, rank in ranked:
            if row not in wanted:
                continue
            record = self.records[row]
            story = 1 + STORY_WEIGHT * math.log(about[_group(record)])
            hits.append(Hit(record, -rank * KIND_WEIGHT[record.kind] * counts[row] * story, row))
        hits.sort(key=lambda h: -h.score)
        partial = needed < len(spelled)
        return Found(tuple(_pick(hits, limit)), spelled, corrected, partial)

    def size(self) -> int:
        """Bytes of the in-memory database (pages in use times page size)."""
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        page_size = self._db.execute("PRAGMA page_size").fetchone()[0]
        return int(pages * page_size)


PER_GROUP = 2
FLOOR = 0.3  # a hit scoring under this share of the best is noise beside it


def _pick(hits: Sequence[Hit], limit: int) -> list[Hit]:
    """The best hits, two of one story (or article) at most, none far below the best, and
    none that says again what another of its article says (a title that is the lede's
    first words, a sentence inside a passage)."""
    chosen: list[Hit] = []
    taken: dict[str, int] = {}
    said = [(h.record.article, _said(h.record)) for h in hits]
    for number, hit in enumerate(hits):
        record = hit.record
        group = _group(record)
        if taken.get(group, 0) >= PER_GROUP or hit.score < FLOOR * hits[0].score:
            continue
        own = said[number][1]
        if any(
            article == record.article and own != other and own in other for article, other in said
        ) or any(c.record.article == record.article and _said(c.record) == own for c in chosen):
            continue
        taken[group] = taken.get(group, 0) + 1
        chosen.append(hit)
        if len(chosen) == limit:
            break
    return chosen


_BUILT: dict[int, tuple[Catalog, SearchIndex]] = {}
_KEPT = 4  # catalogs whose index is kept: the served one, and a test's or a rebuild's


def index_for(catalog: Catalog) -> SearchIndex:
    """The catalog's index, built once per catalog object however many ``Answers`` (one
    per bot username) ask for it. The catalog is kept beside its index, so its id is not
    reused by another catalog while the entry lives."""
    found = _BUILT.get(id(catalog))
    if found is not None and found[0] is catalog:
        return found[1]
    index = SearchIndex.of(catalog)
    _BUILT[id(catalog)] = (catalog, index)
    while len(_BUILT) > _KEPT:
        del _BUILT[next(iter(_BUILT))]
    return index


def _group(record: SearchRecord) -> str:
    """The story a record is shown under, or its article when in none."""
    return f"s:{record.story}" if record.story else f"a:{record.article}"


def _said(record: SearchRecord) -> str:
    """What a record says, to compare: its words only (a cut title's "…" dropped)."""
    return normal(record.text.rstrip("…"))


def _phrase(term: str) -> str:
    """A word as an FTS5 string: quoted, so no word of a question is read as syntax."""
    return '"' + term.replace('"', '""') + '"'
