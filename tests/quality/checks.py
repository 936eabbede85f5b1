"""Detectors of what spoils a shown sentence, as plain functions over plain text.

Each takes what a reader sees (a sentence, or a screen of text) and says what is wrong,
or nothing: a sentence that needs the one before it, a sentence cut mid-clause, a relative
date with no absolute date beside it, a source named by its file. :func:`shown_sentences`
finds the sentences of a rendered briefing: every sentence briefbot shows carries a
citation like ``[2 ¶5]``, so a cited stretch of a line is a sentence or several, and
headers, headlines and listing lines are left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefings.sentences import split_sentences

CITATION = re.compile(r"\s*\[(\d+) ¶(\d+)\]")
_ITEM_PREFIX = re.compile(r"^\s*•\s*")
_QUOTE_ITEM = re.compile(r"^[“\"]")

# Words that make a sentence lean on the one before it (issue 17, point 4).
CONNECTIVES = (
    "moreover",
    "however",
    "furthermore",
    "in addition",
    "additionally",
    "also",
    "indeed",
    "meanwhile",
    "still",
    "thus",
    "therefore",
    "hence",
    "nevertheless",
    "nonetheless",
    "of course",
    "in fact",
    "instead",
    "besides",
    "then",
    "later",
    "consequently",
    "as a result",
    "likewise",
    "similarly",
    "but",
    "and",
    "yet",
    "so",
    "otherwise",
    "crucially",
    "critically",
    "examples include",
    "for example",
    "for instance",
    "one such example",
    "for starters",
    "in any case",
    "despite this",
    "even so",
    "after the call",
    "it was only",
    "the former",
    "the latter",
    "that same year",
    "the following year",
    "the first time",
    "the second time",
    "in another",
    "in this",
    "unlike them",
)
PRONOUNS = (
    "he",
    "she",
    "they",
    "it",
    "this",
    "these",
    "that",
    "those",
    "his",
    "her",
    "their",
    "its",
    "them",
    "him",
    "such",
)
_OPENER = re.compile(
    r"^(?:"
    + "|".join(re.escape(w) for w in sorted(CONNECTIVES + PRONOUNS, key=len)[::-1])
    # "it's", "they've" and "she'd" lean as much as "it is".
    + r")(?=\b)(?!-)",
    re.IGNORECASE,
)

# A clause does not end on these: a sentence that does was cut.
FUNCTION_WORDS = frozenset(
    (
        "a an the and or but nor to of in on at by for with from into onto over under about "
        "as than that which who whom whose when where while if because although though "
        "his her their its our your my this these those is are was were be been has have had "
        "will would can could should may might must not very more most such including like "
        "between among during after before since until via per"
    ).split()
)
_TERMINAL = re.compile(r"[.!?][\"”’')\]]*$|[\"”’]$")
_ELLIPSIS = re.compile(r"(…|\.\.\.)[\"”’')\]]*$")
_PAIRS = (("(", ")"), ("[", "]"), ("“", "”"))

WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_RELATIVE = re.compile(
    rf"\b(?:"
    rf"(?:on |last |this |next |early |late )?(?<!every )(?<!each )(?<!first )(?<!second )"
    rf"(?<!third )(?<!fourth )(?:{WEEKDAYS})(?:'s)?(?: (?:morning|afternoon|evening|night))?"
    rf"|(?:last|this|next|earlier this|later this|past) (?:week|month|year|weekend|{MONTHS})"
    rf"|last month's|last year's|last week's"
    rf"|(?:just )?(?:\w+|\d+) (?:days?|weeks?|months?|years?) ago"
    rf"|yesterday|today|tomorrow|tonight|this morning|this afternoon|this evening"
    rf"|in recent (?:days|weeks|months)|the day before|the previous (?:day|week|month)"
    rf")\b",
    re.IGNORECASE,
)
_ABSOLUTE_AFTER = re.compile(
    r"^(?:'s)?\s*(?:\[[^\]]*\d{4}[^\]]*\]|\([^)]*\d{4}[^)]*\)"
    rf"|,?\s*(?:\d{{1,2}} (?:{MONTHS[:3]}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    rf"|(?:{MONTHS}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.? \d{{1,2}}\b))",
    re.IGNORECASE,
)
FILE_NAME = re.compile(r"\b[\w.-]+\.(?:txt|html?|md|json|csv|pdf)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Shown:
    """One sentence a reader sees, and whether the sentence before it is shown with it."""

    text: str
    follows: str | None  # the sentence right before it from the same source paragraph
    quote: bool = False  # a quote item: a speaker's own words, attributed beside them


def dangling_opener(sentence: str, previous: str | None = None) -> str | None:
    """The opening word(s) that need an earlier sentence, when none is shown before it.

    A sentence that opens with a quotation carries its own context ("“…,” she said").
    """
    if previous is not None:
        return None
    text = sentence.lstrip(" (¿¡")
    if _QUOTE_ITEM.match(text):
        return None
    found = _OPENER.match(text)
    return found.group(0) if found else None


def cut_mid_clause(sentence: str) -> str | None:
    """Why ``sentence`` was cut before its clause ended, or None when it ends whole.

    A sentence that merely lacks its full stop is :func:`unterminated`, not cut.
    """
    text = sentence.rstrip()
    if not text:
        return None
    if _ELLIPSIS.search(text):
        return "ends with an ellipsis"
    if text[-1] in ",;:-–—(":
        return f"ends with {text[-1]!r}"
    words = re.findall(r"[\w']+", text.lower())
    if words and words[-1] in FUNCTION_WORDS and not _TERMINAL.search(text):
        return f"ends with {words[-1]!r}"
    for opening, closing in _PAIRS:
        if text.count(opening) > text.count(closing):
            return f"unclosed {opening!r}"
    return None


def unterminated(sentence: str) -> bool:
    """Whether a sentence ends without a full stop, question or exclamation mark."""
    text = sentence.rstrip()
    return bool(text) and not _TERMINAL.search(text) and not _ELLIPSIS.search(text)


def unresolved_relative_dates(sentence: str) -> list[str]:
    """Relative dates ("on Sunday", "last month", "two weeks ago") with no absolute date.

    A relative date counts as resolved when an absolute date follows it right away, in
    brackets ("on Sunday [1 Feb 2026]") or as a date ("Sunday, Feb. 1").
    """
    found = []
    for match in _RELATIVE.finditer(sentence):
        if not _ABSOLUTE_AFTER.match(sentence[match.end() :]):
            found.append(match.group(0))
    return found


def file_name_sources(text: str) -> list[str]:
    """File names shown to a reader as if they were sources (``002_8f98….txt``)."""
    return FILE_NAME.findall(text)


def _key(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence.lower().replace("…", "")).strip()


def repeated_sentences(sentences: Iterable[str], *, prefix: int = 60) -> list[str]:
    """Sentences shown again in the same briefing, once per extra showing.

    A sentence cut short ("… speeches to…") repeats the whole one when it is its start
    and at least ``prefix`` characters long.
    """
    keys = [k for k in (_key(s) for s in sentences) if k]
    repeats = [k for k, n in Counter(keys).items() for _ in range(n - 1)]
    unique = sorted(set(keys), key=len)
    for index, short in enumerate(unique):
        if len(short) >= prefix and any(
            long.startswith(short) for long in unique[index + 1 :] if len(long) > len(short)
        ):
            repeats.append(short)
    return repeats


def shown_sentences(screen: str) -> list[Shown]:
    """The cited sentences of a plain-text screen, with what is shown right before each.

    A line's stretch before each citation mark is one cited item; bullet items ("• 1836 —
    …", "• 87% hotel occupancy — …") keep the text after their label; listing details
    (fields joined by " · ") are not sentences. Two items from the same paragraph of the
    same source, one after the other, read as one passage.
    """
    shown: list[Shown] = []
    for line in screen.splitlines():
        start = 0
        last_source: tuple[str, int] | None = None
        bullet = bool(_ITEM_PREFIX.match(line))
        for mark in CITATION.finditer(line):
            chunk = line[start : mark.start()]
            start = mark.end()
            source = (mark.group(1), int(mark.group(2)))
            text = _ITEM_PREFIX.sub("", chunk).strip()
            if " · " in text or not text:
                continue
            quote = False
            if bullet:
                if _QUOTE_ITEM.match(text):
                    quote = True
                    text = re.sub(r"\s+—\s+[^—]*$", "", text)  # the speaker after the quote
                elif " — " in text:
                    text = text.split(" — ", 1)[1]
            together = last_source is not None and (
                last_source[0] == source[0] and source[1] - last_source[1] in (0, 1)
            )
            previous = shown[-1].text if together and shown else None
            for sentence in split_sentences(text):
                shown.append(Shown(sentence, previous, quote))
                previous = sentence
            last_source = source
    return shown


@dataclass(frozen=True)
class Defects:
    """What spoils one briefing, each as the offending sentences or names."""

    repeats: list[str]
    openers: list[str]
    cut: list[str]
    unterminated: list[str]
    relative_dates: list[str]
    file_names: list[str]


def briefing_defects(pages: Sequence[str], sources: str = "") -> Defects:
    """Every defect of one briefing: its screens, and its sources page for file names."""
    shown = [s for page in pages for s in shown_sentences(page)]
    return Defects(
        repeats=repeated_sentences(s.text for s in shown),
        openers=[s.text for s in shown if not s.quote and dangling_opener(s.text, s.follows)],
        cut=[s.text for s in shown if cut_mid_clause(s.text)],
        unterminated=[s.text for s in shown if unterminated(s.text)],
        relative_dates=[
            f"{found}: {s.text}" for s in shown for found in unresolved_relative_dates(s.text)
        ],
        file_names=[name for text in [*pages, sources] for name in file_name_sources(text)],
    )
