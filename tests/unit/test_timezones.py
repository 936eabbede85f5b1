"""/timezone: IANA names, cities people name, typos, and what is not a place."""

from __future__ import annotations

import zoneinfo

import pytest

from bot.subscriptions.timezones import ZoneMatch, resolve_timezone, suggest_timezones


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


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("EUROPE/MADRID", "Europe/Madrid"),
        ("america/mexico city", "America/Mexico_City"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        ("utc", "UTC"),
        ("Etc/UTC", "UTC"),
        ("Zulu", "UTC"),
        ("Europe/Oslo", "Europe/Oslo"),  # linked to Berlin since 2022, still Norway's name
        ("Atlantic/Reykjavik", "Atlantic/Reykjavik"),
    ],
)
def test_iana_names_in_any_case(text: str, zone: str) -> None:
    match = resolve_timezone(text)
    assert match is not None and (match.zone, match.exact) == (zone, True)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("US/Eastern", "US/Eastern (America/New_York)"),
        ("asia/calcutta", "Asia/Calcutta (Asia/Kolkata)"),
        ("Europe/Kiev", "Europe/Kiev (Europe/Kyiv)"),
        ("America/Buenos_Aires", "America/Buenos_Aires (America/Argentina/Buenos_Aires)"),
        ("GB", "GB (Europe/London)"),
    ],
)
def test_legacy_names_are_accepted_and_stored_under_their_current_name(
    text: str, label: str
) -> None:
    match = resolve_timezone(text)
    assert match is not None and match.exact and match.label == label
    assert f"({match.zone})" in label


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("zapopan", "America/Mexico_City"),
        ("Tlaquepaque", "America/Mexico_City"),
        ("CDMX", "America/Mexico_City"),
        ("ciudad de mexico", "America/Mexico_City"),
        ("DF", "America/Mexico_City"),
        ("mexico city", "America/Mexico_City"),
        ("cancún", "America/Cancun"),
        ("tijuana", "America/Tijuana"),
        ("puebla", "America/Mexico_City"),
        ("oaxaca", "America/Mexico_City"),
        ("Mérida", "America/Merida"),
        ("mazatlán", "America/Mazatlan"),
        ("havana", "America/Havana"),
        ("washington", "America/New_York"),
        ("new   york", "America/New_York"),
        ("san francisco", "America/Los_Angeles"),
        ("los_angeles", "America/Los_Angeles"),
        ("chicago", "America/Chicago"),
        ("houston", "America/Chicago"),
        ("miami", "America/New_York"),
        ("toronto", "America/Toronto"),
        ("vancouver", "America/Vancouver"),
        ("Bogotá", "America/Bogota"),
        ("lima", "America/Lima"),
        ("santiago", "America/Santiago"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("barcelona", "Europe/Madrid"),
        ("sevilla", "Europe/Madrid"),
        ("seville", "Europe/Madrid"),
        ("london", "Europe/London"),
        ("paris", "Europe/Paris"),
        ("París", "Europe/Paris"),
        ("berlin", "Europe/Berlin"),
        ("Berlín", "Europe/Berlin"),
        ("rome", "Europe/Rome"),
        ("roma", "Europe/Rome"),
        ("tokyo", "Asia/Tokyo"),
        ("sydney", "Australia/Sydney"),
        ("oslo", "Europe/Oslo"),
        ("Iceland", "Atlantic/Reykjavik"),  # a country with one zone; not the Abidjan link
        ("japan", "Asia/Tokyo"),
        ("Madrid, Spain", "Europe/Madrid"),
        ("Guadalajara, Jalisco", "America/Mexico_City"),
    ],
)
def test_places_people_name(text: str, zone: str) -> None:
    match = resolve_timezone(text)
    assert match is not None and (match.zone, match.exact) == (zone, True)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("new yrok", "America/New_York"),
        ("chicgo", "America/Chicago"),
        ("monterey", "America/Monterrey"),
        ("barcelonna", "Europe/Madrid"),
        ("Europe/Madird", "Europe/Madrid"),
        ("america/mexico_cty", "America/Mexico_City"),
    ],
)
def test_typos_are_guesses(text: str, zone: str) -> None:
    match = resolve_timezone(text)
    assert match is not None and (match.zone, match.exact) == (zone, False)


def test_labels_name_the_place_or_are_the_iana_name() -> None:
    assert resolve_timezone("guadalajara") == ZoneMatch(
        "America/Mexico_City", "Guadalajara (America/Mexico_City)", True
    )
    assert resolve_timezone("ciudad de méxico") == ZoneMatch(
        "America/Mexico_City", "Ciudad de México (America/Mexico_City)", True
    )
    assert resolve_timezone("europe/madrid") == ZoneMatch("Europe/Madrid", "Europe/Madrid", True)


@pytest.mark.parametrize(
    "text", ["   ", "lim", "12", "Europe/", "/", "Mars/Phobos", "localtime", "Factory", "a,b"]
)
def test_more_of_what_is_not_a_place(text: str) -> None:
    assert resolve_timezone(text) is None


def test_every_answer_is_a_zone_zoneinfo_loads() -> None:
    for text in ("guadalajara", "US/Eastern", "iceland", "madird", "Etc/UTC", "cdmx"):
        match = resolve_timezone(text)
        assert match is not None and zoneinfo.ZoneInfo(match.zone)


def test_suggestions_are_one_per_zone_and_never_exact() -> None:
    found = suggest_timezones("guadalajara jalisco mexico", limit=3)
    assert found[0].zone == "America/Mexico_City"
    assert len({s.zone for s in found}) == len(found) <= 3
    assert not any(s.exact for s in found)
    assert suggest_timezones("Europe/Madirdx")[0].zone == "Europe/Madrid"
    assert suggest_timezones("x" * 300) == []


@pytest.mark.parametrize(
    "text", ["Etc/GMT+14", "Etc/GMT+13", "etc/gmt-15", "Etc/GMT+⁴", "Etc/GMT+٤"]
)
def test_a_zone_name_with_numbers_is_itself_or_refused_never_another_offset(text: str) -> None:
    """ "Etc/GMT+14" is no zone (the database stops at +12); it was taken for Etc/GMT+4,
    ten hours away. A guess may mend letters, never numbers, and "⁴" is not a 4."""
    assert resolve_timezone(text) is None
    assert all(s.zone.endswith(("14", "13", "15")) for s in suggest_timezones(text))
    assert resolve_timezone("Etc/GMT-14") == ZoneMatch("Etc/GMT-14", "Etc/GMT-14", True)


@pytest.mark.parametrize("text", ["America/", "Europe/", "America/ ", "Asia/Ba"])
def test_an_area_without_a_city_is_asked_about_not_guessed(text: str) -> None:
    """ "America/" became America/Nuuk (or Adak): a city the person never named."""
    assert resolve_timezone(text) is None
    assert suggest_timezones(text), "the reply should offer a few names to choose from"
