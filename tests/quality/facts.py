"""Key facts: who, what, when, the numbers and the quotes an editor would lead with.

The list is ``key_facts.json`` next to this module, written by reading the seeds. A fact
is found in a text when any one of its patterns is; patterns are matched against the text
folded by :func:`fold`, so a fact is found whatever the accents, quotes, dashes or case.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

KEY_FACTS = Path(__file__).with_name("key_facts.json")
REGEX_PREFIX = "re:"

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_PERCENT = re.compile(r"(\d)\s+%")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Text as patterns see it: lower case, no accents, straight quotes, '-' dashes."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _DASHES.sub("-", plain.translate(_QUOTES))
    return _SPACES.sub(" ", _PERCENT.sub(r"\1%", plain)).lower()


@dataclass(frozen=True)
class KeyFact:
    """One thing a reader should learn, and the ways a text can say it."""

    topic: str
    label: str
    patterns: tuple[str, ...]

    def matchers(self) -> list[re.Pattern[str]]:
        """Each pattern as a regular expression over folded text (plain ones escaped)."""
        return [
            re.compile(p[len(REGEX_PREFIX) :])
            if p.startswith(REGEX_PREFIX)
            else re.compile(re.escape(fold(p)))
            for p in self.patterns
        ]

    def found_in(self, folded: str) -> bool:
        """Whether a text already passed through :func:`fold` says this fact."""
        return any(m.search(folded) for m in self.matchers())


def load_key_facts(path: Path = KEY_FACTS) -> dict[str, list[KeyFact]]:
    """Every topic's key facts, in the order an editor would tell them."""
    data = json.loads(path.read_text("utf-8"))
    return {
        topic: [KeyFact(topic, row["label"], tuple(row["patterns"])) for row in rows]
        for topic, rows in data["topics"].items()
    }


def facts_found(text: str, facts: Iterable[KeyFact]) -> list[KeyFact]:
    """The facts that ``text`` says."""
    folded = fold(text)
    return [fact for fact in facts if fact.found_in(folded)]


def facts_missed(text: str, facts: Iterable[KeyFact]) -> list[KeyFact]:
    """The facts that ``text`` does not say."""
    folded = fold(text)
    return [fact for fact in facts if not fact.found_in(folded)]


def counts(texts: Mapping[str, str], facts: Mapping[str, list[KeyFact]]) -> dict[str, int]:
    """Per topic, how many of its facts the topic's text says."""
    return {topic: len(facts_found(texts.get(topic, ""), rows)) for topic, rows in facts.items()}
