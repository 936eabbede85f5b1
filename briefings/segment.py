"""Stage 1: split a seed document into articles by its structure.

News pages scraped into one file keep two structural marks of where an article begins:

* a photo-caption line ending in a parenthesized credit, e.g.
  ``… continues to rise. (Colectivo Luz de Esperanza/Facebook)``;
* a title line followed by a byline (``By Emily Carter | Reporter``).

Captions also appear *inside* articles, so a caption only starts a new article when the
text around it changes subject: the paragraphs before it and the paragraphs from it on
share (almost) no weighted vocabulary. That is lexical cohesion, as in TextTiling; names
weigh double because articles are about people and places. A caption that follows a
section heading, or that is only a credit, illustrates that section and never starts one.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Below this cohesion the text on both sides of a caption is about different things.
# Chosen on the seeds glued in hundreds of random orders: 0.09–0.11 split all correctly.
BOUNDARY_COHESION = 0.10
WINDOW = 6  # paragraphs of the current article compared with ...
LOOKAHEAD = 4  # ... the caption and the paragraphs that follow it
LISTING_REACH = 6  # paragraphs between a guide's listing photo and that listing's fields
WHOLE_LIMIT = 60  # "the whole article so far", bounded so long documents stay linear

_CREDIT = re.compile(r"\((?P<credit>[^()]{2,80})\)\s*\.?\s*$")
_PHOTO_AGENCIES = frozenset({"AP", "AFP", "EFE", "UPI", "DPA", "EPA", "ANSA", "NTX", "SSPC"})
_CREDIT_PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "y", "of", "the", "and", "da", "do"}
)
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:\||,|$)")
# A listing's labelled line: "When: Feb. 17 at 8:30 p.m.", "Cost: 650 pesos."
LISTING_FIELD = re.compile(
    r"^(?P<label>When|Where|Cost|Price|Tickets|Hours|Venue|Dates?|Info)\s*:\s*(?P<value>.*)$",
    re.I,
)
_TERMINAL = re.compile(r"[.!?…:;]['\"”’)\]]*$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_STOPWORDS = frozenset(
    (
        "a an and are as at be been but by for from had has have he her his in into is it its "
        "more most not of on or our over she than that the their them there these they this "
        "those to was we were which while who will with would you your also after before about "
        "then said says one two other such only when where what many much very just"
    ).split()
)


@dataclass(frozen=True)
class Line:
    """A non-empty line of a seed file with its 1-based number."""

    number: int
    text: str


@dataclass(frozen=True)
class RawArticle:
    """The lines of one article, still uncleaned, in document order."""

    document: str
    number: int
    lines: tuple[Line, ...]


def split_caption(text: str) -> tuple[str, str] | None:
    """``"Photo text. (Credit/Agency)"`` -> ``("Photo text.", "Credit/Agency")`` or None.

    A credit names a person, agency, site or handle: no digits, prices or percentages, and
    not a bare acronym like ``(PAN)`` that ends an ordinary sentence.
    """
    match = _CREDIT.search(text)
    if match is None:
        return None
    credit = match.group("credit").strip()
    if credit.startswith("@"):
        return text[: match.start()].strip(), credit  # a social handle, digits allowed
    if re.search(r"[\d$%€£]", credit):
        return None
    if re.fullmatch(r"[A-Z]{2,6}", credit) and credit not in _PHOTO_AGENCIES:
        return None  # "(PAN)" ends sentences; "(AP)" credits photos
    words = credit.split()
    if len(words) > 7 or not all(
        w[0].isupper() or "." in w or w.lower() in _CREDIT_PARTICLES for w in words
    ):
        return None
    return text[: match.start()].strip(), credit


def is_heading(text: str) -> bool:
    """A short line with no closing punctuation (or a short label ending in a colon).

    Listing fields such as ``Where: Teatro Diana, …`` are data, not headings.
    """
    words = text.split()
    if not words or is_listing_field(text):
        return False
    if text.endswith(":") and len(words) <= 5:
        return True  # "Reaction & Analysis:"
    return len(words) <= 16 and not _TERMINAL.search(text) and split_caption(text) is None


def is_listing_field(text: str) -> bool:
    return bool(LISTING_FIELD.match(text))


def is_byline(text: str) -> bool:
    return bool(_BYLINE.match(text))


# Line ends as editors and Python's universal newlines count them, so that a cited line
# number finds the line; form feeds, U+2028 and the like are not line ends in a text file.
_LINE_END = re.compile(r"\r\n|\r|\n")
_ZERO_WIDTH_JOINER = "\u200d"


def _joins_an_emoji(text: str, index: int) -> bool:
    """A zero-width joiner between two emoji (👨‍👩‍👧) is part of what the reader sees."""
    if not 0 < index < len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    return (
        unicodedata.category(before) in ("So", "Sk") or before == "\ufe0f"
    ) and unicodedata.category(after) == "So"


def visible_text(line: str) -> str:
    """A line as a reader sees it: without invisible format characters (zero-width spaces,
    direction marks, byte-order marks, soft hyphens), private-use icons of scraped icon fonts
    and unassigned code points, with control characters and other separators as spaces;
    "" when nothing visible is left (only spaces or combining marks).
    """
    if not line.isprintable():
        kept = []
        for index, char in enumerate(line):
            category = unicodedata.category(char)
            if category in ("Cf", "Co", "Cn") and not (
                char == _ZERO_WIDTH_JOINER and _joins_an_emoji(line, index)
            ):
                continue
            kept.append(" " if category in ("Cc", "Zl", "Zp") else char)
        line = re.sub(r"\s+", " ", "".join(kept))
    line = line.strip()
    return line if any(unicodedata.category(c)[0] in "LNPS" for c in line) else ""


def content_lines(text: str) -> list[Line]:
    """The lines with something visible on them, numbered as an editor numbers them."""
    lines = (Line(i, visible_text(raw)) for i, raw in enumerate(_LINE_END.split(text), 1))
    return [line for line in lines if line.text]


def _terms(text: str) -> Iterable[tuple[str, float]]:
    for index, word in enumerate(_WORD.findall(text)):
        if len(word) < 3:
            continue
        low = word.lower()
        if low in _STOPWORDS:
            continue
        # Capitalised words after the first are (mostly) names: they carry the subject.
        yield low, (2.0 if index and word[0].isupper() else 1.0)


def line_terms(line: Line) -> dict[str, float]:
    """A line's weighted terms, computed once per line and reused by every window."""
    weights: dict[str, float] = {}
    for term, weight in _terms(line.text):
        weights[term] = weights.get(term, 0.0) + weight
    return weights


def _vector(terms: Sequence[dict[str, float]], idf: dict[str, float]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for line in terms:
        for term, weight in line.items():
            weights[term] = weights.get(term, 0.0) + weight
    return {t: (1.0 + math.log(w)) * idf.get(t, 1.0) for t, w in weights.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _paragraph_idf(terms: Sequence[dict[str, float]]) -> dict[str, float]:
    """Inverse document frequency over the document's paragraphs."""
    frequency: Counter[str] = Counter()
    for line in terms:
        frequency.update(line.keys())
    total = len(terms)
    return {t: math.log((total + 1) / (n + 0.5)) for t, n in frequency.items()}


def cohesion(
    terms: Sequence[dict[str, float]], article_start: int, caption: int, idf: dict[str, float]
) -> float:
    """How much the caption and what follows it continue the current article.

    The mean of two cosines: against the article's last few paragraphs (local) and
    against the whole article so far (global). Either alone misreads some boundaries.
    """
    right = _vector(terms[caption : caption + LOOKAHEAD], idf)
    local = _vector(terms[max(article_start, caption - WINDOW) : caption], idf)
    whole = _vector(terms[max(article_start, caption - WHOLE_LIMIT) : caption], idf)
    return (_cosine(local, right) + _cosine(whole, right)) / 2


def _caption_candidates(lines: Sequence[Line]) -> list[int]:
    found = []
    for i in range(1, len(lines)):
        parts = split_caption(lines[i].text)
        if parts is None or not parts[0]:
            continue  # not a caption, or a bare credit under a photo inside an article
        if is_heading(lines[i - 1].text):
            continue  # the photo of the section this heading opens
        if is_listing_field(lines[i - 1].text) and _listing_follows(lines, i):
            continue  # a guide's photo of its next listing, between two listings
        found.append(i)
    return found


def _listing_follows(lines: Sequence[Line], caption: int) -> bool:
    """Whether another listing (a ``When:`` line) comes soon after this caption."""
    following = lines[caption + 1 : caption + 1 + LISTING_REACH]
    return any(is_listing_field(line.text) for line in following)


def _byline_starts(lines: Sequence[Line]) -> list[int]:
    """Index of each title line that a byline follows (the title begins the article)."""
    return [i - 1 for i in range(2, len(lines)) if is_byline(lines[i].text)]


def article_starts(lines: Sequence[Line]) -> list[int]:
    """Indexes into ``lines`` where a new article begins; always starts with 0."""
    if not lines:
        return []
    captions = _caption_candidates(lines)
    bylines = set(_byline_starts(lines))
    terms = [line_terms(line) for line in lines]
    idf = _paragraph_idf(terms)
    starts = [0]
    for i in sorted(set(captions) | bylines):
        if i <= starts[-1]:
            continue
        if i in bylines:
            starts.append(i)
            continue
        if cohesion(terms, starts[-1], i, idf) < BOUNDARY_COHESION:
            starts.append(i)
    return starts


def segment(document: str, text: str) -> list[RawArticle]:
    """Split one seed document into its articles, numbered from 1."""
    lines = content_lines(text)
    starts = article_starts(lines)
    bounds = [*starts, len(lines)]
    return [
        RawArticle(document, n, tuple(lines[a:b]))
        for n, (a, b) in enumerate(itertools.pairwise(bounds), 1)
    ]
