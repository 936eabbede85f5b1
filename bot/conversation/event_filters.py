"""``/events guadalajara feb``: read a city, a month, a range, a price and a kind in any order.

A filter is a city (matched against the listings' cities and areas, typos allowed), a
window of local dates, a price ("free", "under 500": pesos, the listings' currency) and
kinds of outing (music, dance, art, family, sports, festival, nightlife; see
:mod:`listing_kinds`), in English or Spanish. Month names without a year mean the next
such month from today (this month included), as a reader planning ahead means it;
``feb 2026`` pins the year.
Recurring listings match a window when their rule has a date in it, so "next month" can
honestly show the next monthly ride even though the source is from an earlier month.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from rapidfuzz import fuzz, process

from bot.conversation.listing_kinds import KIND_CODES, READER_WORDS, kinds_of
from bot.conversation.occurrences import listed_in_window
from bot.conversation.reply import InputProblem, quoted
from bot.numbers import has_other_digits
from bot.texts import en, es
from briefings.model import Catalog, Event
from briefings.topics import fold

MONTHS = {
    **{
        name: number
        for number, names in enumerate(
            [
                (),
                ("january", "jan", "enero", "ene"),
                ("february", "feb", "febrero"),
                ("march", "mar", "marzo"),
                ("april", "apr", "abril", "abr"),
                ("may", "mayo"),
                ("june", "jun", "junio"),
                ("july", "jul", "julio"),
                ("august", "aug", "agosto", "ago"),
                ("september", "sep", "sept", "septiembre"),
                ("october", "oct", "octubre"),
                ("november", "nov", "noviembre"),
                ("december", "dec", "diciembre", "dic"),
            ]
        )
        for name in names
    }
}
# Longest phrases first, so "next week" is read before "week".
RANGES = {
    "this weekend": "weekend",
    "weekend": "weekend",
    "fin de semana": "weekend",
    "este fin de semana": "weekend",
    "this week": "this_week",
    "esta semana": "this_week",
    "next week": "next_week",
    "proxima semana": "next_week",
    "la proxima semana": "next_week",
    "semana que viene": "next_week",
    "this month": "this_month",
    "este mes": "this_month",
    "next month": "next_month",
    "proximo mes": "next_month",
    "el proximo mes": "next_month",
    "mes que viene": "next_month",
    "today": "today",
    "hoy": "today",
    "tomorrow": "tomorrow",
    "manana": "tomorrow",
}
_FILLER = {"in", "on", "at", "for", "of", "the", "en", "de", "del", "el", "la", "a", "and", "y"}
_YEAR = re.compile(r"^(?:19|20)[0-9][0-9]$")
FREE_WORDS = {"free", "gratis", "gratuito", "gratuitos", "gratuita", "gratuitas", "no cost"}
FREE_WORDS |= {"sin costo", "for free"}
# "under 500", "menos de $500", "hasta 500 pesos", "<500": a price cap, in pesos.
_CAP_WORDS = (
    "under",
    "below",
    "less than",
    "cheaper than",
    "up to",
    "max",
    "menos de",
    "por menos de",
    "hasta",
    "maximo",
    "<",
)
_AMOUNT = re.compile(r"^\$?([0-9]{1,6})(?:\.[0-9]{1,2})?(?:mxn|pesos)?$")
_CURRENCY_WORDS = {"pesos", "mxn", "peso"}


class FilterError(InputProblem):
    """Words the filter could not read; the message says what it expects, in English and
    in Spanish."""


@dataclass(frozen=True)
class EventQuery:
    """A city, a window of local dates ``[start, end)``, a price and kinds; all optional.

    ``free`` keeps free listings; ``max_price`` keeps those whose (lowest) price in pesos is
    at most that much, free ones included. ``kinds`` keeps listings of any of those kinds.
    """

    city: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    free: bool = False
    max_price: int | None = None
    kinds: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.city is None and self.start is None and not self.has_listing_filter

    @property
    def has_listing_filter(self) -> bool:
        """A filter only listings answer: a price or a kind (a city or a date need not be)."""
        return self.free or self.max_price is not None or bool(self.kinds)

    def without_window(self) -> EventQuery:
        return dataclasses.replace(self, start=None, end=None)

    def key(self) -> str:
        """A compact, stable form for callback data and deep links.

        ``city~YYYYMMDD~YYYYMMDD``, then ``~f.u500.mu`` when a price or a kind is set.
        """
        start = self.start.strftime("%Y%m%d") if self.start else ""
        end = self.end.strftime("%Y%m%d") if self.end else ""
        extras = (["f"] if self.free else []) + (
            [f"u{self.max_price}"] if self.max_price is not None else []
        )
        extras += [KIND_CODES[kind] for kind in self.kinds]
        tail = f"~{'.'.join(extras)}" if extras else ""
        return f"{self.city or ''}~{start}~{end}{tail}"

    @classmethod
    def from_key(cls, key: str) -> EventQuery:
        city, start, end, *rest = key.split("~")
        if len(rest) > 1:
            raise ValueError(key)
        codes = {code: kind for kind, code in KIND_CODES.items()}
        extras = rest[0].split(".") if rest and rest[0] else []
        caps = [int(e[1:]) for e in extras if e.startswith("u") and e[1:].isdigit()]
        unknown = [e for e in extras if e != "f" and e not in codes and not e.startswith("u")]
        if unknown:
            raise ValueError(key)
        return cls(
            city=city or None,
            start=dt.datetime.strptime(start, "%Y%m%d").date() if start else None,
            end=dt.datetime.strptime(end, "%Y%m%d").date() if end else None,
            free="f" in extras,
            max_price=caps[0] if caps else None,
            kinds=tuple(codes[e] for e in extras if e in codes),
        )


def all_events(catalog: Catalog) -> list[Event]:
    """Every listing once (a festival can sit in two briefings), in date order."""
    seen: dict[str, Event] = {}
    for briefing in catalog.briefings:
        for event in briefing.events:
            seen.setdefault(event.id, event)
    return sorted(seen.values(), key=lambda e: (e.start, e.id))


def known_cities(events: Iterable[Event]) -> list[str]:
    names = {fold(name) for e in events for name in (e.city, e.area) if name}
    return sorted(names)


def parse_event_query(
    text: str, *, now: dt.datetime, cities: Sequence[str], lenient: bool = False
) -> EventQuery:
    """Read ``text`` (words after /events) into a query, or raise :class:`FilterError`.

    ``lenient`` skips words it can't read instead, for free text such as "what's on in
    guadalajara" where only some words are filters.
    """
    typed = text.replace(",", " ").split()
    other = [word for word in typed if has_other_digits(word)]
    if other and not lenient:
        raise _explain(other[0], cities)  # folding would read "²⁰²⁶" as 2026
    readable = fold(" ".join(word for word in typed if word not in other))
    words = re.sub(r"<(?=\s*\$?[0-9])", " < ", readable).split()
    city: str | None = None
    window: tuple[dt.date, dt.date] | None = None
    month: int | None = None
    year: int | None = None
    free = False
    max_price: int | None = None
    kinds: list[str] = []
    today = now.date()
    index = 0
    while index < len(words):
        for size in (4, 3, 2, 1):
            phrase = " ".join(words[index : index + size])
            if phrase in RANGES:
                window = _relative_window(RANGES[phrase], today)
                index += size
                break
            if phrase in FREE_WORDS:
                free = True
                index += size
                break
            if phrase in READER_WORDS:
                if READER_WORDS[phrase] not in kinds:
                    kinds.append(READER_WORDS[phrase])
                index += size
                break
            if phrase in _CAP_WORDS and index + size < len(words):
                amount = _AMOUNT.match(words[index + size])
                if amount is not None:
                    max_price = int(amount.group(1))
                    index += size + 1
                    if index < len(words) and words[index] in _CURRENCY_WORDS:
                        index += 1
                    break
        else:
            word = words[index]
            index += 1
            if word in _FILLER:
                continue
            if word in MONTHS:
                month = MONTHS[word]
            elif _YEAR.match(word):
                year = int(word)
            elif (found := _city(word, cities)) is not None:
                city = found
            elif (found := _city(" ".join(words[index - 1 : index + 1]), cities)) is not None:
                city = found
                index += 1
            elif not lenient:
                raise _explain(word, cities)
    if month is not None:
        if year is None:
            year = today.year if month >= today.month else today.year + 1
        first = dt.date(year, month, 1)
        window = (first, first + relativedelta(months=1))
    elif year is not None:
        window = (dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    return EventQuery(
        city=city,
        start=window[0] if window else None,
        end=window[1] if window else None,
        free=free,
        max_price=max_price,
        kinds=tuple(sorted(kinds, key=list(KIND_CODES).index)),
    )


def _city(word: str, cities: Sequence[str]) -> str | None:
    if word in cities:
        return word
    if len(word) < 4:
        return None
    found = process.extractOne(word, cities, scorer=fuzz.ratio, score_cutoff=80)
    return found[0] if found else None


def _explain(word: str, cities: Sequence[str]) -> FilterError:
    values = {"word": quoted(word), "cities": ", ".join(cities)}
    return FilterError(
        en.ANSWERS["bad_filter"].format(**values), es.ANSWERS["bad_filter"].format(**values)
    )


def _relative_window(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    monday = today - dt.timedelta(days=today.weekday())
    first = today.replace(day=1)
    following = first + relativedelta(months=1)
    windows = {
        "today": (today, today + dt.timedelta(days=1)),
        "tomorrow": (today + dt.timedelta(days=1), today + dt.timedelta(days=2)),
        "this_week": (today, monday + dt.timedelta(days=7)),
        "next_week": (monday + dt.timedelta(days=7), monday + dt.timedelta(days=14)),
        "weekend": (max(today, monday + dt.timedelta(days=5)), monday + dt.timedelta(days=7)),
        "this_month": (today, following),
        "next_month": (following, following + relativedelta(months=1)),
    }
    return windows[name]


def _in_city(event: Event, city: str) -> bool:
    return city in {fold(name) for name in (event.city, event.area) if name}


def rule_date_in_window(event: Event, start: dt.date, end: dt.date) -> dt.datetime | None:
    """The first date a recurring event's rule gives in ``[start, end)``, if any."""
    if not event.rrule:
        return None
    zone = ZoneInfo(event.timezone)
    low = dt.datetime.combine(start, dt.time(), zone)
    high = dt.datetime.combine(end, dt.time(), zone)
    begin = dt.datetime.fromisoformat(event.occurrences[0].start).replace(tzinfo=zone)
    following = rrulestr(event.rrule, dtstart=begin).after(low, inc=True)
    return following if isinstance(following, dt.datetime) and following < high else None


@dataclass(frozen=True)
class Selection:
    """Listings that match: ``listed`` by their own dates, ``projected`` only by their rule."""

    listed: list[Event]
    projected: dict[str, dt.datetime]
    events: list[Event]


def price_matches(event: Event, query: EventQuery) -> bool:
    """Free for ``free``; at most ``max_price`` pesos (the lowest price, for "from 400").

    A listing with no price, or priced in another currency, is not shown as cheap: the
    source doesn't say it is.
    """
    if not (query.free or query.max_price is not None):
        return True
    price = event.price
    if price is None:
        return False
    if price.free:
        return True
    if query.free or price.amount is None or price.currency != "MXN":
        return False
    return query.max_price is not None and Decimal(price.amount) <= query.max_price


def kind_matches(event: Event, query: EventQuery) -> bool:
    return not query.kinds or bool(kinds_of(event) & set(query.kinds))


def _wanted(event: Event, query: EventQuery) -> bool:
    """Everything but the window: city, price and kind."""
    if query.city and not _in_city(event, query.city):
        return False
    return price_matches(event, query) and kind_matches(event, query)


def filter_events(events: Iterable[Event], query: EventQuery) -> list[Event]:
    return select_events(events, query).events


def select_events(events: Iterable[Event], query: EventQuery) -> Selection:
    listed: list[Event] = []
    projected: dict[str, dt.datetime] = {}
    chosen: list[Event] = []
    for event in events:
        if not _wanted(event, query):
            continue
        if query.start and query.end:
            if listed_in_window(event, query.start, query.end):
                listed.append(event)
            elif (date := rule_date_in_window(event, query.start, query.end)) is not None:
                projected[event.id] = date
            else:
                continue
        else:
            listed.append(event)
        chosen.append(event)
    return Selection(listed, projected, chosen)


def same_month_other_years(events: Iterable[Event], query: EventQuery) -> list[Event]:
    """For an empty month: the listings on in that calendar month in the years we have.

    A run that overlaps the month counts (an exhibition from 29 Jan to 1 Mar is a February
    listing), and a listing with several dates counts only by those dates.
    """
    if query.start is None or query.end is None:
        return []
    if query.end - query.start > dt.timedelta(days=31) or query.start.day != 1:
        return []
    found = []
    for event in events:
        if not _wanted(event, query):
            continue
        first, last = int(event.start[:4]), int((event.end or event.start)[:4])
        for year in range(first, last + 1):
            month = query.start.replace(year=year)
            if month != query.start and listed_in_window(
                event, month, month + relativedelta(months=1)
            ):
                found.append(event)
                break
    return found
