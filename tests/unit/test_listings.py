"""Listings that are right, and the filters people use (issue 18, items 3 and 4).

The catalog's own listings, judged with an injected clock: the Jazz Room ("When: Feb. 1
and March 7"), the Sehgal exhibition (29 Jan - 1 Mar, open Tue-Sun), the monthly night
ride (first Saturday, free), Swan Lake (two evenings, from 483.75 pesos), Nation of
Language (650 pesos) and the Mazatlán carnival (12-17 Feb, with its program).
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bot.conversation.answers import Answers
from bot.conversation.calendar_export import events_to_ics
from bot.conversation.event_filters import (
    EventQuery,
    FilterError,
    all_events,
    known_cities,
    parse_event_query,
    same_month_other_years,
    select_events,
)
from bot.conversation.listing_kinds import kinds_of
from bot.conversation.occurrences import listed_in_window
from bot.conversation.render import event_status, render_event, to_plain
from bot.conversation.reply import Reply
from bot.digests.compose import Subject, compose_digest
from bot.subscriptions.requests import SubscribeError, parse_request
from briefings.model import Catalog, Event
from tests.conftest import FEB_FIRST, MEXICO_CITY, TODAY


def _at(day: str, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), MEXICO_CITY)


def _event(catalog: Catalog, words: str) -> Event:
    return next(e for e in all_events(catalog) if words in e.title)


def _parse(catalog: Catalog, text: str, now: dt.datetime = TODAY) -> EventQuery:
    return parse_event_query(text, now=now, cities=known_cities(all_events(catalog)))


def _titles(catalog: Catalog, text: str, now: dt.datetime = TODAY) -> set[str]:
    selection = select_events(all_events(catalog), _parse(catalog, text, now))
    return {e.title for e in selection.listed}


def _text(reply: Reply) -> str:
    return "\n".join(to_plain(m) for m in reply.messages)


def _labels(reply: Reply) -> list[str]:
    return [b.text for row in reply.buttons for b in row]


@pytest.fixture(scope="module")
def answers(catalog: Catalog) -> Answers:
    return Answers(catalog, "briefbot_test_bot")


# --- 3. a listing with several dates is those dates -----------------------------------


def test_several_dates_are_those_days_and_nothing_in_between(catalog: Catalog) -> None:
    jazz = _event(catalog, "Jazz Room")
    assert listed_in_window(jazz, dt.date(2026, 2, 1), dt.date(2026, 2, 2))
    assert listed_in_window(jazz, dt.date(2026, 3, 7), dt.date(2026, 3, 8))
    assert not listed_in_window(jazz, dt.date(2026, 2, 2), dt.date(2026, 3, 7))
    # The weekend of 14-15 Feb 2026 falls between its two dates.
    weekend = _titles(catalog, "this weekend", _at("2026-02-12"))
    assert "Jazz Room" not in weekend and "Mazatlán Carnival 2026" in weekend
    assert "Jazz Room" in _titles(catalog, "this weekend", _at("2026-03-05"))


def test_several_dates_in_the_digest_are_those_dates(catalog: Catalog) -> None:
    """From 2 Feb to 1 Mar, the Jazz Room (1 Feb and 7 Mar) has no date."""
    digest = compose_digest(
        catalog,
        Subject("events", "zapopan"),
        cadence="monthly",
        now=_at("2026-02-02", 9),
        lang="en",
        previous=None,
    )
    text = "\n".join(to_plain(m) for m in digest.messages)
    assert "Tino Sehgal" in text and "Jazz Room" not in text


def test_several_dates_in_the_calendar_file_are_separate_events(catalog: Catalog) -> None:
    content = events_to_ics([_event(catalog, "Jazz Room")], now=TODAY, name="test")
    vevents = icalendar.Calendar.from_ical(content).walk("VEVENT")
    days = sorted(e["dtstart"].dt for e in vevents)
    assert days == [dt.date(2026, 2, 1), dt.date(2026, 3, 7)]
    assert all("rrule" not in e and "rdate" not in e for e in vevents)
    ends = [e["dtend"].dt for e in vevents if "dtend" in e]
    assert all(end - start <= dt.timedelta(days=1) for end, start in zip(ends, days, strict=False))


def test_the_calendar_file_keeps_a_festivals_program(catalog: Catalog) -> None:
    content = events_to_ics([_event(catalog, "Carnival")], now=TODAY, name="test")
    (vevent,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert (vevent["dtstart"].dt, vevent["dtend"].dt) == (
        dt.date(2026, 2, 12),
        dt.date(2026, 2, 18),
    )
    assert "Naval Combat (Feb. 14)" in str(vevent["description"])


def test_several_dates_are_not_on_now_between_them(catalog: Catalog) -> None:
    jazz = _event(catalog, "Jazz Room")
    assert event_status(jazz, _at("2026-02-15", 21)) == "upcoming"
    assert event_status(jazz, _at("2026-03-08")) == "past"


# --- 3. a run that overlaps a month is in that month ----------------------------------


def test_a_run_from_january_is_a_february_listing_in_every_form(
    catalog: Catalog, answers: Answers
) -> None:
    events = all_events(catalog)
    other_years = same_month_other_years(events, _parse(catalog, "guadalajara feb"))
    assert any("Tino Sehgal" in e.title for e in other_years)
    text = _text(answers.events("guadalajara feb", now=TODAY, lang="en"))
    assert "The listings I have for that month are from 2026" in text
    assert "Tino Sehgal" in text
    assert "Tino Sehgal presents his first exhibit in Mexico at MAZ" in _titles(
        catalog, "february 2026"
    )
    # March is the Sehgal run's last day and the Jazz Room's second date.
    march = {e.title for e in same_month_other_years(events, _parse(catalog, "march"))}
    assert "Jazz Room" in march and any("Tino" in t for t in march)
    assert not any("Swan Lake" in t for t in march)


# --- 3. no start time: never "on now" by the clock ------------------------------------


def test_a_listing_without_a_start_time_is_today_not_on_now(catalog: Catalog) -> None:
    jazz = _event(catalog, "Jazz Room")  # "Feb. 1": no time
    assert event_status(jazz, FEB_FIRST) == "today"
    html = render_event(jazz, now=FEB_FIRST, lang="en", cite=None)
    assert "(today)" in html and "on now" not in html


def test_on_now_needs_a_start_and_an_end(catalog: Catalog) -> None:
    ride = _event(catalog, "RecreActiva")  # 7 Feb, 19:00-23:00
    assert event_status(ride, _at("2026-02-07", 18, 59)) == "today"
    assert event_status(ride, _at("2026-02-07", 20)) == "ongoing"
    assert event_status(ride, _at("2026-02-07", 23)) == "past"
    swan = _event(catalog, "Swan Lake")  # 27 Feb at 20:30, no end given
    assert event_status(swan, _at("2026-02-27", 21)) == "today"
    assert event_status(swan, _at("2026-02-28", 9)) == "today"  # the second evening
    carnival = _event(catalog, "Carnival")  # 12-17 Feb: a span of days
    assert event_status(carnival, _at("2026-02-14")) == "ongoing"
    sehgal = _event(catalog, "Tino Sehgal")  # 29 Jan to 1 Mar, Tue-Sun 10:00-18:00
    assert event_status(sehgal, _at("2026-02-10")) == "ongoing"  # a Tuesday at noon
    assert event_status(sehgal, _at("2026-02-10", 9)) == "running"  # before opening
    assert event_status(sehgal, _at("2026-02-09")) == "running"  # closed on Mondays
    assert event_status(sehgal, _at("2026-01-28")) == "upcoming"


# --- 3. long notes are shown, paged ---------------------------------------------------


def test_a_festivals_program_is_shown_not_dropped(catalog: Catalog, answers: Answers) -> None:
    program = "the traditional Naval Combat (Feb. 14) and carnival parades (Feb. 15 and 17)"
    carnival = _event(catalog, "Carnival")
    assert any(len(note) > 200 for note in carnival.notes)
    assert program in to_plain(render_event(carnival, now=TODAY, lang="en", cite=None))
    reply = answers.events("festival", now=TODAY, lang="en")
    assert program in _text(reply)
    # Cited to its own paragraph, not to the one with the carnival's dates.
    (note_source,) = carnival.note_sources
    assert note_source.paragraph != carnival.source.paragraph
    line = next(line for line in _text(reply).splitlines() if "Naval Combat" in line)
    assert line.endswith(f"¶{note_source.paragraph}]")


def test_a_listing_longer_than_a_screen_is_paged_between_lines(catalog: Catalog) -> None:
    import dataclasses

    from bot.conversation.render import SCREEN_LIMIT, paginate, utf16_len

    carnival = _event(catalog, "Carnival")
    long = dataclasses.replace(carnival, notes=carnival.notes * 12)
    pages = paginate([render_event(long, now=TODAY, lang="en", cite=None)], SCREEN_LIMIT)
    assert len(pages) > 1 and all(utf16_len(p) <= SCREEN_LIMIT for p in pages)
    assert sum(p.count("Naval Combat") for p in pages) == 12


# --- 3. next date by its rule, counts and calendar buttons ----------------------------


def test_next_date_by_rule_is_not_the_listings_own_date(catalog: Catalog) -> None:
    ride = _event(catalog, "RecreActiva")
    before = render_event(ride, now=FEB_FIRST, lang="en", cite=None)
    assert "next date by its rule" not in before  # it would say 7 Feb, the listed date
    after = render_event(ride, now=TODAY, lang="en", cite=None)
    assert "next date by its rule: Sat 5 Dec 2026, 19:00" in after
    sehgal = _event(catalog, "Tino Sehgal")  # an opening day inside the run is the run
    assert "next date by its rule" not in render_event(
        sehgal, now=_at("2026-02-10"), lang="en", cite=None
    )


def test_counts_read_as_english_and_spanish(answers: Answers) -> None:
    listings = answers.events("zapopan feb 2026", now=TODAY, lang="en")
    (all_button,) = [b for row in listings.buttons for b in row if "Add all" in b.text]
    two = answers.button(all_button.data, now=TODAY, lang="en").attachment
    assert two is not None and two.caption.startswith("2 listings for your calendar")
    one = answers.calendar_one(0, now=TODAY, lang="en").attachment
    assert one is not None and one.caption.startswith("1 listing for your calendar")
    uno = answers.calendar_one(0, now=TODAY, lang="es").attachment
    assert uno is not None and uno.caption.startswith("1 evento para tu calendario")
    assert "(s)" not in two.caption + one.caption + uno.caption


def test_one_listing_has_add_to_calendar_not_add_all_1(catalog: Catalog, answers: Answers) -> None:
    topic = catalog.topic("carnival")
    assert topic is not None
    labels = _labels(answers.briefing(topic, now=TODAY, lang="en"))
    assert "📅 Add to calendar (past)" in labels
    assert not any("Add all 1" in label for label in labels)
    free = _labels(answers.events("free", now=TODAY, lang="en"))
    assert [label for label in free if label.startswith("📅")] == ["📅 Via RecreActiva Nocturna"]


def test_calendar_buttons_say_when_every_date_has_passed(answers: Answers) -> None:
    past = _labels(answers.events("zapopan feb 2026", now=TODAY, lang="en"))
    calendar = [label for label in past if label.startswith("📅")]
    assert calendar == [
        "📅 Tino Sehgal presents his fi… (past)",
        "📅 Jazz Room (past)",
        "📅 Add all 2 to calendar (all past)",
    ]
    ahead = _labels(answers.events("zapopan feb 2026", now=FEB_FIRST, lang="en"))
    assert not any("past" in label for label in ahead)
    # The monthly ride's rule gives later dates, so its file is not only the past.
    ride = _labels(answers.events("guadalajara feb 2026", now=TODAY, lang="en"))
    assert "📅 Via RecreActiva Nocturna" in ride and "📅 Add all 5 to calendar" in ride
    spanish = _labels(answers.events("zapopan feb 2026", now=TODAY, lang="es"))
    assert "📅 Añadir los 2 al calendario (ya pasados)" in spanish


# --- 4. filters people use ------------------------------------------------------------


def test_kinds_come_from_the_listings_own_words(catalog: Catalog) -> None:
    kinds = {e.title: kinds_of(e) for e in all_events(catalog)}
    assert kinds["Jazz Room"] == {"music", "nightlife"}
    assert "dance" in kinds["Moscow State Ballet performs the classic ‘Swan Lake’"]
    assert kinds["Tino Sehgal presents his first exhibit in Mexico at MAZ"] == {"art"}
    assert kinds["Via RecreActiva Nocturna"] == {"sports"}
    assert kinds["Mazatlán Carnival 2026"] == {"festival"}
    assert "music" in kinds["Dance to modern synth pop with Nation of Language"]
    assert not any("family" in found for found in kinds.values())


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("music", {"Jazz Room", "Dance to modern synth pop with Nation of Language"}),
        ("música", {"Jazz Room", "Dance to modern synth pop with Nation of Language"}),
        ("conciertos", {"Jazz Room", "Dance to modern synth pop with Nation of Language"}),
        ("ballet", {"Moscow State Ballet performs the classic ‘Swan Lake’"}),
        ("danza", {"Moscow State Ballet performs the classic ‘Swan Lake’"}),
        ("exposiciones", {"Tino Sehgal presents his first exhibit in Mexico at MAZ"}),
        ("art", {"Tino Sehgal presents his first exhibit in Mexico at MAZ"}),
        ("sports", {"Via RecreActiva Nocturna"}),
        ("festivals", {"Mazatlán Carnival 2026"}),
        ("carnaval", {"Mazatlán Carnival 2026"}),
        ("nightlife", {"Jazz Room", "Dance to modern synth pop with Nation of Language"}),
        ("family", set()),
        ("free", {"Via RecreActiva Nocturna"}),
        ("gratis", {"Via RecreActiva Nocturna"}),
        (
            "under 500",
            {
                "Jazz Room",
                "Via RecreActiva Nocturna",
                "Moscow State Ballet performs the classic ‘Swan Lake’",
            },
        ),
        ("menos de $450 pesos", {"Jazz Room", "Via RecreActiva Nocturna"}),
        ("music under 500", {"Jazz Room"}),
        ("guadalajara music", {"Jazz Room", "Dance to modern synth pop with Nation of Language"}),
        ("zapopan música", {"Jazz Room"}),
    ],
)
def test_filters_by_price_and_kind(catalog: Catalog, words: str, expected: set[str]) -> None:
    assert _titles(catalog, f"{words} 2026") == expected


def test_filters_combine_in_any_order(catalog: Catalog) -> None:
    one = _parse(catalog, "guadalajara free feb 2026")
    assert one == _parse(catalog, "gratis 2026 feb guadalajara")
    assert (one.city, one.free, one.start) == ("guadalajara", True, dt.date(2026, 2, 1))
    mixed = _parse(catalog, "under 500 música this weekend zapopan")
    assert mixed.max_price == 500 and mixed.kinds == ("music",) and mixed.city == "zapopan"
    assert mixed.start == dt.date(2026, 11, 28)
    assert EventQuery.from_key(mixed.key()) == mixed
    assert EventQuery.from_key(one.key()) == one
    assert _parse(catalog, "<500").max_price == 500
    with pytest.raises(FilterError) as junk:
        _parse(catalog, "<x>")
    assert "“<x>”" in str(junk.value)
    with pytest.raises(FilterError) as error:
        _parse(catalog, "free xyzzy")
    assert "free, under 500" in str(error.value)


def test_free_text_reaches_the_same_filters(answers: Answers) -> None:
    reply = answers.free_text("anything free in guadalajara this weekend", now=TODAY, lang="en")
    text = _text(reply)
    assert text.startswith("Listings · Guadalajara · free · 28 Nov 2026 – 29 Nov 2026")
    assert "Via RecreActiva Nocturna" in text and "Swan Lake" not in text
    spanish = _text(answers.free_text("conciertos en zapopan 2026", now=TODAY, lang="es"))
    assert spanish.startswith("Cartelera · Zapopan · música") and "Jazz Room" in spanish
    assert "Nation of Language" not in spanish
    # A topic's own words still open the topic, even with a filter word in them.
    assert _text(answers.free_text("free trade cuba", now=TODAY, lang="en")).startswith("Cuba")


def test_a_digest_subscription_says_filters_are_for_events(catalog: Catalog) -> None:
    with pytest.raises(SubscribeError) as error:
        parse_request(catalog, "events guadalajara free monthly 09:00", now=TODAY)
    assert "filters such as free or music are for /events" in str(error.value)
    assert "gratis o música son para /eventos" in error.value.text("es")


def test_many_filters_at_once_still_make_buttons_telegram_takes(answers: Answers) -> None:
    from bot.conversation import callbacks

    words = "guadalajara feb música gratis under 500 arte danza familia deportes"
    for lang in ("en", "es"):
        reply = answers.events(words, now=TODAY, lang=lang)
        assert reply.understood and reply.messages
        for row in reply.buttons:
            for button in row:
                assert button.data is None or callbacks.decode(button.data) is not None
                if button.data and callbacks.decode(button.data).kind == "events":
                    page = answers.button(button.data, now=TODAY, lang=lang)
                    assert page.messages and page.understood
