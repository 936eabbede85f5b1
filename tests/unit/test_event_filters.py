"""/events filters: city, month and relative ranges, judged with an injected clock."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.conversation.event_filters import (
    EventQuery,
    FilterError,
    all_events,
    filter_events,
    known_cities,
    parse_event_query,
    select_events,
)
from briefings.model import Catalog
from tests.conftest import FEB_FIRST, TODAY


def _parse(catalog: Catalog, text: str, now: dt.datetime = TODAY) -> EventQuery:
    return parse_event_query(text, now=now, cities=known_cities(all_events(catalog)))


def _titles(catalog: Catalog, query: EventQuery) -> list[str]:
    return [e.title for e in filter_events(all_events(catalog), query)]


def test_city_and_month_in_any_order(catalog: Catalog) -> None:
    one = _parse(catalog, "guadalajara february", FEB_FIRST)
    other = _parse(catalog, "feb Guadalajara", FEB_FIRST)
    assert one == other
    assert one.city == "guadalajara"
    assert (one.start, one.end) == (dt.date(2026, 2, 1), dt.date(2026, 3, 1))


def test_a_month_without_year_means_the_next_such_month(catalog: Catalog) -> None:
    assert _parse(catalog, "feb", TODAY).start == dt.date(2027, 2, 1)
    assert _parse(catalog, "feb", FEB_FIRST).start == dt.date(2026, 2, 1)
    assert _parse(catalog, "feb 2026", TODAY).start == dt.date(2026, 2, 1)
    assert _parse(catalog, "febrero", FEB_FIRST).start == dt.date(2026, 2, 1)


def test_relative_ranges(catalog: Catalog) -> None:
    # 25 Nov 2026 is a Wednesday.
    week = _parse(catalog, "this week")
    assert (week.start, week.end) == (dt.date(2026, 11, 25), dt.date(2026, 11, 30))
    following = _parse(catalog, "next week")
    assert (following.start, following.end) == (dt.date(2026, 11, 30), dt.date(2026, 12, 7))
    month = _parse(catalog, "next month")
    assert (month.start, month.end) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    weekend = _parse(catalog, "this weekend")
    assert weekend.start == dt.date(2026, 11, 28)
    assert _parse(catalog, "próximo mes") == month


def test_city_typos_are_forgiven_but_junk_is_explained(catalog: Catalog) -> None:
    assert _parse(catalog, "guadalajra").city == "guadalajara"
    assert _parse(catalog, "zapopan").city == "zapopan"
    with pytest.raises(FilterError) as error:
        _parse(catalog, "guadalajara xyzzy")
    assert "xyzzy" in str(error.value) and "/events guadalajara feb" in str(error.value)


def test_february_in_guadalajara_has_the_five_city_listings(catalog: Catalog) -> None:
    titles = _titles(catalog, _parse(catalog, "guadalajara feb", FEB_FIRST))
    assert len(titles) == 5
    assert "Mazatlán Carnival 2026" not in titles
    assert any("Swan Lake" in t for t in titles)


def test_zapopan_matches_only_zapopan_venues(catalog: Catalog) -> None:
    titles = _titles(catalog, _parse(catalog, "zapopan"))
    assert titles and all("Swan Lake" not in t for t in titles)
    assert any("Jazz Room" in t for t in titles)


def test_a_recurring_listing_is_projected_into_a_later_month(catalog: Catalog) -> None:
    selection = select_events(all_events(catalog), _parse(catalog, "next month"))
    assert not selection.listed
    ((event_id, date),) = selection.projected.items()
    assert "recreactiva" in event_id
    assert date.date() == dt.date(2026, 12, 5) and date.hour == 19


def test_an_exhibition_run_is_listed_in_every_month_it_covers(catalog: Catalog) -> None:
    selection = select_events(all_events(catalog), _parse(catalog, "feb 2026"))
    listed = [e.title for e in selection.listed]
    assert any("Tino Sehgal" in t for t in listed)
    assert not selection.projected


def test_query_key_round_trips(catalog: Catalog) -> None:
    query = _parse(catalog, "guadalajara feb 2026")
    again = EventQuery.from_key(query.key())
    assert (again.city, again.start, again.end) == (query.city, query.start, query.end)


def test_a_word_it_cannot_read_is_quoted_short(catalog: Catalog) -> None:
    """Found by fuzzing: ``/events`` and a 5,000-letter word made an answer too long to send."""
    with pytest.raises(FilterError) as raised:
        _parse(catalog, "guadalajara " + "q" * 5000)
    assert f"“{'q' * 63}…”" in str(raised.value) and len(str(raised.value)) < 500


def test_a_year_in_other_digits_is_explained_not_read(catalog: Catalog) -> None:
    """Folding turned "²⁰²⁶" into 2026."""
    with pytest.raises(FilterError) as raised:
        _parse(catalog, "guadalajara feb ²⁰²⁶")
    assert "“²⁰²⁶”" in str(raised.value)
