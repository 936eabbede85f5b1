"""Schedules in the reader's zone: DST, short months, quiet hours, periods, parsing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import (
    Cadence,
    QuietHours,
    Schedule,
    ScheduleInputError,
    delivery_time,
    describe,
    parse_cadence,
    parse_quiet_hours,
    parse_time,
)

UTC = dt.UTC
NEW_YORK = "America/New_York"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_local_time_holds_across_daylight_saving_in_new_york() -> None:
    daily = Schedule(Cadence("daily"), dt.time(7, 30), NEW_YORK)
    assert daily.next_slot(at(2026, 3, 7, 0, 0)) == at(2026, 3, 7, 12, 30)  # EST
    assert daily.next_slot(at(2026, 3, 7, 12, 30)) == at(2026, 3, 8, 11, 30)  # EDT
    assert daily.next_slot(at(2026, 10, 31, 12, 0)) == at(2026, 11, 1, 12, 30)  # EST again


def test_local_time_holds_across_daylight_saving_in_madrid() -> None:
    daily = Schedule(Cadence("daily"), dt.time(9, 0), "Europe/Madrid")
    assert daily.next_slot(at(2026, 3, 28, 12, 0)) == at(2026, 3, 29, 7, 0)  # CEST
    assert daily.next_slot(at(2026, 10, 24, 12, 0)) == at(2026, 10, 25, 8, 0)  # CET


def test_a_time_in_the_spring_forward_gap_is_sent_once_an_hour_later() -> None:
    daily = Schedule(Cadence("daily"), dt.time(2, 30), NEW_YORK)
    slot = daily.next_slot(at(2026, 3, 8, 0, 0))
    assert slot == at(2026, 3, 8, 7, 30)
    assert slot.astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M") == "03:30"
    assert daily.next_slot(slot) == at(2026, 3, 9, 6, 30)  # 02:30 EDT the next day


def test_an_ambiguous_time_on_the_fall_back_day_is_sent_once_at_the_first() -> None:
    daily = Schedule(Cadence("daily"), dt.time(1, 30), NEW_YORK)
    first = daily.next_slot(at(2026, 11, 1, 0, 0))
    assert first == at(2026, 11, 1, 5, 30)  # 01:30 EDT, not 01:30 EST an hour later
    assert daily.next_slot(first) == at(2026, 11, 2, 6, 30)


def test_mexico_city_has_no_daylight_saving_any_more() -> None:
    daily = Schedule(Cadence("daily"), dt.time(9, 0), "America/Mexico_City")
    for month in (1, 4, 7, 10):
        assert daily.next_slot(at(2026, month, 1, 0, 0)).hour == 15


def test_monthly_day_31_is_the_last_day_of_shorter_months() -> None:
    monthly = Schedule(Cadence("monthly", 31), dt.time(9, 0), "UTC")
    assert monthly.next_slot(at(2026, 2, 1)) == at(2026, 2, 28, 9, 0)
    assert monthly.next_slot(at(2028, 2, 1)) == at(2028, 2, 29, 9, 0)  # a leap year
    assert monthly.next_slot(at(2026, 3, 1)) == at(2026, 3, 31, 9, 0)
    assert monthly.period_key(at(2026, 2, 28, 9, 0)) == "2026-02"
    thirtieth = Schedule(Cadence("monthly", 30), dt.time(9, 0), "UTC")
    assert thirtieth.next_slot(at(2026, 3, 1)) == at(2026, 3, 30, 9, 0)  # once, not twice
    assert thirtieth.next_slot(at(2026, 3, 30, 9, 0)) == at(2026, 4, 30, 9, 0)


def test_weekly_slots_and_iso_week_periods() -> None:
    weekly = Schedule(Cadence("weekly", 0), dt.time(8, 0), "America/Mexico_City")
    slot = weekly.next_slot(at(2026, 11, 25, 18, 0))  # a Wednesday
    assert slot == at(2026, 11, 30, 14, 0) and weekly.period_key(slot) == "2026-W49"


def test_next_is_strictly_after_and_latest_includes_the_moment() -> None:
    daily = Schedule(Cadence("daily"), dt.time(7, 30), "UTC")
    slot = at(2026, 5, 1, 7, 30)
    assert daily.next_slot(slot) == at(2026, 5, 2, 7, 30)
    assert daily.latest_slot(slot) == slot
    assert daily.latest_slot(at(2026, 5, 1, 7, 29)) == at(2026, 4, 30, 7, 30)
    assert daily.period_key(slot) == "2026-05-01"


def test_the_period_is_the_local_date() -> None:
    daily = Schedule(Cadence("daily"), dt.time(23, 30), "America/Mexico_City")
    slot = daily.next_slot(at(2026, 11, 25, 12, 0))
    assert slot == at(2026, 11, 26, 5, 30) and daily.period_key(slot) == "2026-11-25"


@pytest.mark.parametrize(
    ("quiet", "slot_local", "expected_local"),
    [
        (("22:00", "07:00"), (2026, 11, 25, 23, 30), (2026, 11, 26, 7, 0)),
        (("22:00", "07:00"), (2026, 11, 26, 6, 0), (2026, 11, 26, 7, 0)),
        (("22:00", "07:00"), (2026, 11, 26, 8, 0), (2026, 11, 26, 8, 0)),
        (("22:00", "07:00"), (2026, 11, 26, 7, 0), (2026, 11, 26, 7, 0)),  # end is open
        (("13:00", "14:00"), (2026, 11, 26, 13, 30), (2026, 11, 26, 14, 0)),
    ],
)
def test_quiet_hours_move_a_delivery_to_their_end(
    quiet: tuple[str, str], slot_local: tuple[int, ...], expected_local: tuple[int, ...]
) -> None:
    zone = ZoneInfo("America/Mexico_City")
    window = QuietHours(dt.time.fromisoformat(quiet[0]), dt.time.fromisoformat(quiet[1]))
    slot = dt.datetime(*slot_local, tzinfo=zone)
    moved = delivery_time(slot, "America/Mexico_City", window)
    assert moved == dt.datetime(*expected_local, tzinfo=zone)


def test_the_end_of_quiet_hours_is_local_across_a_dst_change() -> None:
    window = QuietHours(dt.time(22, 0), dt.time(7, 0))
    slot = dt.datetime(2026, 3, 7, 23, 0, tzinfo=ZoneInfo(NEW_YORK))  # EST
    assert delivery_time(slot, NEW_YORK, window) == at(2026, 3, 8, 11, 0)  # 07:00 EDT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", (7, 30)),
        ("7:30", (7, 30)),
        ("7am", (7, 0)),
        ("7:30pm", (19, 30)),
        ("12am", (0, 0)),
        ("19h", (19, 0)),
        ("19.30", (19, 30)),
        ("9", (9, 0)),
    ],
)
def test_times_people_write(text: str, expected: tuple[int, int]) -> None:
    assert parse_time(text) == dt.time(*expected)


@pytest.mark.parametrize("text", ["25:00", "7:75", "noon", "13pm", "", "-1:00", "0730x"])
def test_impossible_times_say_what_was_expected(text: str) -> None:
    with pytest.raises(ScheduleInputError, match="HH:MM"):
        parse_time(text)


def test_quiet_hours_parsing() -> None:
    assert parse_quiet_hours("22:00-07:00") == QuietHours(dt.time(22), dt.time(7))
    assert parse_quiet_hours("22 - 7") == QuietHours(dt.time(22), dt.time(7))
    assert parse_quiet_hours("off") is None and parse_quiet_hours("ninguna") is None
    for bad in ("soon", "22:00", "25:00-07:00", "07:00-07:00"):
        with pytest.raises(ScheduleInputError, match="quiet"):
            parse_quiet_hours(bad)


@pytest.mark.parametrize(
    ("words", "cadence", "rest"),
    [
        ("daily 07:30", Cadence("daily"), ["07:30"]),
        ("every day 07:30", Cadence("daily"), ["07:30"]),
        ("cada día 07:30", Cadence("daily"), ["07:30"]),
        ("weekly mon 08:00", Cadence("weekly", 0), ["08:00"]),
        ("weekly on friday 18:00", Cadence("weekly", 4), ["18:00"]),
        ("semanal miércoles 9:00", Cadence("weekly", 2), ["9:00"]),
        ("every sunday 10:00", Cadence("weekly", 6), ["10:00"]),
        ("weekly 08:00", Cadence("weekly", 0), ["08:00"]),
        ("monthly 09:00", Cadence("monthly", 1), ["09:00"]),
        ("monthly 15 09:00", Cadence("monthly", 15), ["09:00"]),
        ("mensual el 1 09:00", Cadence("monthly", 1), ["09:00"]),
        ("monthly 1st", Cadence("monthly", 1), []),
    ],
)
def test_cadences_in_english_and_spanish(words: str, cadence: Cadence, rest: list[str]) -> None:
    assert parse_cadence(words.split()) == (cadence, rest)


@pytest.mark.parametrize("words", ["fortnightly 07:30", "weekly someday 07:30", "every 07:30"])
def test_unreadable_cadences(words: str) -> None:
    with pytest.raises(ScheduleInputError) as raised:
        parse_cadence(words.split())
    assert "daily 07:30" in str(raised.value) and "diario" in raised.value.spanish


def test_describe_in_both_languages() -> None:
    weekly = Schedule(Cadence("weekly", 0), dt.time(8, 0), "UTC")
    assert describe(weekly, "en") == "every Monday at 08:00"
    assert describe(weekly, "es") == "cada lunes a las 08:00"
    monthly = Schedule(Cadence("monthly", 1), dt.time(9, 0), "UTC")
    assert describe(monthly, "es") == "el día 1 de cada mes a las 09:00"
    last = Schedule(Cadence("monthly", 31), dt.time(9, 0), "UTC")
    assert describe(last, "en") == "on the last day of every month at 09:00"
