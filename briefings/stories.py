"""Stage 5: a topic's articles grouped into stories, as a news editor groups wire copy.

A story is the articles that report one event: they name the same people and places and
were written within a few days of each other. An article whose own date is unknown joins
the dated story it shares the most names with, and takes that story's date (marked as
inferred). Articles that report no recent event (history, explainers) are background.

Each story is led by its best-attributed article (see :func:`attribution_score`) and
carries its own lede, figures, quotes and dated happenings. Every shown sentence is the
source's own, with its relative dates resolved against the article's date
(:mod:`briefings.relative`) and able to stand alone (:mod:`briefings.standalone`);
a sentence that fails either rule is left out, never rewritten.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from briefings import summarize
from briefings.dates import find_dates
from briefings.model import Article, Event, Fact, Quote, Sentence, Story, TimelineEntry
from briefings.relative import RELATIVE, resolve, strip_markers
from briefings.segment import is_listing_field
from briefings.sentences import split_sentences
from briefings.standalone import (
    drop_dated_clause,
    normal,
    standalone_problem,
    trim_connective,
)
from briefings.topics import Keyword, Words

SAME_STORY_DAYS = 4  # articles written this many days apart can report one event
SHARED_NAMES = 4  # ... when they share at least this many names
SHARED_SHARE = 0.12  # ... and that many of all the names either one uses
LEDE_SENTENCES = 3
STORY_FACTS = 3
STORY_QUOTES = 3
STORY_DATES = 6
STORY_DETAILS = 4  # sentences after the lede, for the screens after the first
SOLE_STORY_DETAILS = 8  # a topic's only story has the screens after the first to itself
MAX_PASSAGE = 360  # characters of a sentence shown with the one it leans on

_NOT_NAMES = frozenset(
    "The This That These Those There When After Before But And While With From Since "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "June July August September October November December Mexico Mexican President Minister "
    "General Governor Mayor Secretary Deputy Pacific Army National Guard State City".split()
)
_ANONYMOUS = re.compile(
    r"\b(?:an?|one) (?:(?:senior|Mexican|U\.S\.|government|federal|local) )*"
    r"(?:official|source|analyst|insider)s? (?:said|warned|says|told|added)|"
    r"\b[Aa]nalysts (?:suggest|say|said|believe)|\bsources (?:said|say)",
)
_PHOTO_AGENCY = re.compile(r"\b(?:Cuartoscuro|AP|AFP|EFE|Reuters|Getty|Presidencia)\b")


@dataclass(frozen=True)
class Dated:
    """An article's own date, as far as the text (or its story) tells."""

    iso: str | None
    inferred: bool


def names(article: Article) -> frozenset[str]:
    """The people and places an article names (capitalised words after a sentence's first)."""
    found = re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-záéíóúñ]{3,}\b", article.body)
    return frozenset(found) - _NOT_NAMES


_AHEAD = re.compile(r"\b(?:will|scheduled|upcoming|next|until|runs|projects?|expected)\b", re.I)


def stated_month(article: Article) -> str | None:
    """The newest month (or day) the article reports as past with its year: "2025-03".

    Sentences that announce ("runs until March 1, 2026") say nothing of when it was written.
    """
    found = [
        m.iso()
        for p in article.paragraphs
        if not p.heading and not is_listing_field(p.text)
        for sentence in split_sentences(p.text)
        if not _AHEAD.search(sentence)
        for m in find_dates(sentence)
        if m.year is not None
    ]
    return max((iso for iso in found if iso), default=None)


def is_news(
    article: Article, dated: Dated, reported: Dated | None = None, recent: str = ""
) -> bool:
    """News reports a recent event: its day is known, it dates things by the day, or it
    reports a month or day of its own (not an inferred year) no older than ``recent``."""
    if dated.iso is not None and len(dated.iso) == 10:
        return True
    stated = stated_month(article)
    if stated is not None and recent and stated >= recent:
        return True
    return sum(1 for _ in RELATIVE.finditer(article.body)) >= 2


def attribution_score(article: Article) -> float:
    """How well a reader can judge where an article comes from and who says what.

    An outlet counts most, then a byline on a page that is not a self-published post (a
    comment form or a blog bio under it), a photo agency's credit, and claims attributed
    to named people rather than to anonymous officials or analysts.
    """
    score = 0.0
    if article.outlet and article.kind == "article":
        score += 2.0
    if article.author:
        score += 1.0 if article.kind == "article" else 0.25
    if article.kind != "article":
        score -= 1.0
    if article.credit and _PHOTO_AGENCY.search(article.credit):
        score += 0.5
    score -= 0.5 * len(_ANONYMOUS.findall(article.body))
    return score


def group(
    articles: Sequence[Article],
    dates: dict[str, Dated],
    reported: dict[str, Dated] | None = None,
    recent: str = "",
) -> list[list[Article]]:
    """News articles in stories (dated ones first joined by days and names).

    ``reported`` is the newest date each article reports; one of ``recent`` or later
    makes an article news even when the day it was written is unknown.
    """
    reported = reported or {}
    news = [a for a in articles if is_news(a, dates[a.key], reported.get(a.key), recent)]
    named = {a.key: names(a) for a in news}
    stories: list[list[Article]] = []
    for article in sorted(news, key=lambda a: (dates[a.key].iso is None, a.key)):
        best: tuple[int, int] | None = None
        for index, story in enumerate(stories):
            shared = max(len(named[article.key] & named[m.key]) for m in story)
            overlap = max(shared / (len(named[article.key] | named[m.key]) or 1) for m in story)
            if (
                shared < SHARED_NAMES
                or overlap < SHARED_SHARE
                or not _close(article, story, dates)
            ):
                continue
            if best is None or shared > best[0]:
                best = (shared, index)
        if best is None:
            stories.append([article])
        else:
            stories[best[1]].append(article)
    return stories


def _close(article: Article, story: Sequence[Article], dates: dict[str, Dated]) -> bool:
    """Written within a few days of a member of the story (an undated article always is)."""
    mine = dates[article.key].iso
    if mine is None or len(mine) < 10:
        return True
    day = dt.date.fromisoformat(mine)
    days = [dates[m.key].iso for m in story]
    return any(
        abs((dt.date.fromisoformat(theirs) - day).days) <= SAME_STORY_DAYS
        for theirs in days
        if theirs and len(theirs) == 10
    )


def _story_date(members: Sequence[Article], dates: dict[str, Dated]) -> Dated:
    known = [dates[a.key] for a in members if dates[a.key].iso]
    if not known:
        return Dated(None, False)
    newest = max(known, key=lambda d: (d.iso or "", not d.inferred))
    return newest


def shown_candidates(
    article: Article,
    relevance: float,
    words: frozenset[str],
    written: str | None,
    max_passage: int = MAX_PASSAGE,
) -> list[summarize.Candidate]:
    """The article's sentences that may be shown: dates resolved, standing alone.

    A sentence that opens with a pronoun may still be shown right after the sentence
    before it in the same paragraph, as one passage ("Police were met with gunfire … They
    returned fire …"): its antecedent is then shown right before it, under one citation,
    when the two together are at most ``max_passage`` characters.
    """
    kept: list[summarize.Candidate] = []
    previous: summarize.Candidate | None = None
    for candidate in summarize.sentences_of(article, relevance, words):
        text = resolve(trim_connective(candidate.text), written)
        if text is None:  # a relative date this article's day cannot resolve: cut it out
            cut = drop_dated_clause(trim_connective(candidate.text))
            text = resolve(cut, written) if cut else None
        if text is None:
            previous = None
            continue
        problem = standalone_problem(text)
        follows = (
            previous is not None
            and previous.ref == candidate.ref
            and previous.position == candidate.position - 1
        )
        if problem == "opens with a pronoun" and follows and previous is not None:
            passage = f"{previous.text} {text}"
            if (
                len(passage) <= max_passage and standalone_problem(passage) is None
            ):  # the passage replaces its first sentence
                kept[-1] = dataclasses.replace(previous, text=passage)
            previous = None
            continue
        if problem:
            previous = None
            continue
        chosen = dataclasses.replace(candidate, text=text)
        kept.append(chosen)
        previous = chosen
    return kept


def _headline(lead: Article, written: str | None) -> tuple[str, str | None]:
    """The lead article's title, or its first heading when the title is only its lede.

    Returns the headline and, when it is a shown sentence, that sentence's normal form.
    """
    lede = next((p.text for p in lead.paragraphs if not p.heading), "")
    if not lede.startswith(lead.title.rstrip("…")):
        return lead.title, None
    # One heading inside an untitled article is its headline; several are its sections.
    headings = [p.text for p in lead.paragraphs if p.heading and len(p.text.split()) >= 5]
    if len(headings) == 1 and len([p for p in lead.paragraphs if p.heading]) == 1:
        return headings[0], None
    return "", None  # the lede says it; a cut copy of it above would say it twice


def build_story(
    members: Sequence[Article],
    dates: dict[str, Dated],
    relevance: dict[str, float],
    words: frozenset[str],
    keywords: Sequence[Keyword],
    shown: set[str],
    details_wanted: int = STORY_DETAILS,
) -> Story:
    """One story: lead article first, lede, figures, quotes and dated happenings.

    ``shown`` holds the normal form of every sentence the briefing shows already; a story
    adds its own, so that no sentence is shown twice in one briefing.
    """
    story_date = _story_date(members, dates)
    ordered = sorted(
        members, key=lambda a: (-attribution_score(a), -relevance.get(a.key, 0.0), a.key)
    )
    lead = ordered[0]
    written = {a.key: dates[a.key].iso or story_date.iso for a in ordered}
    # The lead's sentences weigh most: the summary ranks by relevance first.
    weights = {a.key: (2.0 if a is lead else 1.0) for a in ordered}
    candidates = [
        c
        for a in ordered
        for c in shown_candidates(a, weights[a.key], words, written[a.key])
        if normal(c.text) not in shown
    ]
    headline, _ = _headline(lead, written[lead.key])
    if headline:  # a sentence that says what the headline says is not shown under it
        candidates = [c for c in candidates if fuzz.token_set_ratio(c.text, headline) < 90]
    # Most telling first (the inverted pyramid): a screen short of room shows the top two.
    lede = pick_lede(candidates, lead, keywords)
    # Told in the order the reporter wrote them: "a collective in Jalisco …" comes before
    # "In the state with the highest number of missing persons, the collective …".
    lede.sort(key=lambda c: (c.article is not lead, c.article.key, c.position))
    shown.update(normal(c.text) for c in lede)
    rest = [c for c in candidates if normal(c.text) not in shown]
    as_of = {a.key: written[a.key] for a in ordered}
    facts: list[Fact] = []
    for fact in summarize.facts(rest, as_of):
        if normal(fact.text) in shown or len(facts) == STORY_FACTS or not _telling(fact):
            continue
        facts.append(fact)
        shown.add(normal(fact.text))
    quotes = pick_quotes(ordered, words, written, shown, told_by(lede), keywords)
    happenings = _dated(rest, shown)
    told = {word for c in lede for word in _informative(c.text)}
    # One voice once: whoever the story quotes is heard in their own words, not also in a
    # detail that reports what they said ("Mayor Clara Brugada said that …").
    more = [
        c
        for c in candidates
        if normal(c.text) not in shown and not _reports_speech_of(c.text, quotes)
    ]
    details = pick_lede(more, lead, keywords, details_wanted, told)
    details.sort(key=lambda c: (c.article is not lead, c.article.key, c.position))
    shown.update(normal(c.text) for c in details)
    story_id = hashlib.blake2s(
        "|".join(a.key for a in ordered).encode(), digest_size=5
    ).hexdigest()
    return Story(
        id=story_id,
        date=story_date.iso,
        date_inferred=story_date.inferred,
        headline=headline,
        articles=tuple(a.key for a in ordered),
        lede=tuple(Sentence(c.text, c.ref) for c in lede),
        facts=tuple(facts),
        quotes=tuple(quotes),
        dates=tuple(happenings),
        details=tuple(Sentence(c.text, c.ref) for c in details),
    )


def _reports_speech_of(text: str, quotes: Sequence[Quote]) -> bool:
    """Whether the sentence tells what a quoted speaker said or explained."""
    for quote in quotes:
        surname = re.escape(quote.speaker.split()[-1])
        if re.search(rf"\b{surname}\s+(?:said|says|explained|added|stated)\b", text):
            return True
    return False


# "Mexico has more than 2,400 municipalities.": a standing count, the background of a
# comparison, not a figure of the news.
_STANDING_COUNT = re.compile(
    r"^[A-Z][\w’'-]*(?:\s[A-Z][\w’'-]*)?\s(?:has|have)\s(?:more than |over |about |nearly )?\d"
)


def _telling(fact: Fact) -> bool:
    """A key figure is a count of some size, a share or an amount, not '10' of a lede, nor
    a place's standing count."""
    if _STANDING_COUNT.match(fact.text) and len(fact.text.split()) <= 8:
        return False
    value = fact.value
    if re.search(r"%|percent|million|billion|thousand|\$|,\d{3}", value, re.I):
        return True
    number = _number(value)
    return number is not None and number >= 100


def _informative(text: str) -> set[str]:
    """What a sentence tells: the names, numbers and days in it."""
    plain = strip_markers(text)
    found = set(re.findall(r"(?<!^)(?<![.!?”] )\b[A-Z][\w’'-]{2,}", plain)) - _NOT_NAMES
    found |= set(re.findall(r"\d[\d,.]*", plain))
    # counts written out ("Three people … were shot dead") tell as much as digits
    found |= {w.lower() for w in re.findall(_COUNT_WORDS, plain, flags=re.I)}
    found |= set(re.findall(r"⟦([^⟧]+)⟧", text))
    return found


_COUNT_WORDS = r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?)\b"


def _lede_score(
    c: summarize.Candidate, lead: Article, told: set[str], keywords: Sequence[Keyword] = ()
) -> float:
    """Where the sentence stands in its article, what it adds to what is told, and how
    squarely it is on the topic."""
    place = 1.5 if c.position == 1 else 0.75 if c.position <= 3 else 0.25
    lead_bonus = 1.0 if c.article is lead else 0.0
    new = len(_informative(c.text) - told)
    words = Words.of(c.text)
    on_topic = min(sum(1 for k in keywords if words.hits(k)), 3)
    return place + lead_bonus + 0.35 * min(new, 4) + 0.5 * on_topic - 0.02 * c.position


def pick_lede(
    candidates: Sequence[summarize.Candidate],
    lead: Article,
    keywords: Sequence[Keyword],
    count: int = LEDE_SENTENCES,
    told: set[str] | None = None,
    *,
    require_new: bool = True,
) -> list[summarize.Candidate]:
    """2–3 sentences that tell the most between them, the lead article's lede first.

    Greedy, like maximal marginal relevance: each next sentence is scored by where it
    stands in its article and by the names, numbers and days it adds to those chosen.
    With ``require_new`` a sentence adding no name, number or day is passed over; details
    take it last ("The government has said the extraditions were legal …" names no one
    new, yet is the government's answer).
    """
    prose = [c for c in candidates if summarize.is_prose(split_sentences(c.text)[0])]
    chosen: list[summarize.Candidate] = []
    told = set() if told is None else told
    while prose and len(chosen) < count:
        best = max(prose, key=lambda c: (_lede_score(c, lead, told, keywords), -c.ref.line))
        prose = [
            c
            for c in prose
            if c is not best and fuzz.token_set_ratio(c.text, best.text) < summarize.NEAR_DUPLICATE
        ]
        if require_new and told and not _informative(best.text) - told:
            continue  # tells nothing new; a sentence after it still may
        chosen.append(best)
        told |= _informative(best.text)
    return chosen


def whole_quote(text: str, limit: int = 300) -> str | None:
    """The quote, or its most telling whole sentence when it runs to several.

    A quote is shown as one whole sentence of the speaker's own, never cut mid-clause.
    """
    sentences = [
        s.strip('“”"‘’ ').rstrip(",")
        for s in split_sentences(text)
        if len(s.split()) >= 8 and len(s) <= limit
    ]
    sentences = [s for s in sentences if s and s[-1] in ".!?" and not s.startswith("…")]
    if len(split_sentences(text)) == 1 and len(text) <= limit:
        # one sentence the attribution ended ("…, that they haven’t received any reports,")
        whole = text.strip('“”"‘’ ').rstrip(",")
        # "… We are exploring …": words left out before a sentence that is whole
        opens = not whole.startswith("…") or re.match(r"…\s*[A-Z]", whole) is not None
        return whole if len(whole.split()) >= 8 and opens else None
    if not sentences:
        return None
    return max(sentences, key=lambda s: (len(_informative(s)), -sentences.index(s)))


def told_by(sentences: Sequence[summarize.Candidate]) -> set[str]:
    return {word for c in sentences for word in _informative(c.text)}


def pick_quotes(
    articles: Sequence[Article],
    words: frozenset[str],
    written: dict[str, str | None],
    shown: set[str],
    told: set[str],
    keywords: Sequence[Keyword] = (),
) -> list[Quote]:
    """The quotes that add most to what the story tells, one a speaker first.

    Each is one whole sentence of the speaker's, its relative dates resolved, and not
    already inside a sentence shown.
    """
    found: list[Quote] = []
    for quote in summarize.quotes(candidates_for_quotes(articles, words)):
        whole = whole_quote(quote.text)
        key = f"{quote.source.document}#{quote.source.article}"
        text = resolve(whole, written[key]) if whole else None
        if text is None or any(normal(text) in s or s in normal(text) for s in shown):
            continue
        if all(normal(text) != normal(q.text) for q in found):
            found.append(dataclasses.replace(quote, text=text))
    chosen: list[Quote] = []
    told = set(told)
    while found and len(chosen) < STORY_QUOTES:
        speakers = {q.speaker for q in chosen}
        best = max(
            found,
            key=lambda q: (
                q.speaker not in speakers,
                min(len(_informative(q.text) - told), 3)
                + sum(1 for k in keywords if Words.of(q.text).hits(k)),
                -q.source.line,
            ),
        )
        found.remove(best)
        if best.speaker in speakers:
            break  # one quote a speaker: the rest are all by speakers quoted already
        chosen.append(best)
        told |= _informative(best.text)
        shown.add(normal(best.text))
    return sorted(chosen, key=lambda q: (q.source.document, q.source.line))


def candidates_for_quotes(
    articles: Sequence[Article], words: frozenset[str]
) -> list[summarize.Candidate]:
    """Every sentence (quotes are found in whole paragraphs, standalone or not)."""
    return [c for a in articles for c in summarize.sentences_of(a, 1.0, words)]


def _dated(candidates: Sequence[summarize.Candidate], shown: set[str]) -> list[TimelineEntry]:
    """What happened on which day: sentences that name a day, resolved or written out."""
    entries: list[TimelineEntry] = []
    for c in candidates:
        if len(entries) == STORY_DATES:
            break
        day = _day_of(c.text)
        if day is None or normal(c.text) in shown or len(strip_markers(c.text)) > 240:
            continue
        if any(fuzz.token_set_ratio(c.text, e.text) >= summarize.NEAR_DUPLICATE for e in entries):
            continue
        entries.append(TimelineEntry(date=day, text=c.text, source=c.ref))
        shown.add(normal(c.text))
    return sorted(entries, key=lambda e: (e.date, e.source.line))


def _day_of(text: str) -> str | None:
    marker = re.search(r"⟦(\d{4}-\d{2}-\d{2})⟧", text)
    if marker:
        return marker.group(1)
    for mention in find_dates(text):
        if mention.day is not None and mention.year is not None:
            return mention.iso()
    return None


def background(
    articles: Sequence[Article],
    relevance: dict[str, float],
    words: frozenset[str],
    keywords: Sequence[Keyword],
    shown: set[str],
) -> tuple[list[Sentence], list[TimelineEntry]]:
    """History and explainers: a few sentences and the years they write out."""
    candidates = [
        c
        for a in articles
        for c in shown_candidates(a, relevance.get(a.key, 0.0), words, None)
        if normal(c.text) not in shown
    ]
    chosen = summarize.summary(candidates, keywords)
    shown.update(normal(c.text) for c in chosen)
    rest = [c for c in candidates if normal(c.text) not in shown and len(c.text) <= 220]
    years = [e for e in summarize.timeline(rest) if not e.text.endswith("…")]
    shown.update(normal(e.text) for e in years)
    return [Sentence(c.text, c.ref) for c in chosen], years


def one_count_once(facts: Sequence[Fact]) -> list[Fact]:
    """Drop a figure that repeats one already kept ("nearly 100" after "92")."""
    kept: list[Fact] = []
    for fact in facts:
        if any(_same_count(fact, other) for other in kept):
            continue
        kept.append(fact)
    return kept


_APPROXIMATE = re.compile(r"^(?:more than|over|nearly|about|approximately|almost|up to|at least)")


def _same_count(a: Fact, b: Fact) -> bool:
    x, y = _number(a.value), _number(b.value)
    if x is None or y is None or _scale(a.value) != _scale(b.value):
        return False
    close = abs(x - y) <= 0.1 * max(x, y)
    return close and bool(
        _APPROXIMATE.match(a.value.lower()) or _APPROXIMATE.match(b.value.lower())
    )


def _number(value: str) -> float | None:
    digits = re.sub(r"[^\d.]", "", value.split()[-1] if value.split() else "")
    match = re.search(r"\d[\d,]*(?:\.\d+)?", value)
    if not match:
        return None
    try:
        return float(match.group().replace(",", ""))
    except ValueError:
        return float(digits) if digits else None


def _scale(value: str) -> str:
    match = re.search(r"%|percent|million|billion|thousand", value, re.I)
    return match.group().lower() if match else ""


def quotes_with_roles(quotes: Sequence[Quote], articles: dict[str, Article]) -> list[Quote]:
    """Each quote's speaker with the role the article gives them, when it gives one."""
    return [
        dataclasses.replace(
            q, role=speaker_role(q.speaker, articles[f"{q.source.document}#{q.source.article}"])
        )
        for q in quotes
    ]


_TITLE_WORDS = re.compile(
    r"\b(?:President|Minister|Mayor|Governor|Secretary|Director|Professor|Analyst|Rep\.|"
    r"Deputy|General|Attorney|Senator|Chief|Ambassador|Spokes\w+|Head|Leader|Lawyer)\b"
)


def speaker_role(speaker: str, article: Article) -> str | None:
    """'Clara Brugada' -> 'Mayor of Mexico City', from how the article introduces her."""
    body = " ".join(p.text for p in article.paragraphs)
    surname = speaker.split()[-1]
    after = re.search(
        re.escape(speaker)
        + r"(?:\s*\([^)]*\))?,\s+(?P<role>(?:the |a |an )?(?:U\.S\.|[^,.:;“\"]){4,90})[,.:]",
        body,
    )
    if (after and not after.group("role")[0].isupper()) or (
        after and _TITLE_WORDS.search(after.group("role"))
    ):
        role = after.group("role").strip()
        relative = RELATIVE.search(role)
        if relative:  # "… extradited to the U.S. last year": the role, not when
            role = role[: relative.start()].rstrip(" ,")
        if len(role.split()) <= 12 and not re.match(r"(?:who|which|that|said|says)\b", role):
            return re.sub(r"^(?:the|a|an)\s+", "", role)
    before = re.search(
        r"(?P<role>(?:(?:[A-Z][\w.’'-]*|of|the)\s+){1,6})"
        + r"(?:[A-Z][\w’'-]+\s+){0,2}"
        + re.escape(surname)
        + r"\b",
        body,
    )
    if before and _TITLE_WORDS.search(before.group("role")):
        words = before.group("role").split()
        while words and words[0] in ("The", "the", "of", "Mexico’s", "Mexico's"):
            words = words[1:]
        while words and not _TITLE_WORDS.search(words[-1]) and words[-1] not in speaker:
            if words[-1] in ("of", "the"):
                break
            words = words[:-1]
        role = " ".join(w for w in words if w not in speaker.split())
        role = re.split(r"(?<!U\.S)(?<!Rep)\.\s+", role)[-1]
        if role and _TITLE_WORDS.search(role):
            return role
    return None


def written_before(built: Sequence[Story], events: dict[str, list[Event]]) -> str | None:
    """The day undated news was written before: an article announcing listings was written
    before the first of them. The newest news is as late as the latest story's bound; a
    story that announces nothing could be from any day of its year, so then there is none.
    """
    bounds = []
    for story in built:
        starts = [e.start[:10] for key in story.articles for e in events.get(key, [])]
        if not starts:
            return None
        bounds.append(min(starts))
    return max(bounds, default=None)
