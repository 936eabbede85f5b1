"""Stage 5: event listings -> structured :class:`Event` records.

Two shapes occur in city guides and news copy:

* a listing block: a heading, a few lines of description, then ``When:``, ``Where:`` and
  ``Cost:`` lines. The heading may be missing, in which case the listing is named after
  the venue or act its first sentence names;
* a festival in prose: "Mazatlán's 2026 carnival … scheduled for Feb. 12-17".

Times are local to the city's zone (America/Mexico_City unless the gazetteer knows the
city is elsewhere). Years a listing leaves out are inferred (see :mod:`chronology`), and a
weekday the text ties to a date ("first Saturday … on Feb. 7") must agree with the year.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from briefings.chronology import YearGuess
from briefings.dates import (
    WEEKDAYS,
    DateMention,
    find_dates,
    nth_weekday_phrase,
    year_from_weekday,
)
from briefings.model import Article, Event, Occurrence, Paragraph, Price, SourceRef
from briefings.segment import LISTING_FIELD, is_listing_field
from briefings.sentences import split_sentences
from briefings.topics import fold

DEFAULT_TIMEZONE = "America/Mexico_City"

# city (folded) -> (display name, metropolitan area, IANA zone)
GAZETTEER: dict[str, tuple[str, str, str]] = {
    "guadalajara": ("Guadalajara", "Guadalajara", DEFAULT_TIMEZONE),
    "zapopan": ("Zapopan", "Guadalajara", DEFAULT_TIMEZONE),
    "tlaquepaque": ("Tlaquepaque", "Guadalajara", DEFAULT_TIMEZONE),
    "san pedro tlaquepaque": ("Tlaquepaque", "Guadalajara", DEFAULT_TIMEZONE),
    "tonala": ("Tonalá", "Guadalajara", DEFAULT_TIMEZONE),
    "mexico city": ("Mexico City", "Mexico City", DEFAULT_TIMEZONE),
    "monterrey": ("Monterrey", "Monterrey", "America/Monterrey"),
    "mazatlan": ("Mazatlán", "Mazatlán", "America/Mazatlan"),
    "puebla": ("Puebla", "Puebla", DEFAULT_TIMEZONE),
    "queretaro": ("Querétaro", "Querétaro", DEFAULT_TIMEZONE),
    "morelia": ("Morelia", "Morelia", DEFAULT_TIMEZONE),
    "toluca": ("Toluca", "Toluca", DEFAULT_TIMEZONE),
    "colima": ("Colima", "Colima", DEFAULT_TIMEZONE),
}

_TIME = re.compile(
    r"(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?\s*(?:(?P<ap1>[ap])\.?m\.?)?"
    r"(?:\s*[-–]\s*(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?)?\s*(?P<ap>[ap])\.?m\.?",
    re.I,
)
_WEEKDAY_RANGE = re.compile(
    r"\b(?P<a>Mon|Tues?|Wed|Thu(?:rs)?|Fri|Sat|Sun)[a-z]*\s*[-–]\s*"
    r"(?P<b>Mon|Tues?|Wed|Thu(?:rs)?|Fri|Sat|Sun)[a-z]*\b"
)
_WEEKDAY_BEFORE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s*$", re.I
)
_DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_AMOUNT = re.compile(
    r"(?P<usd>US\s?\$|USD\s?)?(?P<sign>\$)?\s?(?P<amount>\d[\d,]*(?:\.\d{1,2})?)"
    r"(?:\s*(?P<unit>pesos|MXN|dollars|USD))?",
    re.I,
)
_FESTIVAL = re.compile(
    r"(?P<place>[A-ZÁÉÍÓÚ][\wáéíóúñ]+)[’']s\s+(?:(?P<year>(?:1[89]|20)\d{2})\s+)?(?P<kind>carnival|festival|fair)",
    re.I,
)
_CAPITALISED_RUN = re.compile(r"\b(?:[A-Z][\w’'-]+)(?:\s+(?:de\s+|of\s+)?[A-Z][\w’'-]+)*")


@dataclass(frozen=True)
class Listing:
    """The paragraphs of one listing block and its labelled fields."""

    heading: Paragraph | None
    paragraphs: tuple[Paragraph, ...]
    fields: dict[str, Paragraph]


def listing_blocks(article: Article) -> list[Listing]:
    """Listing blocks: sections that carry a ``When:`` line.

    A section starts at a heading, or at the first ordinary paragraph after a block of
    fields (a listing with no heading of its own).
    """
    sections: list[tuple[Paragraph | None, list[Paragraph]]] = [(None, [])]
    previous_was_field = False
    for paragraph in article.paragraphs:
        is_field = is_listing_field(paragraph.text)
        if paragraph.heading:
            sections.append((paragraph, []))
        elif previous_was_field and not is_field:
            sections.append((None, [paragraph]))
        else:
            sections[-1][1].append(paragraph)
        previous_was_field = is_field
    blocks = []
    for heading, paragraphs in sections:
        fields: dict[str, Paragraph] = {}
        for p in paragraphs:
            match = LISTING_FIELD.match(p.text)
            if match:
                fields.setdefault(match.group("label").lower(), p)
        if "when" in fields:
            blocks.append(Listing(heading, tuple(paragraphs), fields))
    return blocks


def _clock(hour: int, minute: int, meridiem: str | None) -> tuple[int, int]:
    if meridiem and meridiem.lower() == "p" and hour < 12:
        hour += 12
    if meridiem and meridiem.lower() == "a" and hour == 12:
        hour = 0
    return hour, minute


def parse_time_range(text: str) -> tuple[str, str | None] | None:
    """'7-11 p.m.' -> ('19:00', '23:00'); '10-6 p.m.' -> ('10:00', '18:00')."""
    match = _TIME.search(text)
    if match is None:
        return None
    ap = match.group("ap")
    h2 = match.group("h2")
    if h2 is None:
        hour, minute = _clock(int(match.group("h1")), int(match.group("m1") or 0), ap)
        return (f"{hour:02d}:{minute:02d}", None) if _on_a_clock(hour, minute) else None
    end = _clock(int(h2), int(match.group("m2") or 0), ap)
    start_meridiem = match.group("ap1") or ap
    start = _clock(int(match.group("h1")), int(match.group("m1") or 0), start_meridiem)
    if start > end and match.group("ap1") is None:  # "10-6 p.m.": it opens in the morning
        start = _clock(int(match.group("h1")), int(match.group("m1") or 0), "a")
    if not (_on_a_clock(*start) and _on_a_clock(*end)):
        return None  # "7:75 p.m.", "25 p.m.": a typo, not a time
    return f"{start[0]:02d}:{start[1]:02d}", f"{end[0]:02d}:{end[1]:02d}"


def _on_a_clock(hour: int, minute: int) -> bool:
    return hour < 24 and minute < 60


def parse_price(text: str) -> tuple[Price | None, int | None]:
    """A ``Cost:`` line -> (price, age limit)."""
    age = re.search(r"under the age of (\d{1,2})|(\d{1,2})\s*(?:\+|and (?:up|over|older))", text)
    age_limit = int(age.group(1) or age.group(2)) if age else None
    notes = [m.group(0) for m in re.finditer(r"not including (?:service )?fees", text, re.I)]
    box = re.search(r"directly from the ([^,.]+?) box office", text)
    if box:
        notes.append(f"also at the {box.group(1)} box office")
    note = "; ".join(notes) or None
    if re.search(r"\bfree\b", text, re.I):
        return Price(free=True, note=note), age_limit
    for match in _AMOUNT.finditer(text):
        if not (match.group("sign") or match.group("unit") or match.group("usd")):
            continue
        unit = (match.group("unit") or "").lower()
        usd = bool(match.group("usd")) or unit in ("dollars", "usd")
        # Mexican copy writes pesos with a bare "$" and dollars as "US $".
        currency = "USD" if usd else "MXN"
        amount = match.group("amount").replace(",", "")
        minimum = bool(re.search(r"starting at|beginning at|from \$|desde", text, re.I))
        return Price(amount=amount, currency=currency, minimum=minimum, note=note), age_limit
    return None, age_limit


def _city(text: str) -> tuple[str, str, str] | None:
    folded = fold(text)
    for key in sorted(GAZETTEER, key=len, reverse=True):
        if re.search(r"\b" + re.escape(key) + r"\b", folded):
            return GAZETTEER[key]
    return None


def _main_city(article: Article) -> tuple[str, str, str]:
    counts: dict[tuple[str, str, str], int] = {}
    text = fold(" ".join([article.title, article.caption or "", article.body]))
    for key, value in GAZETTEER.items():
        counts[value] = counts.get(value, 0) + len(re.findall(r"\b" + key + r"\b", text))
    best = max(counts.items(), key=lambda kv: kv[1])
    return best[0] if best[1] else GAZETTEER["mexico city"]


_ADDRESS_ABBREVIATIONS = ("prol", "av", "ave", "col", "blvd", "calz", "no", "c")


def _venue_and_address(
    where: str, section_title: str, section_text: str
) -> tuple[str | None, str | None]:
    """'Teatro Diana, Av. 16 de Septiembre 710, …' -> ('Teatro Diana', 'Av. 16 …')."""
    where = where.strip().rstrip(".")
    if where.lower().startswith("along "):
        return where, None  # a route, not a building
    head, _, rest = where.partition(", ")
    name, dot, after = head.partition(". ")
    if dot and name.split()[-1].lower() not in _ADDRESS_ABBREVIATIONS:
        head, rest = name, ", ".join(part for part in (after, rest) if part)
    if re.search(r"(?<!\w)\d+\b", head):  # the line is only an address
        named = re.search(r"\bat ([A-Z][\w&]+(?: [A-Z][\w&]+)*)\s*$", section_title)
        if named is None:
            return None, where
        venue = named.group(1)
        expanded = re.search(re.escape(venue) + r" \(([^)]+)\)", section_text)
        return (f"{venue} ({expanded.group(1)})" if expanded else venue), where
    return head.strip() or None, rest.strip() or None  # "Where:" may be empty


def _title_for(listing: Listing, city: str) -> str:
    if listing.heading is not None:
        return listing.heading.text.strip()
    first = listing.paragraphs[0].text if listing.paragraphs else ""
    skip = {fold(city), *GAZETTEER, "february", "march", "january", "april", "located", "the"}
    for match in _CAPITALISED_RUN.finditer(split_sentences(first)[0]):
        words = [w for w in match.group().split() if fold(w) not in skip]
        if words and fold(match.group()) not in skip:
            return " ".join(words)
    return "Listing"


def _slug(*parts: str, limit: int = 40) -> str:
    """A stable id of ``[a-z0-9-]``, cut at a word boundary (ids travel in buttons)."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(" ".join(parts))).split()
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "event"


def _resolve_year(
    mention: DateMention,
    year: YearGuess | None,
    weekday_rule: tuple[int, int] | None,
    weekday: int | None = None,
) -> tuple[int | None, bool, str | None]:
    """The mention's year, whether it was inferred, and on what basis.

    A weekday written with the date ("Friday, March 20") must fall on it: the year is the
    one nearest the reference in which it does.
    """
    if mention.year is not None:
        return mention.year, False, None
    if year is None:
        return None, False, None
    if weekday is not None and mention.day is not None:
        checked = year_from_weekday(mention.month, mention.day, weekday, year.year)
        if checked is not None:
            day_name = calendar.day_name[weekday]
            return checked, True, f"{year.basis}; {day_name} falls on that date in {checked}"
    if weekday_rule is not None and mention.day is not None:
        ordinal, weekday = weekday_rule
        checked = year_from_weekday(mention.month, mention.day, weekday, year.year)
        if checked is not None and ordinal > 0 and mention.day <= 7 * ordinal:
            basis = f"{year.basis}; the date falls on the stated weekday in {checked}"
            return checked, True, basis
    return year.year, True, year.basis


def _at(date: str, time: str | None) -> str:
    return f"{date}T{time}" if time else date


def _until(date: str, start: str | None, end: str) -> str:
    """The end of a session on ``date``: "10 p.m.-2 a.m." ends the next day."""
    if start is not None and end < start:
        date = (dt.date.fromisoformat(date) + dt.timedelta(days=1)).isoformat()
    return _at(date, end)


def _occurrences(
    when: str, year: YearGuess | None, weekday_rule: tuple[int, int] | None
) -> tuple[list[Occurrence], bool, str | None]:
    """Each dated session of a ``When:`` line, with the time that follows its date."""
    mentions = find_dates(when)
    occurrences: list[Occurrence] = []
    inferred, basis = False, None
    for index, mention in enumerate(mentions):
        named = _WEEKDAY_BEFORE.search(when[: mention.start])
        weekday = WEEKDAYS[named.group(1).lower()] if named else None
        resolved, was_inferred, why = _resolve_year(mention, year, weekday_rule, weekday)
        day = mention.iso(resolved) if mention.day is not None else None
        end_day = mention.iso_end(resolved) if mention.day_end is not None else day
        if day is None or end_day is None:
            continue  # no year, no day ("March 2026"), or no such day ("Feb. 29, 2026")
        inferred, basis = inferred or was_inferred, basis or why
        following = mentions[index + 1].start if index + 1 < len(mentions) else len(when)
        times = parse_time_range(when[mention.end : following]) or parse_time_range(when)
        start_time, end_time = times if times else (None, None)
        if mention.day_end is not None:
            occurrences.append(Occurrence(_at(day, start_time), _at(end_day, end_time)))
        else:
            end = _until(day, start_time, end_time) if end_time else None
            occurrences.append(Occurrence(_at(day, start_time), end))
    # In date order, whatever order the copy lists them in: the event spans first to last.
    return sorted(occurrences, key=lambda o: o.start), inferred, basis


def _day_span(first: str, last: str) -> str:
    return f"{first[:3].capitalize()}–{last[:3].capitalize()}"


def _utc_stamp(local: str, zone: str) -> str:
    """Local ISO date-time -> RFC 5545 UTC stamp, as UNTIL requires with a zoned start."""
    moment = dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _rrule(when: str, weekday_rule: tuple[int, int] | None, until: str | None) -> str | None:
    if weekday_rule is not None:
        ordinal, weekday = weekday_rule
        return f"FREQ=MONTHLY;BYDAY={ordinal}{_DAY_CODES[weekday]}"
    days = _WEEKDAY_RANGE.search(when)
    if days is None:
        return None
    first = _DAY_CODES.index(days.group("a")[:2].upper())
    last = _DAY_CODES.index(days.group("b")[:2].upper())
    codes = [_DAY_CODES[(first + i) % 7] for i in range(((last - first) % 7) + 1)]
    rule = f"FREQ=WEEKLY;BYDAY={','.join(codes)}"
    return rule + (f";UNTIL={until}" if until else "")


def _ref(article: Article, paragraph: Paragraph) -> SourceRef:
    return SourceRef(article.document, article.number, paragraph.number, paragraph.line)


_UNTIL = re.compile(r"\b(?:runs|open|on view|continues)?\s*(?:until|through|thru)\s+", re.I)
_LAUNCH = re.compile(r"\b(?:launch\w*|opens?|opening|starts?|begins?)\s+(?:on\s+)?", re.I)


@dataclass(frozen=True)
class Run:
    """An exhibition-style run: its first day, its last moment, its opening hours."""

    first: Occurrence
    end: str
    notes: tuple[str, ...]
    inferred: bool
    basis: str | None


def _run_until(when: str) -> DateMention | None:
    """The full date after "runs until …", if the ``When:`` line gives one."""
    match = _UNTIL.search(when)
    if match is None:
        return None
    found = find_dates(when[match.end() :])
    return found[0] if found and found[0].day and found[0].iso() else None


def _run(when: str, section: str, until: DateMention, year: YearGuess | None) -> Run:
    """'runs until March 1, 2026 … open Tues-Sun, 10-6 p.m.' and 'Launching on Jan. 29'."""
    launch_at = _LAUNCH.search(section)
    launches = find_dates(section[launch_at.end() :])[:1] if launch_at else []
    launch = launches[0] if launches and launches[0].start == 0 else None
    end_day = until.iso() or ""
    launch_year, basis = _launch_year(launch, end_day, year) if launch else (None, None)
    first_day = launch.iso(launch_year) if launch else None
    if first_day is None or first_day > end_day:
        first_day = basis = None  # no such day, or after the run's end: only the end is sure
    start_day = first_day or end_day
    hours = parse_time_range(when)
    start_time, end_time = hours if hours else (None, None)
    notes = []
    if hours:
        days = _WEEKDAY_RANGE.search(when)
        span = f"{_day_span(days.group('a'), days.group('b'))}, " if days else ""
        notes.append(f"Open {span}{hours[0]}" + (f"–{hours[1]}" if hours[1] else ""))
    inferred = basis is not None
    return Run(
        first=Occurrence(
            _at(start_day, start_time),
            _until(start_day, start_time, end_time) if end_time else None,
        ),
        end=_until(end_day, start_time, end_time) if end_time else end_day,
        notes=tuple(notes),
        inferred=inferred,
        basis=basis,
    )


def _launch_year(
    launch: DateMention, end_day: str, year: YearGuess | None
) -> tuple[int, str | None]:
    """The year of a run's launch, and the basis when the text leaves it out.

    The article's year, unless that puts the launch after the run's end ("Launching on
    Jan. 29" of a run until March 1, 2026, in a guide that also names 2099): then the year
    the run ends, or the one before.
    """
    if launch.year is not None:
        return launch.year, None
    end_year = int(end_day[:4])
    by_end = f"the run's end in {end_year}"
    reference = (year.year, year.basis) if year else (end_year, by_end)
    for candidate, basis in (reference, (end_year, by_end), (end_year - 1, by_end)):
        if (launch.iso(candidate) or "9") <= end_day:
            return candidate, basis
    return reference


def _listing_event(article: Article, listing: Listing, year: YearGuess | None) -> Event | None:
    when = listing.fields["when"].text.split(":", 1)[1].strip()
    section_text = " ".join(p.text for p in listing.paragraphs)
    where_p = listing.fields.get("where")
    where = where_p.text.split(":", 1)[1].strip() if where_p else ""
    default = _main_city(article)
    city, area, zone = _city(where.split(",")[-1]) or _city(where) or default
    heading = listing.heading.text if listing.heading else ""
    title = _title_for(listing, city)
    weekday_rule = nth_weekday_phrase(when)
    occurrences, inferred, basis = _occurrences(when, year, weekday_rule)
    until = _run_until(when)
    notes: list[str] = []
    event_end: str | None = None
    if until is not None:
        run = _run(when, section_text, until, year)
        occurrences, event_end = [run.first], run.end
        inferred, basis = inferred or run.inferred, basis or run.basis
        notes.extend(run.notes)
    if not occurrences:
        return None
    if event_end is None:
        last = occurrences[-1]
        # With no closing time given, a run of sessions ends on its last day; one session
        # with no closing time has no known end.
        event_end = last.end or (last.start[:10] if len(occurrences) > 1 else None)
    cost_p = (
        listing.fields.get("cost") or listing.fields.get("price") or listing.fields.get("tickets")
    )
    price, age = parse_price(cost_p.text.split(":", 1)[1]) if cost_p else (None, None)
    if age is None:
        price_text = " ".join(p.text for p in listing.paragraphs)
        _, age = parse_price(price_text)
    venue, address = _venue_and_address(where, heading, section_text)
    if address and address.split(",")[-1].strip() == city:
        address = ", ".join(part.strip() for part in address.split(",")[:-1]) or None
    description = next((p.text for p in listing.paragraphs if not is_listing_field(p.text)), "")
    return Event(
        id=_slug(title, occurrences[0].start[:7]),
        title=title,
        city=city,
        area=area,
        venue=venue,
        address=address,
        start=occurrences[0].start,
        end=event_end,
        occurrences=tuple(occurrences),
        timezone=zone,
        rrule=_rrule(
            when, weekday_rule, _utc_stamp(event_end, zone) if until and event_end else None
        ),
        price=price,
        age_limit=age,
        notes=tuple(notes),
        note_sources=tuple(_ref(article, listing.fields["when"]) for _ in notes),
        summary=split_sentences(description)[0] if description else "",
        year_inferred=bool(inferred),
        year_basis=basis if inferred else None,
        source=_ref(article, listing.fields["when"]),
    )


def _festival_events(article: Article) -> list[Event]:
    """'Mazatlán's 2026 carnival … Feb. 12-17' written as prose."""
    found: list[Event] = []
    for paragraph in article.paragraphs:
        if paragraph.heading:
            continue
        named = _FESTIVAL.search(paragraph.text)
        if named is None or named.group("year") is None:
            continue
        year = int(named.group("year"))
        for other in article.paragraphs:
            ranges = [m for m in find_dates(other.text) if m.day_end is not None]
            if not ranges:
                continue
            span = dataclasses.replace(ranges[0], year=year)
            start, end = span.iso(), span.iso_end()
            if start is None or end is None:
                continue
            city, area, zone = _city(named.group("place")) or _main_city(article)
            kind = named.group("kind").capitalize()
            title = f"{city} {kind} {year}"
            sentence = next(s for s in split_sentences(other.text) if find_dates(s))
            program = [
                (s, _ref(article, p))
                for p in article.paragraphs
                if p is not other and not p.heading
                for s in split_sentences(p.text)
                if any(m.month == span.month and m.day_end is None for m in find_dates(s))
            ]
            return [
                Event(
                    id=_slug(title),
                    title=title,
                    city=city,
                    area=area,
                    venue=None,
                    address=None,
                    start=start,
                    end=end,
                    occurrences=(Occurrence(start, end),),
                    timezone=zone,
                    source=_ref(article, other),
                    summary=sentence,
                    notes=tuple(note for note, _ in program),
                    note_sources=tuple(ref for _, ref in program),
                )
            ]
    return found


def extract_events(article: Article, year: YearGuess | None) -> list[Event]:
    """Every event the article lists, in the order it lists them."""
    events = [e for b in listing_blocks(article) if (e := _listing_event(article, b, year))]
    if not events:
        events = _festival_events(article)
    return events


def events_by_article(
    articles: Sequence[Article],
    years: dict[str, YearGuess],
    extract: Callable[[Article, YearGuess | None], list[Event]] | None = None,
) -> dict[str, list[Event]]:
    """Every article's events; an id names one event in the whole catalog (buttons and the
    bot's list of all listings find events by id), so a second "Swan Lake" in February of
    another listing or article becomes "…-2". ``extract`` may be a cached extract_events."""
    extract = extract or extract_events
    found = {a.key: extract(a, years.get(a.key)) for a in articles}
    taken: set[str] = set()
    for events in found.values():
        for index, event in enumerate(events):
            unique, count = event.id, 1
            while unique in taken:
                count += 1
                unique = f"{event.id[: 40 - len(str(count)) - 1].rstrip('-')}-{count}"
            taken.add(unique)
            events[index] = dataclasses.replace(event, id=unique)
    return found
