"""/timezone: IANA names, cities people name, typos, and what is not a place."""

from __future__ import annotations

import pytest

from bot.timezones import resolve_timezone, suggest_timezones


@pytest.mark.parametrize(
    ("text", "zone", "exact"),
    [
        ("America/Mexico_City", "America/Mexico_City", True),
        ("america/mexico_city", "America/Mexico_City", True),
        ("  Europe/Madrid  ", "Europe/Madrid", True),
        ("UTC", "UTC", True),
        ("guadalajara", "America/Mexico_City", True),
        ("Ciudad de México", "America/Mexico_City", True),
        ("cdmx", "America/Mexico_City", True),
        ("madrid", "Europe/Madrid", True),
        ("new york", "America/New_York", True),
        ("Nueva York", "America/New_York", True),
        ("londres", "Europe/London", True),
        ("la habana", "America/Havana", True),
        ("monterrey", "America/Monterrey", True),
        ("madird", "Europe/Madrid", False),
        ("guadalajra", "America/Mexico_City", False),
        ("berln", "Europe/Berlin", False),
    ],
)
def test_places_and_names(text: str, zone: str, exact: bool) -> None:
    match = resolve_timezone(text)
    assert match is not None and (match.zone, match.exact) == (zone, exact)


def test_a_guess_names_the_place_it_took() -> None:
    match = resolve_timezone("madird")
    assert match is not None and match.label == "Madrid (Europe/Madrid)"


@pytest.mark.parametrize("text", ["banana", "xyz", "Mars/Olympus", "", "25:00", "x" * 300])
def test_what_is_not_a_place(text: str) -> None:
    assert resolve_timezone(text) is None


def test_suggestions_for_a_near_miss() -> None:
    assert any(s.zone == "Europe/Madrid" for s in suggest_timezones("madridd city"))
    assert suggest_timezones("") == []
