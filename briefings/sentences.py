"""Sentence splitting that knows news abbreviations ("U.S.", "Feb.", "p.m.", "Av.")."""

from __future__ import annotations

import functools
import re

_ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof gen rep sen gov lt col sgt st av ave prol jr sr inc ltd co corp vs "
        "no dept est approx jan feb mar apr jun jul aug sep sept oct nov dec a.m p.m u.s u.n "
        "e.g i.e etc fla calif tex ariz"
    ).split()
)
_BOUNDARY = re.compile(r"(?<=[.!?…])([\"”’)\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9¿¡])")
_OPENING_ELLIPSIS = re.compile(r"^[“\"‘]?\s*…$")


@functools.lru_cache(maxsize=1 << 18)
def split_sentences(text: str) -> tuple[str, ...]:
    """Split a paragraph into sentences; never empty for non-empty text.

    Cached: every stage of the compiler reads the same paragraphs.
    """
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start()
        candidate = text[start:end]
        if _OPENING_ELLIPSIS.match(candidate.strip()):
            continue  # "“… We are exploring": the quote resumes, nothing ended
        token = candidate.rsplit(None, 1)[-1] if candidate.split() else ""
        word = token.rstrip(".").lstrip('("“‘').lower()
        if token.endswith(".") and not match.group(1):
            if word == "no" and not text[match.end() : match.end() + 1].isdigit():
                pass  # "She said no. The …" ends a sentence; "No. 5" does not
            elif word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word):
                continue  # "U.S. Attorney", "Feb. 2", "S. Truman"
            if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word) or word.endswith("-fla"):
                continue
        sentences.append(text[start : match.end(1)].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return tuple(sentences) or (text.strip(),)
