"""``/timezone guadalajara`` to an IANA zone: exact names, cities, countries, typos.

Exact IANA names are accepted in any case and checked against the installed database
(``tzdata``). A legacy spelling the database still accepts ("US/Eastern", "Asia/Calcutta")
is stored as the zone it links to, so every subscriber's zone has its current name;
``UTC`` and its synonyms are stored as ``UTC``.

People more often name a place: the city part of every canonical ``Area/City`` zone counts
("madrid", "new york"), a country with a single zone ("iceland"), and places that are not
IANA cities ("guadalajara", "cdmx", "barcelona", Spanish names). A near miss ("madird") is
matched with rapidfuzz against canonical names only and reported as a guess, so the bot can
say how it read the words.

"Canonical" is what ``zone.tab`` lists for a country or a ``Zone`` line of the database. It
is not "every name that is not a link": since 2022 the database links Oslo to Berlin and
Reykjavik to Abidjan, and a reader in Oslo should still see Europe/Oslo.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import fuzz, process

from bot.numbers import has_other_digits
from briefings.topics import strip_accents

CUTOFF = 80  # similarity (0–100) for a typo to count as a place
SUGGESTION_CUTOFF = 60  # lower: a "did you mean" may be further off
_SHORTEST_GUESS = 4  # "lim" is too short to guess Lima from
_LONGEST_INPUT = 64
_NUMBERS = re.compile(r"[+-]?[0-9]+")
# Zone names zoneinfo loads that are not places: the host's own setting and a placeholder.
_NOT_ZONES = {"localtime", "Factory"}
_UTC_NAMES = {"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu"}
# Areas whose names are Area/City (or Area/Region/City); the others are legacy groupings.
_GEOGRAPHIC = {
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}
# Places people name that are not the city of an IANA zone, as they are written.
_ALIASES: dict[str, tuple[str, ...]] = {
    "America/Mexico_City": (
        "Guadalajara",
        "Zapopan",
        "Tlaquepaque",
        "San Pedro Tlaquepaque",
        "Tonalá",
        "Tlajomulco",
        "Jalisco",
        "CDMX",
        "Ciudad de México",
        "DF",
        "México",
        "Puebla",
        "Oaxaca",
        "León",
        "Querétaro",
        "Toluca",
        "Morelia",
        "Veracruz",
        "Acapulco",
        "San Luis Potosí",
        "Aguascalientes",
    ),
    "America/Monterrey": ("Nuevo León", "Saltillo"),
    "America/Merida": ("Mérida", "Yucatán"),
    "America/Cancun": ("Cancún", "Playa del Carmen", "Tulum", "Quintana Roo"),
    "America/Tijuana": ("Mexicali", "Ensenada", "Baja California"),
    "America/Mazatlan": ("Mazatlán", "Culiacán", "Sinaloa"),
    "America/Havana": ("La Habana", "Habana"),
    "America/New_York": (
        "Nueva York",
        "New York City",
        "NYC",
        "Washington",
        "Washington DC",
        "Boston",
        "Miami",
        "Atlanta",
        "Philadelphia",
    ),
    "America/Chicago": ("Houston", "Dallas", "Austin", "San Antonio"),
    "America/Los_Angeles": (
        "Los Ángeles",
        "San Francisco",
        "San Diego",
        "Seattle",
        "Las Vegas",
    ),
    "America/Toronto": ("Montreal", "Ottawa"),
    "America/Bogota": ("Bogotá", "Medellín", "Cali", "Colombia"),
    "America/Lima": ("Perú",),
    "America/Santiago": ("Santiago de Chile", "Chile"),
    "America/Argentina/Buenos_Aires": ("Argentina",),
    "Europe/Madrid": ("Barcelona", "Sevilla", "Seville", "Valencia", "Bilbao", "España", "Spain"),
    "Europe/London": ("Londres", "UK", "United Kingdom", "Britain", "England", "Reino Unido"),
    "Europe/Paris": ("París", "Francia"),
    "Europe/Berlin": ("Berlín", "Germany", "Alemania", "Munich", "Múnich"),
    "Europe/Rome": ("Roma", "Milan", "Milán", "Italia"),
    "Asia/Tokyo": ("Tokio", "Japón"),
    "Australia/Sydney": ("Sidney", "Sídney"),
}


@dataclass(frozen=True)
class ZoneMatch:
    zone: str  # canonical IANA name, e.g. "America/Mexico_City"
    label: str  # "Guadalajara (America/Mexico_City)" or the IANA name
    exact: bool  # False when matched fuzzily


def _fold(text: str) -> str:
    """Accents and case folded, and ``Mexico_City`` read as two words."""
    return " ".join(strip_accents(text).replace("_", " ").split())


def _tzdata_file(name: str) -> list[str]:
    """Lines of a file the ``tzdata`` package ships; none when it is absent."""
    try:
        text = (resources.files("tzdata") / "zoneinfo" / name).read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return []
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@functools.lru_cache(maxsize=1)
def _database() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """Canonical names, legacy name -> its zone, and country name -> its only zone."""
    available = zoneinfo.available_timezones() - _NOT_ZONES
    by_country: dict[str, list[str]] = {}
    for line in _tzdata_file("zone.tab"):
        code, _, name = line.split("\t")[:3]
        by_country.setdefault(code, []).append(name)
    zones = {line.split()[1] for line in _tzdata_file("tzdata.zi") if line.startswith("Z ")}
    links = {
        parts[2]: parts[1]
        for parts in (line.split() for line in _tzdata_file("tzdata.zi"))
        if parts[0] == "L"
    }
    listed = {n for names in by_country.values() for n in names}
    canonical = (listed | zones | {"UTC"}) & available - _UTC_NAMES
    if len(canonical) < 100:  # no tzdata package: trust every name zoneinfo offers
        canonical, links = set(available), {}
    legacy = {}
    for name in available - canonical:
        target = "UTC" if name in _UTC_NAMES else links.get(name, name)
        legacy[name] = target if target in available else name
    countries = {}
    for line in _tzdata_file("iso3166.tab"):
        code, country = line.split("\t")[:2]
        if len(by_country.get(code, ())) == 1:
            countries[country] = by_country[code][0]
    return frozenset(canonical), legacy, countries


@functools.lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    """Lower-cased IANA name (spaces for underscores) -> its spelling in the database."""
    canonical, legacy, _ = _database()
    return {name.lower().replace("_", " "): name for name in canonical | set(legacy)}


@functools.lru_cache(maxsize=1)
def _places() -> dict[str, tuple[str, str]]:
    """Folded place name -> (zone, how to show it): IANA cities, then aliases, countries."""
    canonical, _, countries = _database()
    places: dict[str, tuple[str, str]] = {}
    for name in sorted(canonical):
        area, _, city = name.rpartition("/")
        if area.split("/")[0] in _GEOGRAPHIC:
            places.setdefault(_fold(city), (name, city.replace("_", " ")))
    for zone, names in _ALIASES.items():
        for alias in names:
            places.setdefault(_fold(alias), (zone, alias))
    for country, zone in countries.items():
        places.setdefault(_fold(country), (zone, country))
    return places


@functools.lru_cache(maxsize=1)
def _guessable() -> tuple[tuple[str, ...], dict[str, str]]:
    """What a typo may be matched against: place names, and folded canonical IANA names."""
    canonical, _, _ = _database()
    return tuple(_places()), {_fold(name): name for name in canonical}


def _same_numbers(typed: str, name: str) -> bool:
    """A guess may mend letters, never numbers: "Etc/GMT+14" (which no zone is) is not
    "Etc/GMT+4", ten hours away."""
    return _NUMBERS.findall(typed) == _NUMBERS.findall(name)


def _full_name_choices(folded: str) -> dict[str, str]:
    """Folded canonical names a typed ``Area/City`` may be a typo of."""
    _, full_names = _guessable()
    return {name: zone for name, zone in full_names.items() if _same_numbers(folded, name)}


def _match(zone: str, shown: str, exact: bool) -> ZoneMatch:
    label = zone if _fold(shown) == _fold(zone) else f"{shown} ({zone})"
    return ZoneMatch(zone, label, exact)


def resolve_timezone(text: str) -> ZoneMatch | None:
    """The zone ``text`` names, or None when it is not recognisably a place."""
    cleaned = " ".join(text.split())
    folded = _fold(cleaned)
    if not folded or len(folded) > _LONGEST_INPUT or has_other_digits(cleaned):
        return None
    canonical, legacy, _ = _database()
    spelled = _spellings().get(cleaned.lower().replace("_", " "))
    if spelled in canonical:
        return ZoneMatch(spelled, spelled, True)
    places = _places()
    if folded in places:  # before legacy names: "Iceland" is Reykjavik, not Abidjan
        return _match(*places[folded], exact=True)
    if spelled is not None:
        return _match(legacy[spelled], spelled, exact=True)
    if "," in folded:  # "Madrid, Spain", "Guadalajara, Jalisco"
        for part in folded.split(","):
            if part.strip() in places:
                return _match(*places[part.strip()], exact=True)
    if len(folded) < _SHORTEST_GUESS:
        return None
    if "/" in folded:
        if len(folded.rpartition("/")[2].strip()) < _SHORTEST_GUESS:
            return None  # "America/": which city is for the person to say, not to guess
        full_names = _full_name_choices(folded)
        found = process.extractOne(
            folded, list(full_names), scorer=fuzz.ratio, score_cutoff=CUTOFF
        )
        return None if found is None else _match(full_names[found[0]], found[0], exact=False)
    names, _ = _guessable()
    found = process.extractOne(folded, names, scorer=fuzz.ratio, score_cutoff=CUTOFF)
    return None if found is None else _match(*places[found[0]], exact=False)


def suggest_timezones(text: str, limit: int = 3) -> list[ZoneMatch]:
    """Near misses, one per zone and best first, for "did you mean"."""
    folded = _fold(" ".join(text.split()))
    if not folded or len(folded) > _LONGEST_INPUT or has_other_digits(text):
        return []
    names, _ = _guessable()
    places = _places()
    if "/" in folded:
        choices = {name: (zone, zone) for name, zone in _full_name_choices(folded).items()}
    else:
        choices = {name: places[name] for name in names}
    found = process.extract(folded, list(choices), scorer=fuzz.WRatio, limit=limit * 4)
    suggestions: list[ZoneMatch] = []
    for name, score, _ in found:
        zone, shown = choices[name]
        if score >= SUGGESTION_CUTOFF and all(s.zone != zone for s in suggestions):
            suggestions.append(_match(zone, shown, exact=False))
    return suggestions[:limit]
