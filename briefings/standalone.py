"""Whether a sentence can be shown on its own, away from the sentences around it.

A briefing lifts sentences out of articles. A sentence that opens with a connective
("Moreover", "However", "Examples include") or with a pronoun whose antecedent stayed in
the article ("He said", "This cell", "It was only 30 years later") misleads when shown
alone; one cut mid-clause ("…speeches to…") says less than its source; one that dates
something relative to a day it does not name ("on Sunday") reads as if it were today.
The compiler keeps such sentences out, and the catalog checks (tests/fuzz) hold every
build to the same rules through :func:`standalone_problem`.
"""

from __future__ import annotations

import re

from briefings.relative import has_relative_date, strip_markers

_CONNECTIVES = (
    "moreover|however|indeed|thus|still|also|meanwhile|instead|of course|in fact|in addition|"
    "later|then|even so|for starters|crucially|critically|furthermore|additionally|besides|"
    "nevertheless|nonetheless|therefore|hence|consequently|accordingly|otherwise|likewise|"
    "similarly|finally|overall|in any case|in response|on a final note|despite this|"
    "despite that|after that|afterwards|as a result|in turn|on the other hand|by contrast|"
    "in contrast|for example|for instance|examples include|one such example|such|and|but|or|"
    "so|yet|that same year|the following year|the same year|the next year|the former|"
    "the latter|both|either|neither|another|other"
)
_OPENER = re.compile(rf"^(?:{_CONNECTIVES})\b", re.IGNORECASE)
_PRONOUN = re.compile(
    r"^(?:he|she|they|it|this|these|those|that|his|her|their|its|him|them)\b",
    re.IGNORECASE,
)
# What a definite noun phrase points back to: "The study noted", "The statement said".
_BACK_REFERENCE = re.compile(
    r"^The (?:study|statement|report|post|video|decision|move|project|plan|group|two|"
    r"former|latter|same|above|following|case|complaint|announcement)\b"
)
# An opening phrase that points back: "In another, an image of …" (another video, of the
# sentence before), "In this case", "Unlike them".
_BACK_OPENING = re.compile(
    r"^(?:In|On|At|For|By|From|With|Of|Among|Unlike|Like)\s+(?:another|the other|others|"
    r"the latter|the former|this|that|these|those|such|it|them)\b",
    re.IGNORECASE,
)
# A noun that stands for what the sentence before told: "The Mexican president's stance
# introduces a new friction point" (which stance?).
_POINTING_NOUN = re.compile(
    r"^The [\w .-]{1,40}[’']s (?:stance|move|decision|remarks|comments|position|response|"
    r"announcement|pledge|plan)\b"
)
# "Authorities subsequently located the vehicle": after what? "Vizsla Silver also
# announced …": as well as what? The sentence before.
_SEQUENCED = re.compile(
    r"^(?:[A-Z][\w’'-]*\s){1,3}(?:subsequently|thereafter|afterwards|then|later|also)\b"
)
# "announced the decision over the weekend": which decision? One the sentence before told.
_POINTING_OBJECT = re.compile(
    r"\b(?:announced|defended|explained|made|took|criticized|welcomed) the "
    r"(?:decision|move|measure|step|announcement)\b(?!\s+(?:to|that|of|on|by)\b)"
)
_CUT = re.compile(
    r"(?:…|\.\.\.|\s[.,;:]|\b(?:to|of|and|or|the|a|an|with|for|by|in|on|at|from))\s*[.…]?\s*$"
)
_WIKI_MARK = re.compile(r"\[\s*edit\s*\]", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?][”\"’)\]]*$|[”\"]$")


# Sentence adverbs an editor drops when lifting a sentence whose subject follows them:
# "Indeed, Mexico’s state oil company, Pemex, canceled …" stands alone without "Indeed,".
_DROPPABLE = re.compile(
    r"^(?:Indeed|Moreover|In fact|Crucially|Critically|Meanwhile|However|Furthermore|"
    r"In addition|Of course|Still|Notably|Most notably),\s+(?=[A-Z])"
)


def trim_connective(text: str) -> str:
    """The sentence without a leading sentence adverb, when what follows stands alone."""
    match = _DROPPABLE.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    return rest if opening_problem(rest) is None else text


# The phrase before a sentence's subject, and the clause after its main one: where an
# editor cuts a relative date that the article's unknown day cannot resolve.
_LEADING_PHRASE = re.compile(
    r"^(?:In|On|At|By|After|Before|During|Since|Until|Following|Later|Earlier)\b"
    r"[^,;:“”\"]{1,80},\s+(?=[A-Za-z])"
)
# "were murdered on Saturday morning in the city of Colima": the day alone, as an adverb
_WEEKDAY_ADVERB = re.compile(
    r"\s(?:on|last|this)\s(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s(?:morning|afternoon|evening|night))?(?=[\s,.])"
)
_TRAILING_CLAUSE = re.compile(
    r"(?:\s[—–]\s|,\s(?=(?:having|which|after|when|while|before|just|only)\b))"
    r"[^—–,;:“”\"]{1,120}?(?P<end>[.!?])$"
)


def drop_dated_clause(text: str) -> str | None:
    """The sentence without the opening phrase, weekday or closing clause that holds its
    relative date, when the rest is a whole sentence with none: "In her complaint filed
    Monday with the Attorney General’s Office, Guzmán accused …" -> "Guzmán accused …";
    "were murdered on Saturday morning in the city of Colima" -> "were murdered in the city
    of Colima"; "Mexico has sent 92 people … — the most recent transfer having occurred
    just two weeks ago." -> "Mexico has sent 92 people …". None when no cut leaves a
    sentence that stands.
    """
    lead = _LEADING_PHRASE.match(text)
    if lead and has_relative_date(lead.group(0)):
        rest = text[lead.end() :]
        rest = rest[0].upper() + rest[1:]  # "Later on Saturday, three people …"
        if standalone_problem(rest) is None:
            return rest
    day = _WEEKDAY_ADVERB.search(text)
    if day:
        rest = text[: day.start()] + text[day.end() :]
        if standalone_problem(rest) is None:
            return rest
    tail = _TRAILING_CLAUSE.search(text)
    if tail and has_relative_date(tail.group(0)):
        rest = text[: tail.start()]
        rest += "" if rest.endswith(tail.group("end")) else tail.group("end")  # "the U.S."
        if standalone_problem(rest) is None:
            return rest
    return None


_OPENING_PHRASE = re.compile(r"^(?:On|In|At|By|Later|Earlier|After|Before)\b[^,]{1,40},\s+")


def _after_opening_phrase(text: str) -> str:
    """'On Sunday, she said …' -> 'she said …': a date first does not name the speaker."""
    match = _OPENING_PHRASE.match(strip_markers(text))
    return strip_markers(text)[match.end() :] if match else ""


def opening_problem(text: str) -> str | None:
    """Why the sentence leans on the one before it, or None."""
    words = strip_markers(text).lstrip('“"‘ ')
    if _OPENER.match(words):
        return "opens with a connective"
    if _PRONOUN.match(words) or _PRONOUN.match(_after_opening_phrase(words)):
        return "opens with a pronoun"
    if _BACK_REFERENCE.match(words) or _BACK_OPENING.match(words) or _POINTING_NOUN.match(words):
        return "opens by pointing back"
    if _SEQUENCED.match(words):
        return "follows on from the sentence before"
    if _POINTING_OBJECT.search(words):
        return "points back to what it does not say"
    return None


def cut_problem(text: str) -> str | None:
    """Why the sentence is not whole, or None."""
    plain = strip_markers(text).rstrip()
    if not plain or (not plain[0].isupper() and plain[0] not in '“"‘¿¡'):
        return "does not start a sentence"
    if _CUT.search(plain) or not _TERMINAL.search(plain):
        return "cut mid-clause"
    if plain.count("“") != plain.count("”") or plain.count('"') % 2:
        return "a quotation opened or closed in another sentence"
    if _WIKI_MARK.search(plain):
        return "a scraped page's markup"
    return None


def standalone_problem(text: str) -> str | None:
    """Why ``text`` cannot be shown on its own, or None when it can."""
    if has_relative_date(text):
        return "an unresolved relative date"
    return opening_problem(text) or cut_problem(text)


def same_sentence(a: str, b: str) -> bool:
    """Two shown items that are the same sentence (markers and case aside)."""
    return _normal(a) == _normal(b)


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", strip_markers(text)).strip().lower()


def normal(text: str) -> str:
    """The form two items are compared in to find a sentence shown twice."""
    return _normal(text)
