"""``/timezone guadalajara`` to an IANA zone: exact names, city names, typos.

Exact IANA names are accepted in any case and checked against the installed database
(``tzdata``). People more often name a city: the city part of every canonical
``Area/City`` zone counts ("madrid", "new york"), plus places that are not IANA cities
("guadalajara", "cdmx", "barcelona", Spanish names). A near miss ("madird") is matched
with rapidfuzz and reported as a guess, so the bot can say how it read the words.
"""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo
from dataclasses import dataclass

from rapidfuzz import fuzz, process

CUTOFF = 80  # similarity (0–100) for a typo to count as a city
_ALIASES = {
    "America/Mexico_City": (
        "guadalajara zapopan tlaquepaque tonala cdmx df ciudad de mexico mexico "
        "puebla oaxaca leon queretaro toluca morelia veracruz acapulco san luis potosi"
    ),
    "America/Monterrey": "monterrey nuevo leon saltillo",
    "America/Merida": "merida yucatan",
    "America/Cancun": "cancun playa del carmen tulum quintana roo",
    "America/Tijuana": "tijuana mexicali ensenada baja california",
    "America/Mazatlan": "mazatlan culiacan la paz sinaloa",
    "America/Hermosillo": "hermosillo sonora",
    "America/Chihuahua": "chihuahua",
    "America/Havana": "havana la habana habana cuba",
    "America/New_York": "nueva york new york city nyc washington boston miami atlanta",
    "America/Chicago": "chicago houston dallas austin san antonio",
    "America/Denver": "denver",
    "America/Los_Angeles": "san francisco san diego seattle las vegas los angeles",
    "America/Toronto": "toronto montreal ottawa",
    "America/Vancouver": "vancouver",
    "America/Bogota": "bogota medellin colombia",
    "America/Lima": "lima peru",
    "America/Santiago": "santiago chile",
    "America/Argentina/Buenos_Aires": "buenos aires argentina",
    "Europe/Madrid": "madrid barcelona sevilla seville valencia bilbao espana spain",
    "Europe/London": "london londres",
    "Europe/Paris": "paris",
    "Europe/Berlin": "berlin berlín",
    "Europe/Rome": "rome roma",
    "Asia/Tokyo": "tokyo tokio",
    "Australia/Sydney": "sydney sidney",
}
_MULTIWORD = (
    "ciudad de mexico",
    "san luis potosi",
    "playa del carmen",
    "nuevo leon",
    "quintana roo",
    "baja california",
    "la paz",
    "la habana",
    "nueva york",
    "new york city",
    "new york",
    "san francisco",
    "san diego",
    "las vegas",
    "los angeles",
    "san antonio",
    "buenos aires",
)


@dataclass(frozen=True)
class ZoneMatch:
    zone: str  # canonical IANA name
    label: str  # "Guadalajara (America/Mexico_City)" or the IANA name
    exact: bool  # False when matched fuzzily


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").split())


def _alias_names(words: str) -> list[str]:
    """Split an alias line into names, keeping the multi-word ones together."""
    names = []
    for phrase in _MULTIWORD:
        if phrase in words:
            names.append(phrase)
            words = words.replace(phrase, " ")
    return names + words.split()


@functools.lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Folded IANA name -> canonical spelling, for every zone the database has."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


@functools.lru_cache(maxsize=1)
def _places() -> dict[str, tuple[str, str]]:
    """Folded place name -> (zone, how to show the place), cities of IANA zones first."""
    places: dict[str, tuple[str, str]] = {}
    for name in sorted(_zones().values()):
        area, _, city = name.rpartition("/")
        if not area or area.startswith("Etc") or area in ("US", "Canada", "Mexico", "Chile"):
            continue
        places.setdefault(_fold(city), (name, city.replace("_", " ")))
    for zone, words in _ALIASES.items():
        for alias in _alias_names(_fold(words)):
            places.setdefault(alias, (zone, alias.title()))
    return places


def _match(zone: str, shown: str, exact: bool) -> ZoneMatch:
    label = zone if _fold(shown) == _fold(zone) else f"{shown} ({zone})"
    return ZoneMatch(zone, label, exact)


def resolve_timezone(text: str) -> ZoneMatch | None:
    folded = _fold(text)
    if not folded or len(folded) > 64:
        return None
    canonical = _zones().get(text.strip().lower())
    if canonical is not None:
        return ZoneMatch(canonical, canonical, True)
    places = _places()
    if folded in places:
        zone, shown = places[folded]
        return _match(zone, shown, True)
    found = process.extractOne(folded, list(places), scorer=fuzz.ratio, score_cutoff=CUTOFF)
    if found is None:
        return None
    zone, shown = places[found[0]]
    return _match(zone, shown, False)


def suggest_timezones(text: str, limit: int = 3) -> list[ZoneMatch]:
    """Near misses below the cut-off, for "did you mean"."""
    folded = _fold(text)
    if not folded:
        return []
    places = _places()
    found = process.extract(folded, list(places), scorer=fuzz.WRatio, limit=limit * 3)
    suggestions: list[ZoneMatch] = []
    for name, score, _ in found:
        if score < 60:
            continue
        zone, shown = places[name]
        if all(s.zone != zone for s in suggestions):
            suggestions.append(_match(zone, shown, False))
    return suggestions[:limit]
