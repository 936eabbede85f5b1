"""Every listing comes out with the right dates, times, venues and prices."""

from __future__ import annotations

import pytest

from briefings.chronology import YearGuess
from briefings.clean import clean_article
from briefings.events import events_by_article, extract_events, parse_price, parse_time_range
from briefings.model import Catalog, Event, Occurrence, Price
from briefings.segment import segment


def _events(catalog: Catalog) -> dict[str, Event]:
    briefing = catalog.briefing("events")
    assert briefing is not None
    return {e.title: e for e in briefing.events}


def test_six_listings_in_date_order(catalog: Catalog) -> None:
    briefing = catalog.briefing("events")
    assert briefing is not None
    assert [e.start for e in briefing.events] == sorted(e.start for e in briefing.events)
    assert len(briefing.events) == 6


def test_via_recreactiva_nocturna(catalog: Catalog) -> None:
    event = _events(catalog)["Via RecreActiva Nocturna"]
    assert (event.start, event.end) == ("2026-02-07T19:00", "2026-02-07T23:00")
    assert event.rrule == "FREQ=MONTHLY;BYDAY=1SA"
    assert event.price == Price(free=True)
    assert event.venue is not None and event.venue.startswith("Along Avenida Vallarta")
    assert (event.city, event.timezone) == ("Guadalajara", "America/Mexico_City")
    assert event.year_inferred and event.year_basis and "weekday" in event.year_basis


def test_swan_lake(catalog: Catalog) -> None:
    event = _events(catalog)["Moscow State Ballet performs the classic ‘Swan Lake’"]
    assert [o.start for o in event.occurrences] == ["2026-02-27T20:30", "2026-02-28T19:00"]
    assert (event.venue, event.city) == ("Teatro Diana", "Guadalajara")
    assert event.address == "Av. 16 de Septiembre 710, Mexicaltzingo"
    assert event.price == Price(
        amount="483.75", currency="MXN", minimum=True, note="not including fees"
    )
    assert event.year_inferred


def test_nation_of_language(catalog: Catalog) -> None:
    event = _events(catalog)["Dance to modern synth pop with Nation of Language"]
    assert (event.start, event.end) == ("2026-02-17T20:30", None)
    assert (event.venue, event.address) == (
        "C3 Rooftop",
        "Avenida Vallarta 1488, Colonia Americana",
    )
    assert event.price is not None
    assert (event.price.amount, event.price.currency, event.price.minimum) == ("650", "MXN", False)


def test_tino_sehgal_at_maz(catalog: Catalog) -> None:
    event = _events(catalog)["Tino Sehgal presents his first exhibit in Mexico at MAZ"]
    assert (event.start, event.end) == ("2026-01-29T10:00", "2026-03-01T18:00")
    assert event.venue == "MAZ (Museum of Contemporary Art Zapopan)"
    assert (event.city, event.area) == ("Zapopan", "Guadalajara")
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU,WE,TH,FR,SA,SU;UNTIL=20260302T000000Z"
    assert event.price is None  # the listing gives none, and none is invented


def test_jazz_room(catalog: Catalog) -> None:
    event = _events(catalog)["Jazz Room"]
    assert [o.start for o in event.occurrences] == ["2026-02-01", "2026-03-07"]
    assert event.venue == "Escénik Teatro Bar"
    assert event.age_limit == 18
    assert event.price == Price(
        amount="400", currency="MXN", minimum=True, note="not including service fees"
    )


def test_mazatlan_carnival(catalog: Catalog) -> None:
    event = _events(catalog)["Mazatlán Carnival 2026"]
    assert (event.start, event.end) == ("2026-02-12", "2026-02-17")
    assert (event.city, event.timezone) == ("Mazatlán", "America/Mazatlan")
    assert not event.year_inferred  # "Mazatlán's 2026 carnival" says the year
    assert any("Naval Combat" in note for note in event.notes)
    carnival = catalog.briefing("carnival")
    assert carnival is not None and [e.id for e in carnival.events] == [event.id]


def test_five_guadalajara_area_listings_in_february(catalog: Catalog) -> None:
    listings = [
        e
        for e in _events(catalog).values()
        if (e.area == "Guadalajara" and any(o.start.startswith("2026-02") for o in e.occurrences))
        or (e.area == "Guadalajara" and e.start < "2026-02" and (e.end or "") >= "2026-02")
    ]
    assert len(listings) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7-11 p.m.", ("19:00", "23:00")),
        ("8:30 p.m.", ("20:30", None)),
        ("10-6 p.m.", ("10:00", "18:00")),
        ("7 p.m.", ("19:00", None)),
        ("11 a.m.-2 p.m.", ("11:00", "14:00")),
        ("no time here", None),
    ],
)
def test_time_ranges(text: str, expected: tuple[str, str | None] | None) -> None:
    assert parse_time_range(text) == expected


@pytest.mark.parametrize(
    ("text", "price", "age"),
    [
        ("Always Free.", Price(free=True), None),
        ("Tickets from US $25, 21 and over.", Price(amount="25", currency="USD"), 21),
        ("Tickets: 1,200 pesos.", Price(amount="1200", currency="MXN"), None),
        ("Ask at the door.", None, None),
    ],
)
def test_prices(text: str, price: Price | None, age: int | None) -> None:
    assert parse_price(text) == (price, age)


def test_a_listing_without_a_year_records_the_inference() -> None:
    text = (
        "A guide to March. (Visit Mexico)\nMarch is a good month in Puebla.\n"
        "Talavera fair\nA fair of painted pottery in the old town.\n"
        "When: March 14 at 10 a.m.\nWhere: Museo Amparo, 2 Sur 708, Puebla\nCost: 80 pesos."
    )
    article = clean_article(segment("guide.txt", text)[0])
    [event] = extract_events(article, YearGuess(2027, "a test's reference year"))
    assert (event.start, event.city, event.venue) == ("2027-03-14T10:00", "Puebla", "Museo Amparo")
    assert event.year_inferred and event.year_basis == "a test's reference year"
    assert event.price == Price(amount="80", currency="MXN")


def test_a_spanish_venue_name_is_not_taken_for_a_spanish_post() -> None:
    text = (
        "What to do in Mexico City this April (Photo: CDMX Tourism)\n"
        "April brings warm afternoons and a packed cultural calendar to Mexico City.\n"
        "Café Tacvba in concert\nThe rock band from Ciudad Satélite plays a hometown show.\n"
        "When: Saturday, April 11, 2026 at 9 p.m.\n"
        "Where: Palacio de los Deportes, Av. Viaducto Río de la Piedad, Mexico City\n"
        "Cost: Tickets from $850 to $2,400 pesos on Ticketmaster."
    )
    article = clean_article(segment("guide.txt", text)[0])
    [event] = extract_events(article, None)
    assert (event.venue, event.city) == ("Palacio de los Deportes", "Mexico City")
    assert (event.start, event.year_inferred) == ("2026-04-11T21:00", False)
    assert event.price == Price(amount="850", currency="MXN", minimum=True)


def _listing(when: str, where: str = "Where: Teatro Diana, Guadalajara") -> list[Event]:
    text = (
        "A guide to February. (Visit Mexico)\nFebruary is a good month in Guadalajara.\n"
        f"A concert\nAn evening of music.\nWhen: {when}\n{where}\nCost: $100"
    )
    return extract_events(clean_article(segment("guide.txt", text)[0]), None)


@pytest.mark.parametrize(
    ("when", "occurrences"),
    [
        ("Feb. 7, 2026, 10 p.m.-2 a.m.", [Occurrence("2026-02-07T22:00", "2026-02-08T02:00")]),
        ("March 2026 at 7 p.m.", None),  # no day: no session
        ("Feb. 7, 2026 at 7:75 p.m.", [Occurrence("2026-02-07")]),  # no such time
        ("Feb. 29, 2026 at 7 p.m.", None),  # no such day
        ("Feb. 2-40, 2026", None),  # no such range
        ("Feb. 25-2, 2026", None),  # a range that ends before it starts
    ],
)
def test_a_listing_never_has_an_impossible_date_or_time(
    when: str, occurrences: list[Occurrence] | None
) -> None:
    """Found by fuzzing: "2026-03T19:00", "19:75" and "2026-02-40" reached the catalog and
    crashed the bot's renderer; reversed ranges and sessions past midnight ended before
    they began."""
    events = _listing(when)
    assert [list(e.occurrences) for e in events] == ([occurrences] if occurrences else [])


def test_a_listing_without_a_place_has_no_venue() -> None:
    """Found by fuzzing: an empty or missing "Where:" gave the venue "", not None."""
    for where in ("Where: ", "Cost: $100"):
        [event] = _listing("Feb. 7, 2026 at 7 p.m.", where)
        assert (event.venue, event.address) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7:75 p.m.", None), ("25 p.m.", None), ("10 p.m.-2 a.m.", ("22:00", "02:00"))],
)
def test_impossible_clock_times_are_no_times(
    text: str, expected: tuple[str, str | None] | None
) -> None:
    assert parse_time_range(text) == expected


def test_a_run_opens_before_it_closes_and_its_hours_say_no_none() -> None:
    """Found by fuzzing: a guide naming a later year put an undated launch after the run's
    end, and opening hours without a closing time read "Open Tue–Sun, 10:00–None"."""
    text = (
        "A guide to February. (Visit Mexico)\nFebruary is a good month in Guadalajara.\n"
        "An exhibit at MAZ\nLaunching on Jan. 29, the exhibit fills the museum.\n"
        "When: The exhibition runs until March 1, 2026. MAZ is open Tues-Sun, 10 a.m.\n"
        "Where: MAZ, Zapopan"
    )
    article = clean_article(segment("guide.txt", text)[0])
    [event] = extract_events(article, YearGuess(2099, "a guide that also names 2099"))
    assert (event.start, event.end, event.notes) == (
        "2026-01-29T10:00",
        "2026-03-01",
        ("Open Tue–Sun, 10:00",),
    )
    assert event.year_basis == "the run's end in 2026"


def test_sessions_listed_out_of_order_span_first_to_last() -> None:
    """Found by fuzzing: "Sept. 4, May 4" made an event that ended before it began."""
    [event] = _listing("Sept. 4, 2026 at 7 p.m., May 4, 2026 at 7 p.m.")
    assert [o.start for o in event.occurrences] == ["2026-05-04T19:00", "2026-09-04T19:00"]
    assert (event.start, event.end) == ("2026-05-04T19:00", "2026-09-04")


def test_two_listings_of_one_show_in_a_month_get_their_own_ids() -> None:
    """Found by fuzzing: two listings with one title and month shared an id, and the bot's
    list of all listings, which goes by id, showed only the first."""
    text = (
        "A guide to February. (Visit Mexico)\nFebruary is a good month in Guadalajara.\n"
        "Swan Lake\nThe ballet, in the evening.\nWhen: Feb. 7, 2026 at 7 p.m.\n"
        "Where: Teatro Diana, Guadalajara\n"
        "Swan-Lake\nThe ballet again, in the afternoon.\nWhen: Feb. 8, 2026 at 5 p.m.\n"
        "Where: Teatro Diana, Guadalajara"
    )
    article = clean_article(segment("guide.txt", text)[0])
    events = events_by_article([article], {})[article.key]
    assert [e.id for e in events] == ["swan-lake-2026-02", "swan-lake-2026-02-2"]
