"""Free text and typos -> topics, with rapidfuzz over commands, names, aliases and headlines.

A confident match answers; a weak one is offered as choices; nothing matching says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from briefings.model import Catalog, Topic
from briefings.topics import fold

CONFIDENT = 86.0
WEAK = 62.0
_FILLER = re.compile(
    r"\b(?:what'?s|whats|what|is|are|on|in|the|about|news|tell|me|show|any|latest|of|for|"
    r"please|que|hay|en|sobre|noticias|de|el|la|los|las)\b"
)


@dataclass(frozen=True)
class TopicMatch:
    topic: Topic
    score: float


def normalize(text: str) -> str:
    text = fold(text).strip()
    text = re.sub(r"^/", "", text)
    text = re.sub(r"@\w+", " ", text)
    return re.sub(r"[^\w\s'-]", " ", text).strip()


def search_names(topic: Topic) -> list[str]:
    """Every name a reader may call the topic by, folded: commands, names, aliases."""
    names = [topic.id, topic.command, topic.command_es, topic.name_en, topic.name_es]
    return [fold(n) for n in (*names, *topic.aliases) if n]


def rank_topics(catalog: Catalog, text: str) -> list[TopicMatch]:
    """Every topic with its best similarity to ``text`` (0–100), best first."""
    query = normalize(text)
    if not query:
        return []
    content = _FILLER.sub(" ", query).split()
    stripped = " ".join(content) or query
    ranked = []
    for topic in catalog.topics:
        briefing = catalog.briefing(topic.id)
        # A headline is long: only its overall word order counts, never a one-word overlap.
        best = fuzz.token_sort_ratio(stripped, fold(briefing.headline)) * 0.9 if briefing else 0.0
        for choice in search_names(topic):
            whole = fuzz.ratio(stripped, choice)
            words = fuzz.token_set_ratio(stripped, choice) if len(choice) > 3 else 0.0
            fits = 5 <= len(choice) <= len(stripped)
            partial = fuzz.partial_ratio(choice, stripped) if fits else 0.0
            best = max(best, whole, words * 0.97, partial * 0.92)
        ranked.append(TopicMatch(topic, round(best, 1)))
    ranked.sort(key=lambda m: (-m.score, m.topic.id))
    return ranked


def rank_commands(catalog: Catalog, command: str) -> list[TopicMatch]:
    """Topics by how close ``command`` is to their command names (for '/cubaa')."""
    name = fold(command.lstrip("/").split("@", 1)[0])
    ranked = [
        TopicMatch(
            t, round(max(fuzz.ratio(name, fold(c)) for c in (t.command, t.command_es, t.id)), 1)
        )
        for t in catalog.topics
    ]
    ranked.sort(key=lambda m: (-m.score, m.topic.id))
    return ranked


def topic_by_command(catalog: Catalog, command: str) -> Topic | None:
    """Exact command in English or Spanish (case-insensitive, without the slash)."""
    name = command.lower().lstrip("/").split("@", 1)[0]
    return next((t for t in catalog.topics if name in (t.command, t.command_es, t.id)), None)
