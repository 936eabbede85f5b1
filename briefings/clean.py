"""Stage 2: turn a raw article into a clean one, keeping what the junk told us as metadata.

Scraped news pages carry a lot that must never reach a reader: photo captions, embedded
social posts (and the Spanish post text above them), repeated SEO title lines, site-name
lines, comment/share footers, author bios, wiki "[ edit ]" marks and footnote numbers.
Captions, bylines and datelines become metadata; the rest is dropped.

Some sentences lost words when the page was scraped ("InCuba was expelled", "an estimated
14, Cubans", "the U. Relations"). They are repaired only where the repair is unambiguous
(a link glued to the word before it: "fromTicketNow"); otherwise :func:`damage` names the
problem and the summarizer keeps those sentences out of briefings.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from briefings.dates import MONTHS
from briefings.model import Article, Paragraph
from briefings.segment import (
    Line,
    RawArticle,
    is_byline,
    is_heading,
    is_listing_field,
    split_caption,
    visible_text,
)

_SOCIAL_SIGNATURE = re.compile(r"^[—–-]\s*.{1,80}\(@\w{1,30}\)\s+\w+\.? \d{1,2}, \d{4}$")
_SOCIAL_MARKS = re.compile(r"pic\.twitter\.com/|^#\w|https?://t\.co/|(?:^|\s)@\w+\b.*…$")
_SITE_TITLE = re.compile(r"(\s[|–—-]\s*[\w .]{2,40})?\s*\|\s*$|\s[-–—]\s(Wikipedia|Xinhua)\s*\|?$")
_FOOTER = re.compile(
    r"^(Share(?: this)?:?|This Post Has \d+ Comments?|No comments yet\.?.*"
    r"|Leave a (?:Reply|Comment)|Comments? \(\d+\)|Related(?: posts| articles)?:?|Tags?:.*)$",
    re.IGNORECASE,
)
_BIO = re.compile(
    r"\b(?:Her|His|Their) (?:blog|website|newsletter|podcast)\b|\bis a (?:freelance )?"
    r"(?:writer|journalist|reporter) (?:based|living)\b"
)
_WIKI_EDIT = re.compile(r"^.{0,120}?\[\s*edit\s*\]\s*")
_FOOTNOTE = re.compile(r"\s?\[\d{1,3}\]")
_DATELINE = re.compile(
    r"^(?P<place>[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .'-]{2,40}),\s+"
    r"(?P<date>[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)\s+[—–-]+\s+"
)
_BYLINE_PARTS = re.compile(r"^By\s+(?P<name>[^|,]+?)\s*(?:[|,]\s*(?P<role>.+))?$")

_SPANISH = frozenset(
    (
        "de la el que en los del se las por un una con para es al lo como más pero sus le ya o "
        "fue este esta entre cuando muy sin sobre también hasta desde donde durante todo nos "
        "han ha mi su y a"
    ).split()
)
_ENGLISH = frozenset(
    (
        "the of and to in is was for on that with as by at from it his her are were be has have "
        "this which who an or not but their they she he will would"
    ).split()
)

# Glue that lost words: a preposition that normally takes a year, stuck to a name.
_LOST_YEAR_GLUE = re.compile(r"\b(?:[Ii]n|of|since|until|during|by)(?=[A-Z][a-z])")
_LOST_YEAR_BEFORE_CLAUSE = re.compile(r"\bin (?=(?:It|The|This|He|She|They|We)\b)")
_LOST_THOUSANDS = re.compile(r"(?<![\d.,–-])\b\d{1,3}, (?=[a-z]*[A-Za-z]{3,})")
# Search-snippet stitching: a preposition or article straight before a conjunction.
_STITCHED = re.compile(
    r"\b(?:with|of|the|to|a|an|from|for|in|on|at|by) (?:and|or|but|although)\b|\w'\.$"
)
_TRUNCATED_US = re.compile(r"\bU\.(?!\s?S\.|N\.|K\.)")
_FOOTNOTE_GLUE = re.compile(r"\b[A-Za-z]{3,}?(?:and|was|were|prime|following|which|who)\b")
# Glue that lost nothing but a space: a link's text stuck to the word before it.
_LINK_GLUE = re.compile(r"\b(from|at|via|on|visit|see)(?=[A-Z][a-z]+[A-Z]?\w*)")
_PAREN_GLUE = re.compile(r"(?<=[a-z])\((?=[A-Z]{2,6}\))")

_TRAILING_MONTHS = tuple(MONTHS)
TITLE_LIMIT = 160
_WORDY = re.compile(r"[^\W_]")  # a letter or a digit: a title says something


def language_of(text: str) -> str:
    """'es', 'en' or '' by counting function words; enough to tell a post from the copy.

    Spanish names in English copy ("Av. 16 de Septiembre", "Luz de Esperanza") bring a few
    Spanish words, so a language must clearly outnumber the other to count.
    """
    words = re.findall(r"[a-záéíóúñü]+", text.lower())
    spanish = sum(w in _SPANISH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if spanish >= 3 and spanish >= 2 * english:
        return "es"
    if english >= 2 and english >= spanish:
        return "en"
    return ""


def dominant_language(lines: Sequence[Line]) -> str:
    """The language most of an article is written in ('en' when it cannot tell)."""
    counts = {"en": 0, "es": 0}
    for line in lines:
        language = language_of(line.text)
        if language:
            counts[language] += len(line.text.split())
    return "es" if counts["es"] > counts["en"] else "en"


def is_social_post(text: str) -> bool:
    return bool(_SOCIAL_SIGNATURE.match(text) or _SOCIAL_MARKS.search(text))


def is_site_title(text: str) -> bool:
    return bool(_SITE_TITLE.search(text))


def is_footer(text: str) -> bool:
    return bool(_FOOTER.match(text.strip()))


_MARKUP_SIGNS = frozenset("<&*_[`#>")
# The elements a scraped news page leaves behind. Only these are tags: "<Mexico City>" in a
# sentence is words in angle brackets, kept (the renderer escapes them).
HTML_TAG_NAMES = frozenset(
    """a abbr article aside audio b blockquote body br button caption center cite code del
    details dd div dl dt em embed figcaption figure font footer form h1 h2 h3 h4 h5 h6 head
    header hr html i iframe img input ins label li link main mark meta nav noscript ol p
    picture pre q s script section small source span strong style sub summary sup table
    tbody td tfoot th thead time title tr u ul video""".split()
)
_TAG_NAMES = "|".join(sorted(HTML_TAG_NAMES, key=len, reverse=True))
_HTML_TAG = re.compile(
    rf"<!--.*?(?:-->|$)|</?(?:{_TAG_NAMES})(?=[\s/>])(?:\s[^<>]*)?/?>", re.IGNORECASE
)
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_MARKDOWN = (
    (re.compile(r"!?\[([^\]\n]+)\]\([^)\s]+\)"), r"\1"),  # [words](link) -> words
    (re.compile(r"\*\*(\S(?:[^*]*\S)?)\*\*|__(\S(?:[^_]*\S)?)__"), r"\1\2"),  # **bold**
    (re.compile(r"```|`([^`]+)`"), r"\1"),  # code fences and `code`
    (re.compile(r"^(?:#{1,6}|>)\s+"), ""),  # a heading's or a quotation's mark
)


def strip_markup(text: str) -> str:
    """HTML and Markdown a scraper left in a line -> the words they wrapped.

    Tags and comments go, entities are decoded (``&amp;amp;`` as often as it was escaped),
    Markdown links, emphasis, code and heading marks leave their words behind.
    """
    if _MARKUP_SIGNS.isdisjoint(text):
        return text
    text = _HTML_TAG.sub(" ", text)
    while (decoded := _HTML_ENTITY.sub(lambda m: html.unescape(m.group()), text)) != text:
        text = _HTML_TAG.sub(" ", decoded)
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return visible_text(text)  # a decoded entity may be a control or zero-width character


def repair(text: str) -> str:
    """Unambiguous fixes only: markup, footnote marks, wiki edit marks, link text glued to
    a word."""
    text = strip_markup(text)
    text = _WIKI_EDIT.sub("", text) if "[ edit ]" in text or "[edit]" in text else text
    text = _FOOTNOTE.sub("", text)
    text = _LINK_GLUE.sub(r"\1 ", text)
    text = _PAREN_GLUE.sub(" (", text)
    text = re.sub(r"(?<=\w)\.com(?=[a-z])", ".com ", text)
    return re.sub(r"\s{2,}", " ", text).strip()


@functools.lru_cache(maxsize=1 << 18)
def damage(sentence: str, vocabulary: frozenset[str] = frozenset()) -> str | None:
    """Why a sentence lost words in scraping, or None when it reads whole.

    ``vocabulary`` (lower-case words seen on their own in the corpus) tells a footnote
    glue such as "Guevaraand" from an ordinary word such as "Island".
    """
    if _LOST_YEAR_GLUE.search(sentence):
        return "a year was lost before a name"
    if _LOST_YEAR_BEFORE_CLAUSE.search(sentence):
        return "a year was lost before a new clause"
    if (
        _LOST_THOUSANDS.search(sentence)
        and not _follows_month(sentence)
        and not _is_apposition(sentence)
    ):
        return "the digits of a number were lost"
    if _STITCHED.search(sentence):
        return "fragments of different sentences were stitched together"
    if _TRUNCATED_US.search(sentence):
        return "'U.S.' and what followed it were cut"
    for match in _FOOTNOTE_GLUE.finditer(sentence):
        word = match.group()
        for suffix in ("and", "was", "were", "prime", "following", "which", "who"):
            stem = word[: -len(suffix)]
            if word.lower().endswith(suffix) and len(stem) >= 3:
                if stem.lower() in vocabulary and word.lower() not in vocabulary:
                    return f"words were glued together ('{word}')"
                if suffix in ("was", "were", "following", "prime") and stem[0].isupper():
                    return f"words were glued together ('{word}')"
    return None


def _is_apposition(sentence: str) -> bool:
    """'María Eugenia Delgado Guizar, 72, and her daughter': an age set off by commas."""
    match = _LOST_THOUSANDS.search(sentence)
    return match is not None and sentence[: match.start()].endswith(", ")


def _follows_month(sentence: str) -> bool:
    match = _LOST_THOUSANDS.search(sentence)
    if match is None:
        return False
    before = sentence[: match.start()].rstrip().lower().rstrip(".").split()
    return bool(before) and before[-1] in _TRAILING_MONTHS


_COMMENT_FORM = re.compile(
    r"^(?:This Post Has \d+ Comments?|Leave a (?:Reply|Comment)|No comments yet)", re.I
)
_BLOG = re.compile(r"\b(?:blog|website|newsletter)\s+([a-z0-9-]+\.(?:com|mx|org|net))", re.I)
# "Cuba, Mexico vow to expand … - Xinhua |", "Cuba–Mexico relations - Wikipedia": the site
# a scraped page came from, as its title line names it.
_SITE_SUFFIX = re.compile(r"\s[-–—|]\s*(?P<site>[A-Z][\w.]*(?: [A-Z][\w.]*){0,3})\s*\|?\s*$")


def _outlet(lines: Sequence[Line]) -> str | None:
    """The site a page names in its title lines, if any."""
    for line in lines:
        if is_site_title(line.text) or (is_heading(line.text) and _SITE_SUFFIX.search(line.text)):
            match = _SITE_SUFFIX.search(line.text.rstrip(" |"))
            if match and len(match.group("site")) <= 40:
                return match.group("site")
    return None


def _author_from_bio(text: str) -> str | None:
    match = re.search(r"\b([A-Z][a-z]+(?: [A-Z][a-z]+){1,2}) (?:moved|is|lives|writes)\b", text)
    return match.group(1) if match else None


def _drop_repeated_titles(lines: Sequence[Line]) -> tuple[list[Line], str | None]:
    """Collapse SEO title lines: any heading repeated (even with a site suffix) goes.

    Returns the kept lines and the first such title, which names the page.
    """

    def norm(text: str) -> str:
        return _SITE_TITLE.sub("", text).strip().lower()

    headings = [
        norm(line.text) for line in lines if is_heading(line.text) or is_site_title(line.text)
    ]
    repeated: set[str] = set()
    for i, a in enumerate(headings):
        for b in headings[i + 1 :]:
            if fuzz.ratio(a, b) >= 90:
                repeated.update({a, b})
    if not repeated:
        return list(lines), None
    title = next((line.text for line in lines if norm(line.text) in repeated), None)
    kept = [line for line in lines if norm(line.text) not in repeated]
    return kept, _SITE_TITLE.sub("", title).strip() if title else None


def clean_article(raw: RawArticle) -> Article:
    """Metadata out, junk dropped, unambiguous repairs made."""
    lines = list(raw.lines)
    caption = credit = author = dateline = date_text = title = None
    first = lines[0].text if lines else ""
    parts = split_caption(first)
    if parts and parts[0]:
        caption, credit = (strip_markup(part) or None for part in parts)
        lines = lines[1:]
    # footer: everything from the first footer line on
    kind = "article"
    for i, line in enumerate(lines):
        if is_footer(line.text):
            if any(_COMMENT_FORM.match(later.text) for later in lines[i:]):
                kind = "post with a comment form"
            lines = lines[:i]
            break
    lines, seo_title = _drop_repeated_titles(lines)
    language = dominant_language(lines)
    kept: list[tuple[int, Line, bool]] = []
    embeds: list[str] = []
    outlet = _outlet(raw.lines)
    role = None
    remaining = {line.number for line in lines}
    for index, line in enumerate(raw.lines, 1):
        if line.number not in remaining:
            continue
        text = line.text
        if index + 1 <= len(raw.lines) and is_byline(raw.lines[index].text) and title is None:
            title = _SITE_TITLE.sub("", text).strip()  # the line above a byline is the title
            continue
        if is_byline(text):
            byline = _BYLINE_PARTS.match(text)
            author = strip_markup(byline.group("name") if byline else text[3:]) or None
            role = strip_markup(byline.group("role") or "") or None if byline else None
            continue
        if split_caption(text) is not None:
            continue  # an in-article photo caption or a bare credit
        if is_social_post(text) or is_site_title(text):
            embeds.append(text)
            continue
        foreign = language_of(text) not in ("", language)
        if foreign and not is_listing_field(text):
            embeds.append(text)
            continue  # an embedded post's text, in another language than the article
        if _BIO.search(text) and index >= len(raw.lines) - 1:
            author = author or _author_from_bio(text)
            blog = _BLOG.search(text)
            if blog:
                outlet = outlet or blog.group(1)
                kind = "blog post"
            continue
        match = _DATELINE.match(text)
        if match and dateline is None:
            dateline = match.group("place").title()
            date_text = match.group("date")
            text = text[match.end() :]
            text = text[0].upper() + text[1:]
        text = repair(text)
        if not text:
            continue
        kept.append((index, Line(line.number, text), is_heading(text)))
    if title is None and seo_title:
        title = seo_title[0].upper() + seo_title[1:]
    paragraphs = tuple(
        Paragraph(text=ln.text, number=i, line=ln.number, heading=h) for i, ln, h in kept
    )
    title = strip_markup(title) if title else None  # title lines are not repaired
    if not title or not _WORDY.search(title) or is_social_post(title):
        title = _title_from(paragraphs, caption)
    if len(title) > TITLE_LIMIT:  # a long line above a byline is no headline
        title = shorten_at_clause(title, TITLE_LIMIT)
    return Article(
        document=raw.document,
        number=raw.number,
        title=title,
        paragraphs=paragraphs,
        caption=caption,
        credit=credit,
        author=author,
        dateline=dateline,
        date=date_text,
        outlet=outlet,
        role=role,
        kind=kind,
        embeds=tuple(embeds),
        first_line=first,
        line=raw.lines[0].number if raw.lines else 1,
    )


def _title_from(paragraphs: Iterable[Paragraph], caption: str | None) -> str:
    """A headline for an untitled article: its lede's first sentence, kept short."""
    from briefings.sentences import split_sentences

    ledes = (split_sentences(p.text)[0] for p in paragraphs if not p.heading)
    lede = next((s for s in ledes if _WORDY.search(s)), "")
    if 0 < len(lede) <= TITLE_LIMIT:
        return lede.rstrip(". ")
    photo = split_sentences(caption)[0] if caption else ""
    if 60 <= len(photo) <= TITLE_LIMIT and photo[0] not in '“"‘':
        return photo.rstrip(". ")
    return shorten_at_clause(lede or photo or "Untitled", TITLE_LIMIT)


def shorten_at_clause(text: str, limit: int) -> str:
    """Cut a long sentence where a clause ends (", and", ", according to", …), if it can."""
    if len(text) <= limit:
        return text.rstrip(". ")
    cuts = [
        m.start() for m in re.finditer(r",\s|\s(?:and|but|while|according to)\s|\s[—–]\s", text)
    ]
    fitting = [c for c in cuts if 60 <= c <= limit - 1]
    if fitting:
        return text[: fitting[-1]].rstrip(",;: ") + "…"
    return shorten(text, limit)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut; a short text is returned as is."""
    text = text.strip()
    if len(text) <= limit:
        return text.rstrip(". ")
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—– ")
    return cut + "…"
