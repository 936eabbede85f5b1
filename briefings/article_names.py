"""A name a reader recognises an article by, for the sources page.

An article scraped without its headline gets its lede's first sentence as its title
(clean.py). Cut to fit a sources line, that sentence becomes a dangling fragment ("…denied
that she had spoken to U.S. President Donald Trump about…"). An editor names such an
article by its one in-text heading, or by its first sentence when that is short and whole,
or by that sentence up to where a clause ends. A relative date that only the article's own
day explains ("last month") names nothing, so such a phrase is not used; with no name at
all the bot says the article is untitled and lets its outlet, photo credit and date name it.
"""

from __future__ import annotations

import re

from briefings.model import Article
from briefings.relative import has_relative_date
from briefings.sentences import split_sentences

NAME_LIMIT = 130
_SHORTEST = 40  # a cut shorter than this leaves too little to recognise the article by
# Where a clause ends: before ", and …", ", according to …", ", which …", " — …"; or before
# " and " joining a second verb ("will attract … and generate …").
_COMMA_CLAUSE = re.compile(r",\s(?:and|but|while|according to|which|who|capital of)\s|\s[—–]\s")
_SECOND_VERB = re.compile(r"\sand\s(?=[a-z]+\s)")


def article_name(article: Article) -> str:
    """The article's title when it has its own; else a phrase made from it; else ""."""
    lede = next((p.text for p in article.paragraphs if not p.heading), "")
    if not lede.startswith(article.title.rstrip("…").rstrip(". ")):
        return article.title  # its own headline, or its photo's caption
    headings = [p.text for p in article.paragraphs if p.heading]
    if len(headings) == 1 and len(headings[0].split()) >= 5:
        return headings[0]  # one heading is a headline; several are its sections
    first = split_sentences(lede)[0].rstrip(". ") if lede else ""
    phrase = first if len(first) <= NAME_LIMIT else _whole_clause(first)
    return phrase if phrase and not has_relative_date(phrase) else ""


def _whole_clause(sentence: str) -> str:
    """The sentence up to the last clause end that fits, or "" when none does."""
    for pattern in (_COMMA_CLAUSE, _SECOND_VERB):
        cuts = [m.start() for m in pattern.finditer(sentence) if m.start() >= _SHORTEST]
        fitting = [cut for cut in cuts if cut <= NAME_LIMIT]
        if fitting:
            return sentence[: fitting[-1]].rstrip(",;: ")
    return ""
