"""Stage 3: the topic registry and the assignment of articles to topics by content.

The registry is data (``topics.json``): id, command, English and Spanish names and
aliases, a one-line description, keywords (``kidnap*`` matches a prefix) and anchors: a
topic is specific ("the Toluca–Mexico City train", not any train), so an article must name
one of its anchors before its keywords count.
An article's score for a topic is the keyword hits per hundred words, dampened so that a
word repeated ten times does not outweigh ten different words. An article goes to every
topic that scores close to its best one; an article that reaches no topic's floor goes to
the "more news" bucket rather than being misfiled.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from briefings.model import Article, Topic

MORE_TOPIC = "more"
# A topic needs this much keyword density (dampened hits per 100 words) ...
MIN_SCORE = 1.2
# ... and at least this share of the article's best topic score.
RELATIVE_FLOOR = 0.5


@dataclass(frozen=True)
class Registry:
    topics: tuple[Topic, ...]
    more: Topic

    @property
    def all(self) -> tuple[Topic, ...]:
        return (*self.topics, self.more)


def fold(text: str) -> str:
    """Lower case without accents: "Mazatlán" and "mazatlan" are one word to a reader.

    Characters with no ASCII base (curly quotes, dashes, emoji) disappear; matching only
    ever looks at letters and digits.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return decomposed.encode("ascii", "ignore").decode("ascii")


def strip_accents(text: str) -> str:
    """Lower case without accents, every other character kept: for reading what people
    type, where a dash or a colon means something ("22:00–07:00")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Keyword:
    """A registry keyword as tokens; ``prefix`` when it ended in ``*`` ("kidnap*")."""

    tokens: tuple[str, ...]
    prefix: bool

    @classmethod
    def parse(cls, keyword: str) -> Keyword:
        folded = fold(keyword)
        return cls(tuple(_TOKEN.findall(folded)), folded.endswith("*"))


@dataclass(frozen=True)
class Words:
    """One text's words, counted once, so that every keyword is a lookup."""

    counts: Counter[str]
    ordered: tuple[str, ...]
    joined: str
    total: int

    @classmethod
    def of(cls, text: str) -> Words:
        tokens = _TOKEN.findall(fold(text))
        counts = Counter(tokens)
        return cls(counts, tuple(sorted(counts)), " " + " ".join(tokens) + " ", len(tokens))

    def hits(self, keyword: Keyword) -> int:
        if not keyword.tokens:
            return 0
        if len(keyword.tokens) > 1:
            phrase = " " + " ".join(keyword.tokens) + ("" if keyword.prefix else " ")
            return self.joined.count(phrase)
        word = keyword.tokens[0]
        if not keyword.prefix:
            return self.counts.get(word, 0)
        start = bisect.bisect_left(self.ordered, word)
        found = 0
        for candidate in self.ordered[start:]:
            if not candidate.startswith(word):
                break
            found += self.counts[candidate]
        return found


def _topic(data: dict[str, object]) -> Topic:
    return Topic(
        id=str(data["id"]),
        command=str(data["command"]),
        command_es=str(data["command_es"]),
        name_en=str(data["name_en"]),
        name_es=str(data["name_es"]),
        description_en=str(data["description_en"]),
        description_es=str(data["description_es"]),
        aliases=tuple(str(a) for a in data.get("aliases", []) or []),  # type: ignore[attr-defined]
        keywords=tuple(str(k) for k in data.get("keywords", []) or []),  # type: ignore[attr-defined]
        anchors=tuple(str(k) for k in data.get("anchors", []) or []),  # type: ignore[attr-defined]
    )


def load_registry(path: Path | None = None) -> Registry:
    """The registry shipped with the package, or the one at ``path``."""
    if path is None:
        text = resources.files("briefings").joinpath("topics.json").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    return Registry(tuple(_topic(t) for t in data["topics"]), _topic(data["more"]))


class TopicScorer:
    """Scores text against every topic; parsed once, used for every article."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._keywords = {t.id: [Keyword.parse(k) for k in t.keywords] for t in registry.topics}
        self._anchors = {t.id: [Keyword.parse(k) for k in t.anchors] for t in registry.topics}

    def scores(self, text: str) -> dict[str, float]:
        """Keyword density per topic; 0 for a topic none of whose anchors the text names."""
        words = Words.of(text)
        size = max(words.total, 1)
        result: dict[str, float] = {}
        for topic_id, keywords in self._keywords.items():
            anchors = self._anchors[topic_id]
            if anchors and not any(words.hits(a) for a in anchors):
                result[topic_id] = 0.0
                continue
            dampened = sum(math.log1p(words.hits(k)) for k in keywords)
            result[topic_id] = round(100.0 * dampened / math.sqrt(size * 100.0), 4)
        return result

    def article_scores(self, article: Article) -> dict[str, float]:
        return self.scores(" ".join([article.title, article.caption or "", article.body]))

    def assign(
        self, article: Article, extra: Iterable[str] = (), scored: dict[str, float] | None = None
    ) -> tuple[str, ...]:
        """Topic ids for ``article``, best first; ``extra`` adds structural evidence."""
        scored = scored if scored is not None else self.article_scores(article)
        best = max(scored.values(), default=0.0)
        chosen = [
            t.id
            for t in self.registry.topics
            if scored[t.id] >= MIN_SCORE and scored[t.id] >= RELATIVE_FLOOR * best
        ]
        chosen.sort(key=lambda t: -scored[t])
        for topic_id in extra:
            if topic_id not in chosen:
                chosen.append(topic_id)
        return tuple(chosen) or (MORE_TOPIC,)


def assign_all(
    articles: Sequence[Article],
    scorer: TopicScorer,
    extra: dict[str, Sequence[str]],
    scores: dict[str, dict[str, float]] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Article key -> topic ids, for every article (``scores`` when already computed)."""
    return {
        a.key: scorer.assign(a, extra.get(a.key, ()), scores.get(a.key) if scores else None)
        for a in articles
    }
