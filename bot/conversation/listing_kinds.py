"""What kind of outing a listing is, read from the listing's own words.

A reader filters by kind (``/events music``, ``/events exposiciones``); the catalog has no
kind field, and inventing one would be a claim the sources don't make. So a listing is of
a kind when its title, first sentence, venue or notes use that kind's words ("Moscow State
Ballet" is dance, "Jazz Room … an intimate bar" is music and nightlife). The words are
matched on accent-folded text, whole words only, so "art" is not found in "party".

Two vocabularies: :data:`LISTING_WORDS` (how copy describes a listing) and
:data:`READER_WORDS` (what a reader types, in English and Spanish).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from briefings.model import Event
from briefings.topics import fold

# kind id -> a short code for buttons (callback data is 64 bytes).
KIND_CODES = {
    "music": "mu",
    "dance": "da",
    "art": "ar",
    "family": "fa",
    "sports": "sp",
    "festival": "fe",
    "nightlife": "ni",
}

# Word stems as regular expressions over folded text; each must match whole words.
LISTING_WORDS: dict[str, str] = {
    "music": (
        r"music\w*|musica\w*|musical\w*|jazz|blues|concerts?|conciertos?|bands?|singers?|"
        r"synth\w*|albums?|orchestr\w*|orquesta\w*|symphon\w*|sinfonic\w*|opera|gigs?|djs?|"
        r"mariachi\w*|rock|pop"
    ),
    "dance": r"ballet\w*|danza\w*|dancers?|choreograph\w*|coreograf\w*|folklorico\w*",
    "art": (
        r"art|arts|arte|artwork\w*|artists?|artistic\w*|exhibit\w*|exposicion\w*|"
        r"exhibicion\w*|museums?|museos?|galler\w*|galeria\w*|installations?|paintings?|"
        r"sculptur\w*"
    ),
    "family": (
        r"famil\w*|kid-friendly|for (?:kids|children)|all ages|ninos|infantil\w*|"
        r"para toda la familia"
    ),
    "sports": (
        r"sports?|deportes?|deportiv\w*|exercise|ejercicio|marathons?|maraton\w*|cycling|"
        r"ciclis\w*|bikes?|bicycl\w*|pedal\w*|skat\w*|soccer|futbol|football|baseball|"
        r"beisbol|boxing|wrestling|lucha libre"
    ),
    "festival": (
        r"festivals?|festivales|carnivals?|carnaval\w*|fairs?|ferias?|fiestas?|parades?|"
        r"desfiles?"
    ),
    "nightlife": (
        r"nightlife|night out|night of fun|nightclubs?|clubs?|bars?|antros?|cantinas?|"
        r"rooftop|vida nocturna|after hours|cocktails?|cocteles"
    ),
}
_LISTING_PATTERNS = {
    kind: re.compile(rf"(?<![\w-])(?:{words})(?![\w-])") for kind, words in LISTING_WORDS.items()
}

# What a reader types for each kind, folded: English and Spanish, singular and plural.
READER_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "music",
            "musica",
            "concert",
            "concerts",
            "concierto",
            "conciertos",
            "gigs",
            "live music",
        ],
        "music",
    ),
    **dict.fromkeys(
        ["ballet", "dance", "dancing", "danza", "baile", "bailar", "ballet/dance"], "dance"
    ),
    **dict.fromkeys(
        [
            "art",
            "arts",
            "arte",
            "exhibition",
            "exhibitions",
            "exhibit",
            "exhibits",
            "exposicion",
            "exposiciones",
            "expo",
            "expos",
            "museum",
            "museums",
            "museo",
            "museos",
            "gallery",
            "galleries",
            "art/exhibitions",
        ],
        "art",
    ),
    **dict.fromkeys(
        ["family", "families", "kids", "children", "familia", "familias", "familiar", "ninos"],
        "family",
    ),
    **dict.fromkeys(["sport", "sports", "deporte", "deportes", "deportivo"], "sports"),
    **dict.fromkeys(
        [
            "festival",
            "festivals",
            "festivales",
            "fair",
            "fairs",
            "feria",
            "ferias",
            "carnival",
            "carnivals",
            "carnaval",
            "carnavales",
        ],
        "festival",
    ),
    **dict.fromkeys(
        ["nightlife", "night out", "vida nocturna", "bars", "antros", "clubs", "nocturno"],
        "nightlife",
    ),
}


def listing_words(event: Event) -> str:
    """The listing's own words that say what it is, folded."""
    parts: Iterable[str] = (event.title, event.summary, event.venue or "", *event.notes)
    return fold(" ".join(parts))


def kinds_of(event: Event) -> frozenset[str]:
    """Every kind whose words the listing uses."""
    text = listing_words(event)
    return frozenset(kind for kind, pattern in _LISTING_PATTERNS.items() if pattern.search(text))
