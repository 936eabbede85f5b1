"""When each article was written, as far as its text (and its neighbours) can tell.

Scraped pages lose their publication dates. An article's date is its dateline when it
has one; the year a dateline or a listing leaves out comes from, in order:

1. the full dates written in the same article ("runs until March 1, 2026");
2. the dates written elsewhere in the same document (pages scraped together);
3. the most similar article of another document whose year is known.

Each inference records its basis so a briefing can say "year inferred".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from briefings.dates import SPANISH_MONTHS, find_dates, find_years, year_from_weekday
from briefings.model import Article
from briefings.segment import is_listing_field
from briefings.sentences import split_sentences

_FUTURE = re.compile(
    r"\b(will|scheduled|upcoming|next|runs (?:until|from)|until|projects?|expected)\b", re.I
)


@dataclass(frozen=True)
class YearGuess:
    """The year an article's undated mentions belong to.

    ``dates_article`` is False for guesses from other documents: they may complete a
    dateline or a listing, but they say nothing of when this article was written.
    """

    year: int
    basis: str
    inferred: bool = True
    dates_article: bool = True


def written_years(article: Article, *, full_only: bool = False) -> list[int]:
    """Years written inside a month-based date ("March 2025"; with ``full_only``, only
    day-month-year dates such as "March 1, 2026", which place the writer in time)."""
    text = " ".join([article.caption or "", article.body])
    return [
        m.year
        for m in find_dates(text)
        if m.year is not None and (m.day is not None or not full_only)
    ]


def document_year(articles: Sequence[Article]) -> int | None:
    """The newest year written in a month-based date anywhere in one document."""
    years = [y for a in articles for y in written_years(a)]
    if not years:
        years = [y for a in articles for y in find_years(a.body)]
    return max(years) if years else None


def _names(article: Article) -> set[str]:
    return set(re.findall(r"\b[A-Z][a-záéíóúñ]{3,}\b", article.body)) - {"The", "This", "That"}


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(frozen=True)
class ArticleYears:
    """What :func:`reference_years` reads of one article; a build cache keeps it."""

    written: tuple[int, ...]  # years of month-based dates
    full: tuple[int, ...]  # years of day-month-year dates
    bare: tuple[int, ...]  # years standing alone
    names: frozenset[str]


def article_years(article: Article) -> ArticleYears:
    return ArticleYears(
        tuple(written_years(article)),
        tuple(written_years(article, full_only=True)),
        tuple(find_years(article.body)),
        frozenset(_names(article)),
    )


def reference_years(
    articles: Sequence[Article], years_of: Callable[[Article], ArticleYears] = article_years
) -> dict[str, YearGuess]:
    """Article key -> the year its undated mentions belong to, with the basis."""
    by_document: dict[str, list[Article]] = {}
    for article in articles:
        by_document.setdefault(article.document, []).append(article)
    read = {a.key: years_of(a) for a in articles}
    guesses: dict[str, YearGuess] = {}
    document_years = {}
    for document, members in by_document.items():
        # As document_year(members), from what was read.
        years = [y for a in members for y in read[a.key].written]
        if not years:
            years = [y for a in members for y in read[a.key].bare]
        doc_year = max(years) if years else None
        if doc_year is not None:
            document_years[document] = doc_year
        for article in members:
            own = read[article.key].full
            if own:
                guesses[article.key] = YearGuess(
                    max(own), "a full date in the same article", inferred=False
                )
            elif doc_year is not None:
                guesses[article.key] = YearGuess(doc_year, f"dates elsewhere in {document}")
    waiting = [a for a in articles if a.key not in guesses and a.dateline is not None]
    if waiting:
        dated = [a for a in articles if a.key in guesses]
        names = {a.key: set(read[a.key].names) for a in [*waiting, *dated]}
        for article in waiting:
            related = _most_related(article, dated, names)
            if related is not None:
                guesses[article.key] = YearGuess(
                    guesses[related.key].year,
                    f"the related article {related.key}",
                    dates_article=False,
                )
    if document_years:
        newest = max(document_years.values())
        for article in articles:
            if article.key not in guesses:
                guesses[article.key] = YearGuess(
                    newest, "the newest year written in the seeds", dates_article=False
                )
    return guesses


def _most_related(
    article: Article, candidates: Sequence[Article], names: dict[str, set[str]]
) -> Article | None:
    """The candidate of another document whose names overlap most with ``article``'s."""
    own = names[article.key]
    scored = [
        (_similarity(own, names[c.key]), c.key, c)
        for c in candidates
        if c.document != article.document and len(own & names[c.key]) >= 3
    ]
    return max(scored, key=lambda item: (item[0], item[1]))[2] if scored else None


def article_date(
    article: Article, year: YearGuess | None, event_spans: Sequence[tuple[str, str]] = ()
) -> tuple[str | None, bool]:
    """ISO date (at the precision the text supports) and whether its year was inferred.

    The dateline wins. Otherwise the newest date the article reports as past, never one
    it announces for the future, and never older than the year its neighbours were
    written in.
    """
    if article.dateline is not None and article.date is not None:
        mentions = find_dates(article.date)
        if mentions:
            mention = mentions[0]
            if mention.year is not None:
                return mention.iso(), False
            if year is not None:
                return mention.iso(year.year), True
    found: list[tuple[str, bool]] = []
    for paragraph in article.paragraphs:
        if paragraph.heading or is_listing_field(paragraph.text):
            continue
        for sentence in split_sentences(paragraph.text):
            if _FUTURE.search(sentence):
                continue
            for mention in find_dates(sentence):
                if mention.day_end is not None:
                    continue  # a range announces an event
                iso = mention.iso(year.year if year else None)
                if iso is not None and not any(a[:10] <= iso <= b[:10] for a, b in event_spans):
                    found.append((iso, mention.year is None))
            found.extend((str(y), False) for y in find_years(sentence))
    if year is not None and year.dates_article:
        found.append((str(year.year), year.inferred))
    if not found:
        return None, False
    return max(found, key=lambda item: (item[0], not item[1]))


_SPANISH_DAYS = {
    "lunes": 0,
    "martes": 1,
    "miércoles": 2,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sábado": 5,
    "sabado": 5,
    "domingo": 6,
}
_EMBED_DATE = re.compile(
    r"\b(?:hoy,?\s+|este\s+)(?:(?P<weekday>lunes|martes|mi[ée]rcoles|jueves|viernes|"
    r"s[áa]bado|domingo)\s+)?(?P<day>\d{1,2})\s+de\s+(?P<month>"
    + "|".join(SPANISH_MONTHS)
    + r")(?:\s+de\s+(?P<year>20\d{2}))?",
    re.IGNORECASE,
)


def written_date(article: Article, year: YearGuess | None) -> tuple[str | None, bool]:
    """The day the article was written, when its text says: ISO date and whether inferred.

    Its dateline ("MEXICO CITY, Feb. 2 —"), or a post it embeds that names its own day
    ("a partir de hoy, domingo 1 de febrero"): a page embeds the posts of the day it
    reports, so such a date counts only when nothing the article reports is newer.
    A weekday given with the day fixes the year; otherwise the year is inferred.
    None when the text does not say: then its relative dates cannot be resolved.
    """
    if article.dateline is not None and article.date is not None:
        mentions = find_dates(article.date)
        if mentions and mentions[0].day is not None:
            mention = mentions[0]
            if mention.year is not None:
                return mention.iso(), False
            if year is not None:
                return mention.iso(year.year), True
    newest_reported = max(
        (
            iso
            for m in find_dates(article.body)
            if m.day is not None and (iso := m.iso(year.year if year else None))
        ),
        default="",
    )
    found: list[tuple[str, bool]] = []
    for embed in article.embeds:
        for match in _EMBED_DATE.finditer(embed):
            month = SPANISH_MONTHS[match.group("month").lower()]
            day = int(match.group("day"))
            if match.group("year"):
                guess, inferred = int(match.group("year")), False
            elif match.group("weekday") and year is not None:
                weekday = _SPANISH_DAYS[match.group("weekday").lower()]
                found_year = year_from_weekday(month, day, weekday, year.year)
                guess, inferred = (found_year, False) if found_year else (year.year, True)
            elif year is not None:
                guess, inferred = year.year, True
            else:
                continue
            iso = f"{guess:04d}-{month:02d}-{day:02d}"
            if iso >= newest_reported:
                found.append((iso, inferred))
    return max(found) if found else (None, False)
