"""Listings -> an iCalendar (.ics) file, written by the ``icalendar`` library.

Each listed session becomes a VEVENT in the event's own time zone (with its VTIMEZONE), a
recurring listing carries its RRULE, and the stamp comes from the injected clock so the
same listings at the same moment give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import icalendar

from briefings.model import Event

PRODUCT_ID = "-//briefbot//Mexico news briefings//EN"


def _moment(text: str, zone: ZoneInfo) -> dt.date | dt.datetime:
    if "T" not in text:
        return dt.date.fromisoformat(text[:10])
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def _description(event: Event) -> str:
    lines = [event.summary] if event.summary else []
    if event.price is not None:
        if event.price.free:
            lines.append("Free")
        elif event.price.amount is not None:
            prefix = "From " if event.price.minimum else ""
            lines.append(f"{prefix}{event.price.amount} {event.price.currency}")
    if event.age_limit:
        lines.append(f"{event.age_limit}+ only")
    lines.extend(event.notes)  # opening hours, a festival's program
    lines.append(f"Source: {event.source.document}, article {event.source.article}")
    return "\n".join(lines)


def events_to_ics(events: Sequence[Event], *, now: dt.datetime, name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for event in events:
        zone = ZoneInfo(event.timezone)
        location = ", ".join(p for p in (event.venue, event.address, event.city) if p)
        for number, occurrence in enumerate(event.occurrences):
            item = icalendar.Event()
            item.add("uid", f"{event.id}-{number}@briefbot")
            item.add("dtstamp", now.astimezone(dt.UTC))
            item.add("summary", event.title)
            start = _moment(occurrence.start, zone)
            item.add("dtstart", start)
            end_text = occurrence.end or (event.end if len(event.occurrences) == 1 else None)
            if end_text:
                end = _moment(end_text, zone)
                if not isinstance(end, dt.datetime):  # DTEND of an all-day run is exclusive
                    end = end + dt.timedelta(days=1)
                if isinstance(start, dt.datetime) and not isinstance(end, dt.datetime):
                    end = dt.datetime.combine(end, dt.time(), zone)
                if not isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
                    end = end.date() + dt.timedelta(days=1)
                item.add("dtend", end)
            if event.rrule and number == 0:
                item.add("rrule", icalendar.vRecur.from_ical(event.rrule))
            if location:
                item.add("location", location)
            item.add("description", _description(event))
            calendar.add_component(item)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
