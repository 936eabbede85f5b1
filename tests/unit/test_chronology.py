"""Dates as news copy writes them, and the years a scrape lost."""

from __future__ import annotations

import pytest

from briefings.dates import find_dates, find_years, nth_weekday_phrase, year_from_weekday
from briefings.model import Catalog


def test_date_mentions_keep_their_precision() -> None:
    found = find_dates("On Feb. 2, in March 2025, from Feb. 12-17 and until March 1, 2026.")
    assert [(m.month, m.day, m.day_end, m.year) for m in found] == [
        (2, 2, None, None),
        (3, None, None, 2025),
        (2, 12, 17, None),
        (3, 1, None, 2026),
    ]
    assert [m.iso(2026) for m in found] == ["2026-02-02", "2025-03", "2026-02-12", "2026-03-01"]


def test_may_the_verb_is_not_a_date() -> None:
    assert find_dates("Officials may 12 times a year") == []


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("announced in 2013 and finished in 2022", [2013, 2022]),
        ("in the 1930s and 1980s", []),
        ("more than 2,400 municipalities", []),
        ("Mazatlán's 2026 carnival", [2026]),
    ],
)
def test_years_are_not_decades_or_amounts(text: str, years: list[int]) -> None:
    assert find_years(text) == years


def test_a_weekday_pins_the_year() -> None:
    assert nth_weekday_phrase("every first Saturday of the month") == (1, 5)
    assert year_from_weekday(2, 7, 5, near=2026) == 2026
    assert year_from_weekday(2, 7, 5, near=2025) == 2026  # Feb 7, 2025 was a Friday


def test_a_dateline_without_a_year_takes_it_from_the_related_article(catalog: Catalog) -> None:
    aid = next(a for a in catalog.articles if a.document.startswith("002"))
    assert (aid.date, aid.date_inferred) == ("2026-02-02", True)


def test_a_page_without_any_date_has_none(catalog: Catalog) -> None:
    wiki = next(a for a in catalog.articles if a.document.startswith("000"))
    assert wiki.date is None


def test_a_guide_is_dated_by_its_launch_not_its_listings(catalog: Catalog) -> None:
    carnival = next(a for a in catalog.articles if a.key.endswith("#7"))
    assert carnival.date == "2026"  # not Feb. 16, a date of its own programme


def test_a_date_that_does_not_exist_is_no_date() -> None:
    """Found by fuzzing: "Feb. 29" of a common year and "Feb. 25-2" reached the catalog."""
    [leap] = find_dates("On Feb. 29 the fair opens.")
    assert (leap.iso(2028), leap.iso(2026)) == ("2028-02-29", None)
    assert find_dates("from Feb. 25-2 and Feb. 2-40") == []
    [span] = find_dates("Feb. 12-17")
    assert (span.iso_end(2026), span.iso_end(None)) == ("2026-02-17", None)
