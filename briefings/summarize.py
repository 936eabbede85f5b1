"""Stage 4: the editor's work — summary, key figures, timeline and quotes for one topic.

Everything is extractive: a briefing only says what a source said, and every item keeps a
:class:`SourceRef`. Sentences that lost words in scraping (see :func:`clean.damage`) and
documents that are mostly such sentences rank last or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from briefings.clean import damage
from briefings.dates import find_dates, find_years
from briefings.model import Article, Fact, Quote, SourceRef, TimelineEntry
from briefings.segment import is_listing_field
from briefings.sentences import split_sentences
from briefings.topics import Keyword, Words

SUMMARY_SENTENCES = 3
MAX_FACTS = 6
MAX_TIMELINE = 24
MAX_QUOTES = 5
NEAR_DUPLICATE = 72  # rapidfuzz token_set_ratio above which two sentences say the same

_QUOTE_MARKS = '“”"‘’'
_FIGURE = re.compile(
    r"(?P<prefix>(?:more than|over|nearly|about|approximately|almost|up to|at least)\s+)?"
    r"(?<![\w.,])(?P<value>(?:US\s?)?\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?:US\s?)?\$?\d+(?:\.\d+)?)"
    r"(?P<scale>\s*(?:%|percent|million|billion|thousand)(?:-\w+)*|(?:-[a-z]+)+)?",
    re.I,
)
# Durations of clips and calls are colour, not key figures.
_WEAK_FIGURE = re.compile(r"-(?:second|minute|hour)\b|^\d+ years? (?:later|ago|old)", re.I)
_MEASURE_STOP = re.compile(
    r"^(?:since|according|in|on|at|from|for|by|when|which|who|that|as of|to|with|and|but|"
    r"—|–|-)$",
    re.I,
)
_PERSON = r"(?P<speaker>(?:[A-Z][\w’'.-]+\s){0,3}[A-Z][\w’'-]+)"
_VERBS = (
    r"(?:said|says|stated|wrote|added|told|declared|explained|warned|asserted|noted|emphasized)"
)
_AFTER = re.compile(r"[”\"],?\s+" + _PERSON + r"\s+" + _VERBS + r"\b")
_AFTER_VERB_FIRST = re.compile(r"[”\"],?\s+" + _VERBS + r"\s+" + _PERSON)
_BEFORE = re.compile(_PERSON + r"\s+" + _VERBS + r"(?:\s+that)?[,:]?\s+[“\"]")
_PRONOUN = re.compile(r"[”\"],?\s+(?:he|she|they)\s+" + _VERBS + r"\b", re.I)
_LABELLED = re.compile(r"^" + _PERSON + r"(?:\s*\([^)]*\))?,\s+[^:“\"]{3,120}:\s+[“\"]")
_QUOTED = re.compile(r"[“\"]([^”\"]{20,600})[”\"]")
_NOT_NAMES = {"The", "This", "That", "In", "On", "At", "It", "When", "After", "But", "And"}


@dataclass(frozen=True)
class Candidate:
    """A sentence of an article that may enter a briefing."""

    text: str
    article: Article
    ref: SourceRef
    position: int
    relevance: float


def vocabulary(articles: Sequence[Article]) -> frozenset[str]:
    words: set[str] = set()
    for article in articles:
        words.update(re.findall(r"[a-záéíóúñ]+", article.body.lower()))
    return frozenset(words)


def sentences_of(article: Article, relevance: float, words: frozenset[str]) -> list[Candidate]:
    """The article's whole, readable sentences (damaged ones are left out here)."""
    found = []
    position = 0
    for paragraph in article.paragraphs:
        if paragraph.heading or is_listing_field(paragraph.text):
            continue
        ref = SourceRef(article.document, article.number, paragraph.number, paragraph.line)
        for sentence in split_sentences(paragraph.text):
            position += 1
            if damage(sentence, words) is None:
                found.append(Candidate(sentence, article, ref, position, relevance))
    return found


def quality(article: Article, words: frozenset[str]) -> float:
    """Share of an article's sentences that read whole: 1.0 for clean copy."""
    sentences = [s for p in article.paragraphs if not p.heading for s in split_sentences(p.text)]
    if not sentences:
        return 0.0
    whole = sum(damage(s, words) is None for s in sentences)
    return whole / len(sentences)


_LEANS_ON_CONTEXT = re.compile(
    r"^(?:(?:Crucially|Moreover|Indeed|However|Thus|Still|Also|Meanwhile|Instead|Of course|"
    r"In fact|In addition|Later|Then|Even so|For starters),?\s+)?"
    r"(?:she|he|they|it|this|these|those|that|her|his|their|its|the former|the latter)\b",
    re.I,
)
_ATTRIBUTION = re.compile(r"[”\"],?\s+(?:[A-Z][\w’'-]+\s+|he\s+|she\s+|they\s+)?" + _VERBS)


def is_prose(text: str) -> bool:
    """Reads on its own: a whole statement, not a quote, a question or a dangling pronoun."""
    words = text.split()
    return (
        12 <= len(words) <= 45
        and text[0] not in _QUOTE_MARKS
        and text[0].isupper()
        and not text.endswith("?")
        and text.rstrip()[-1] in '.!”"'
        and not re.search(r"\b(I|we|you|my|our|us)\b", text)
        and text.count("“") + text.count('"') <= 2
        and not _LEANS_ON_CONTEXT.match(text)
        and not _ATTRIBUTION.search(text)
    )


def summary(candidates: Sequence[Candidate], keywords: Sequence[Keyword]) -> list[Candidate]:
    """2–4 sentences that read as prose: ranked, no near-duplicates, in reading order."""
    top = max((c.relevance for c in candidates), default=1.0) or 1.0

    def score(c: Candidate) -> float:
        words = Words.of(c.text)
        hits = min(sum(1 for k in keywords if words.hits(k)), 3)
        lede = 1.5 if c.position == 1 else 0.75 if c.position <= 3 else 0.0
        figures = 0.25 if re.search(r"\d", c.text) else 0.0
        return 2.0 * c.relevance / top + 0.5 * hits + lede + figures

    chosen: list[Candidate] = []
    per_article: dict[str, int] = {}
    for candidate in sorted(candidates, key=lambda c: (-score(c), c.ref.line, c.ref.document)):
        if not is_prose(candidate.text):
            continue
        if per_article.get(candidate.article.key, 0) >= 2:
            continue
        if any(fuzz.token_set_ratio(candidate.text, c.text) >= NEAR_DUPLICATE for c in chosen):
            continue
        chosen.append(candidate)
        per_article[candidate.article.key] = per_article.get(candidate.article.key, 0) + 1
        if len(chosen) == SUMMARY_SENTENCES:
            break
    # Reading order: the most relevant article first, each article's sentences in its order.
    return sorted(chosen, key=lambda c: (-c.relevance, c.article.key, c.position))


_NAMED_NUMBER = re.compile(
    r"\b(?:order|line|route|highway|article|chapter|room|gate|terminal|phase|stage|platform|"
    r"lane|exit|no\.|number|flight|t)\s*$"
)


def _is_calendar_number(text: str, start: int, end: int) -> bool:
    """Years, days of months, clock times and ordinals are not key figures."""
    before = text[max(0, start - 12) : start].lower()
    after = text[end : end + 6]
    value = text[start:end]
    if re.fullmatch(r"(?:1[89]|20)\d{2}", value) or re.search(r"\d\s*[-–]$", before):
        return True  # a year, or the end of a range of days ("Feb. 12-17")
    if re.search(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", before):
        return True
    if re.match(r"\s+de\s+[A-Z]", after) or _NAMED_NUMBER.search(before):
        return True  # "20 de Noviembre" (a street), "Executive Order 14157", "Line 6" (names)
    return bool(
        re.match(r"(?::\d|st\b|nd\b|rd\b|th\b|\s*(?:a\.m|p\.m|years? old))", after.lower())
    )


# Where what a figure counts ends: "90% of cases | have been recorded since 2006".
_MEASURE_VERBS = {
    "known",
    "were",
    "was",
    "is",
    "are",
    "expected",
    "projected",
    "set",
    "likely",
    "have",
    "has",
    "had",
    "been",
    "will",
    "would",
    "could",
    "can",
    "may",
    "might",
}
_VERB_TAIL = {
    "will",
    "reach",
    "reached",
    "reaches",
    "be",
    "is",
    "was",
    "are",
    "were",
    "to",
    "of",
    "at",
    "rose",
    "fell",
    "hit",
    "totaled",
    "about",
    "approximately",
    "more",
    "than",
    "nearly",
    "over",
}


def _measure(text: str, start: int, end: int) -> str:
    """The words after a figure that say what it counts: '128,059 people as missing'."""
    words: list[str] = []
    following = text[end:].split()[:8]
    for index, word in enumerate(following):
        clean = word.strip(',.;:()“”"')
        if word.startswith("(") or not clean or re.match(r"\d", clean):
            break
        as_of = (
            clean.lower() == "as" and index + 1 < len(following) and following[index + 1] == "of"
        )
        linked = clean.lower() == "to" and bool(words) and words[-1].endswith("ed")
        if not linked and (as_of or _MEASURE_STOP.match(clean) or clean.lower() in _MEASURE_VERBS):
            break
        words.append(clean)
        if word.endswith((",", ".", ";", ":", ")")) or len(words) == 5:
            break
    modifier = re.search(r"\b(initial|original|final|estimated|total|annual)\s+$", text[:start])
    if words and modifier:  # "the initial US $1.67 billion estimate": an initial estimate
        words.insert(0, modifier.group(1))
    if not words and text[start:end].endswith("%"):
        # "hotel occupancy will reach 87%": the measure stands before the figure
        before = re.findall(r"[\w’'-]+", text[:start])[-6:]
        while before and before[-1].lower() in _VERB_TAIL:
            before.pop()
        words = before[-2:]
    return " ".join(words)


def _as_of(text: str, article_date: str | None) -> str | None:
    stated = re.search(r"\bas of\s+(.{3,20})", text)
    if stated:
        mentions = find_dates(stated.group(1))
        if mentions and mentions[0].year:
            return mentions[0].iso()
    return article_date if article_date and len(article_date) >= 7 else None


def facts(candidates: Sequence[Candidate], dates: dict[str, str | None]) -> list[Fact]:
    """Key figures: distinct values, at most two a sentence, the most telling first."""
    found: list[tuple[float, Fact]] = []
    seen_values: set[str] = set()
    for c in candidates:
        taken = 0
        if len(c.text) > 260:
            continue  # shown whole or not at all
        for match in _FIGURE.finditer(c.text):
            if _is_calendar_number(c.text, match.start("value"), match.end("value")):
                continue
            if c.text[: match.start()].rstrip().endswith("("):
                continue  # "(US $8.1 billion)": the same figure in another currency
            value = (
                (match.group("prefix") or "") + match.group("value") + (match.group("scale") or "")
            )
            value = value.strip()
            digits = re.sub(r"[^\d.]", "", match.group("value"))
            number = float(digits) if digits and digits != "." else 0.0
            if number < 2 and not match.group("scale"):
                continue
            key = re.sub(r"[^\d.%]", "", value) + (match.group("scale") or "")
            if key in seen_values:
                continue
            measure = _measure(c.text, match.start(), match.end())
            if not measure and not match.group("scale"):
                continue
            if taken and measure and measure.split()[0].lower() in ("of", "to", "a", "the"):
                continue  # a second figure that only makes sense inside its sentence
            if _WEAK_FIGURE.search(value) or _WEAK_FIGURE.search(f"{value} {measure}"):
                continue
            seen_values.add(key)
            weight = c.relevance * 2.0 + (1.0 if match.group("scale") else 0.0)
            weight += 1.0 if "," in match.group("value") else 0.0
            weight += 1.5 if "as of" in c.text else 0.0
            weight -= c.position * 0.02 + taken * 0.5
            fact = Fact(
                value=value,
                measure=measure,
                text=c.text,
                source=c.ref,
                as_of=_as_of(c.text, dates.get(c.article.key)),
            )
            found.append((weight, fact))
            taken += 1
            if taken == 2:
                break
    found.sort(key=lambda item: (-item[0], item[1].source.line))
    return [fact for _, fact in found[:MAX_FACTS]]


_FUTURE = re.compile(r"\b(?:will|projects?|scheduled|expected to)\b", re.I)


def timeline(candidates: Sequence[Candidate]) -> list[TimelineEntry]:
    """Dated entries in order, from sentences that write their year out.

    Only what happened: announcements of the future are not history. A lone entry is not
    a timeline, so a topic with fewer than two gets none.
    """
    entries: list[TimelineEntry] = []
    for c in candidates:  # most relevant articles first: stop once the timeline is full
        if len(entries) == MAX_TIMELINE:
            break
        years = find_years(c.text)
        if not years or c.text[0] in _QUOTE_MARKS or _FUTURE.search(c.text):
            continue
        dated = [m for m in find_dates(c.text) if m.year == years[0]]
        date = (dated[0].iso() if dated else None) or str(years[0])
        if len(c.text) > 220:
            continue  # shown whole or not at all
        text = c.text
        if any(
            e.date[:4] == date[:4] and fuzz.token_set_ratio(e.text, text) >= NEAR_DUPLICATE
            for e in entries
        ):
            continue
        entries.append(TimelineEntry(date=date or str(years[0]), text=text, source=c.ref))
    entries.sort(key=lambda e: (e.date, e.source.document, e.source.line))
    return entries[:MAX_TIMELINE] if len(entries) >= 2 else []


def _full_name(name: str, article: Article) -> str:
    """'Sheinbaum' -> 'Claudia Sheinbaum' when the article names her in full."""
    if " " in name:
        return name
    pattern = r"\b((?:[A-Z][\w’'-]+\s){1,2})" + re.escape(name) + r"((?:\s[A-Z][\w’'-]+)?)\b"
    for match in re.finditer(pattern, article.body):
        words = [w for w in match.group(1).split() if w not in _NOT_NAMES and w not in _TITLES]
        if words:
            return " ".join([*words, name, *match.group(2).split()])
    return name


_TITLES = {"President", "Mayor", "Governor", "Minister", "General", "Secretary", "Rep.", "Deputy"}


def _clean_speaker(raw: str) -> str | None:
    words = [w for w in raw.split() if w not in _NOT_NAMES]
    while words and words[0] in _TITLES:
        words = words[1:]
    if not words or not words[0][0].isupper():
        return None
    return " ".join(words)


def quotes(candidates: Sequence[Candidate]) -> Iterator[Quote]:
    """Quoted words with who said them; a pronoun takes the article's last speaker."""
    # an article's last named speaker, and the paragraph that named them
    last_speaker: dict[str, tuple[str, int]] = {}
    seen_paragraphs: set[tuple[str, int]] = set()
    for c in candidates:
        paragraph_key = (c.article.key, c.ref.paragraph)
        if paragraph_key in seen_paragraphs:
            continue
        seen_paragraphs.add(paragraph_key)
        paragraph = next(p.text for p in c.article.paragraphs if p.number == c.ref.paragraph)
        speaker = None
        for pattern in (_LABELLED, _AFTER, _AFTER_VERB_FIRST, _BEFORE):
            match = pattern.search(paragraph)
            if match:
                speaker = _clean_speaker(match.group("speaker"))
                if speaker:
                    break
        if speaker is None and _PRONOUN.search(paragraph):
            # "he stated" six paragraphs after a quote may be anyone: only a speaker quoted
            # right before, or the person acting right before, is who the pronoun means
            named, where = last_speaker.get(c.article.key, (None, 0))
            recent = named if where >= c.ref.paragraph - 1 else None
            speaker = recent or _named_before(c.article, c.ref.paragraph, paragraph)
        quoted = _QUOTED.search(paragraph)
        if speaker is None or quoted is None:
            continue
        speaker = _full_name(speaker, c.article)
        last_speaker[c.article.key] = (speaker, c.ref.paragraph)
        text = quoted.group(1).strip().rstrip(",")
        if len(text.split()) < 8 or damage(text) is not None:
            continue
        yield Quote(text=text, speaker=speaker, source=c.ref)


# What a person does in the sentence before their quote: "Sheinbaum lauded the investment."
_ACTOR = re.compile(
    _PERSON
    + r"\s+(?:"
    + _VERBS[3:-1]
    + r"|lauded|praised|announced|outlined|denied|stressed|argued|insisted|recalled)\b"
)


def _named_before(article: Article, number: int, paragraph: str) -> str | None:
    """Who "she said" means when no quote before named a speaker: the person acting last
    before the quote, in its own paragraph ("Sheinbaum outlined the plan. “We are …,” she
    stated") or else in the one before ("Sheinbaum lauded … / “It is not only …,” she said").
    """
    opening = re.split(r"[“\"]", paragraph, maxsplit=1)[0]
    before = next((p.text for p in article.paragraphs if p.number == number - 1), "")
    for text in (opening, before):
        found = [_clean_speaker(m.group("speaker")) for m in _ACTOR.finditer(text)]
        name = next((name for name in reversed(found) if name), None)
        if name:
            return name
    return None


def pick_quotes(all_quotes: Iterable[Quote]) -> list[Quote]:
    """A few quotes, one per speaker first, in source order."""
    chosen: list[Quote] = []
    speakers: set[str] = set()
    for quote in all_quotes:
        if quote.speaker not in speakers:
            chosen.append(quote)
            speakers.add(quote.speaker)
        if len(chosen) == MAX_QUOTES:
            break
    return chosen
