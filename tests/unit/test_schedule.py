"""Schedules in the reader's zone: DST, short months, quiet hours, periods, parsing."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from bot.digests.schedule import (
    CADENCE_STARTS,
    WEEKDAYS,
    Cadence,
    QuietHours,
    Schedule,
    ScheduleInputError,
    delivery_time,
    describe,
    describe_cadence,
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


def test_new_york_is_five_hours_behind_before_the_change_and_four_after() -> None:
    daily = Schedule(Cadence("daily"), dt.time(7, 30), NEW_YORK)
    assert daily.latest_slot(at(2026, 3, 7, 23, 0)) == at(2026, 3, 7, 12, 30)
    assert daily.latest_slot(at(2026, 3, 8, 23, 0)) == at(2026, 3, 8, 11, 30)
    assert daily.latest_slot(at(2026, 11, 1, 23, 0)) == at(2026, 11, 1, 12, 30)


def test_the_gap_slot_is_also_the_latest_slot_once() -> None:
    daily = Schedule(Cadence("daily"), dt.time(2, 30), NEW_YORK)
    assert daily.latest_slot(at(2026, 3, 8, 7, 30)) == at(2026, 3, 8, 7, 30)
    assert daily.latest_slot(at(2026, 3, 8, 7, 29)) == at(2026, 3, 7, 7, 30)  # 02:30 EST


def test_the_repeated_hour_on_the_fall_back_day_does_not_bring_a_second_slot() -> None:
    daily = Schedule(Cadence("daily"), dt.time(1, 30), NEW_YORK)
    second_pass = at(2026, 11, 1, 6, 0)  # 01:00 EST, before the second 01:30
    assert daily.latest_slot(second_pass) == at(2026, 11, 1, 5, 30)
    assert daily.next_slot(second_pass) == at(2026, 11, 2, 6, 30)


@pytest.mark.parametrize(
    ("day", "year", "expected"),
    [(30, 2026, 28), (29, 2026, 28), (29, 2028, 29), (31, 2028, 29), (28, 2026, 28)],
)
def test_days_past_the_end_of_february_are_its_last_day(
    day: int, year: int, expected: int
) -> None:
    monthly = Schedule(Cadence("monthly", day), dt.time(9, 0), "Europe/Madrid")
    slot = monthly.next_slot(at(year, 2, 1))
    assert slot.astimezone(ZoneInfo("Europe/Madrid")).date() == dt.date(year, 2, expected)
    assert monthly.period_key(slot) == f"{year}-02"
    assert monthly.latest_slot(at(year, 3, 2)) == slot


def test_day_29_in_a_30_day_month_is_the_29th_once() -> None:
    monthly = Schedule(Cadence("monthly", 29), dt.time(9, 0), "UTC")
    assert monthly.next_slot(at(2026, 4, 1)) == at(2026, 4, 29, 9, 0)
    assert monthly.next_slot(at(2026, 4, 29, 9, 0)) == at(2026, 5, 29, 9, 0)


def test_mexico_city_is_utc_minus_six_all_year() -> None:
    daily = Schedule(Cadence("daily"), dt.time(9, 0), "America/Mexico_City")
    moment = at(2026, 1, 1)
    for _ in range(365):
        moment = daily.next_slot(moment)
        assert moment.time() == dt.time(15, 0)


def test_weekly_and_monthly_latest_slots() -> None:
    weekly = Schedule(Cadence("weekly", 4), dt.time(18, 0), "Europe/Madrid")  # Fridays
    assert weekly.latest_slot(at(2026, 3, 31, 12, 0)) == at(2026, 3, 27, 17, 0)  # CET
    assert weekly.next_slot(at(2026, 3, 31, 12, 0)) == at(2026, 4, 3, 16, 0)  # CEST
    monthly = Schedule(Cadence("monthly", 15), dt.time(9, 0), NEW_YORK)
    assert monthly.latest_slot(at(2026, 3, 15, 12, 0)) == at(2026, 2, 15, 14, 0)
    assert monthly.latest_slot(at(2026, 3, 15, 13, 0)) == at(2026, 3, 15, 13, 0)


def test_far_from_any_epoch_is_as_easy_as_today() -> None:
    daily = Schedule(Cadence("daily"), dt.time(7, 30), NEW_YORK)
    assert daily.next_slot(at(2399, 7, 1)) == at(2399, 7, 1, 11, 30)
    assert daily.latest_slot(at(1901, 1, 2)) == at(1901, 1, 1, 12, 30)


def test_a_naive_moment_is_refused_rather_than_read_in_the_hosts_zone() -> None:
    daily = Schedule(Cadence("daily"), dt.time(7, 30), NEW_YORK)
    with pytest.raises(ValueError, match="aware"):
        daily.next_slot(dt.datetime(2026, 3, 8, 12, 0))
    with pytest.raises(ValueError, match="aware"):
        daily.latest_slot(dt.datetime(2026, 3, 8, 12, 0))


def test_a_moment_in_another_zone_is_the_same_instant() -> None:
    daily = Schedule(Cadence("daily"), dt.time(7, 30), NEW_YORK)
    tokyo = dt.datetime(2026, 3, 9, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 15:00 UTC on the 8th
    assert daily.next_slot(tokyo) == at(2026, 3, 9, 11, 30)


@pytest.mark.parametrize(
    "zone", [NEW_YORK, "Europe/Madrid", "America/Mexico_City", "Australia/Lord_Howe", "UTC"]
)
@pytest.mark.parametrize(
    "cadence", [Cadence("daily"), Cadence("weekly", 6), Cadence("monthly", 31)]
)
@pytest.mark.parametrize("wall", [dt.time(0, 0), dt.time(1, 30), dt.time(2, 15), dt.time(23, 59)])
def test_a_year_of_slots_has_one_per_period_at_the_wall_time(
    zone: str, cadence: Cadence, wall: dt.time
) -> None:
    schedule = Schedule(cadence, wall, zone)
    slots = [schedule.next_slot(at(2025, 12, 31, 12, 0))]
    while slots[-1] < at(2027, 1, 1):
        slots.append(schedule.next_slot(slots[-1]))
    keys = [schedule.period_key(slot) for slot in slots]
    assert len(keys) == len(set(keys))  # never twice in a period
    expected = {"daily": 365, "weekly": 52, "monthly": 12}[cadence.kind]
    assert len([k for k in keys if k.startswith("2026")]) in (expected, expected + 1)
    for earlier, slot in itertools.pairwise(slots):
        local = slot.astimezone(ZoneInfo(zone))
        # The wall time, or later by the gap on a spring-forward day (Lord Howe's is 30 min).
        shift = dt.datetime.combine(local.date(), local.time()) - dt.datetime.combine(
            local.date(), wall
        )
        assert dt.timedelta(0) <= shift <= dt.timedelta(hours=1)
        assert schedule.latest_slot(slot) == slot
        assert schedule.latest_slot(slot - dt.timedelta(microseconds=1)) == earlier
        assert schedule.next_slot(earlier) == slot


def test_no_quiet_hours_and_an_empty_window_change_nothing() -> None:
    slot = at(2026, 5, 1, 3, 0)
    assert delivery_time(slot, NEW_YORK, None) == slot
    assert delivery_time(slot, NEW_YORK, QuietHours(dt.time(22), dt.time(22))) == slot


def test_quiet_hours_ending_in_the_spring_forward_gap_end_when_the_clock_resumes() -> None:
    window = QuietHours(dt.time(1, 0), dt.time(2, 30))
    slot = dt.datetime(2026, 3, 8, 1, 15, tzinfo=ZoneInfo(NEW_YORK))  # EST
    assert delivery_time(slot, NEW_YORK, window) == at(2026, 3, 8, 7, 30)  # 03:30 EDT


@pytest.mark.parametrize(
    ("start", "end", "inside", "outside"),
    [
        ((22, 0), (7, 0), [(22, 0), (23, 59), (0, 0), (6, 59)], [(7, 0), (12, 0), (21, 59)]),
        ((13, 0), (14, 0), [(13, 0), (13, 59)], [(12, 59), (14, 0), (0, 0)]),
        ((8, 0), (8, 0), [], [(8, 0), (0, 0), (23, 59)]),
    ],
)
def test_quiet_windows_include_their_start_and_not_their_end(
    start: tuple[int, int],
    end: tuple[int, int],
    inside: list[tuple[int, int]],
    outside: list[tuple[int, int]],
) -> None:
    window = QuietHours(dt.time(*start), dt.time(*end))
    assert all(window.contains(dt.time(*t)) for t in inside)
    assert not any(window.contains(dt.time(*t)) for t in outside)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12pm", (12, 0)), ("7:30 p.m.", (19, 30)), ("19h30", (19, 30)), ("00:00", (0, 0))],
)
def test_more_times_people_write(text: str, expected: tuple[int, int]) -> None:
    assert parse_time(text) == dt.time(*expected)


@pytest.mark.parametrize("text", ["0730", "24:00", "7:5", "0am", "7 30", "mediodía"])
def test_more_times_that_are_refused(text: str) -> None:
    with pytest.raises(ScheduleInputError) as raised:
        parse_time(text)
    assert "07:30" in str(raised.value) and "07:30" in raised.value.spanish


@pytest.mark.parametrize(
    "text",
    ["10pm-6am", "10pm to 6am", "10 pm - 6 am", "de 22:00 a 07:00", "entre 22 y 7", "22:00–07:00"],
)
def test_quiet_windows_written_in_words(text: str) -> None:
    assert parse_quiet_hours(text) in (
        QuietHours(dt.time(22), dt.time(6)),
        QuietHours(dt.time(22), dt.time(7)),
    )


@pytest.mark.parametrize("text", ["none", "no", "OFF", "desactivar"])
def test_quiet_hours_can_be_turned_off(text: str) -> None:
    assert parse_quiet_hours(text) is None


def test_quiet_hours_that_are_refused_say_so_in_both_languages() -> None:
    for bad in ("22:00-07:00-08:00", "night", "7-"):
        with pytest.raises(ScheduleInputError) as raised:
            parse_quiet_hours(bad)
        assert "22:00-07:00" in str(raised.value) and "silencio" in raised.value.spanish


@pytest.mark.parametrize(
    ("words", "cadence", "rest"),
    [
        ("diario 07:30", Cadence("daily"), ["07:30"]),
        ("diaria", Cadence("daily"), []),
        ("everyday 7am", Cadence("daily"), ["7am"]),
        ("todos los días 07:30", Cadence("daily"), ["07:30"]),
        ("daily at 07:30", Cadence("daily"), ["07:30"]),
        ("diario a las 7:30", Cadence("daily"), ["7:30"]),
        ("todos los lunes 8:00", Cadence("weekly", 0), ["8:00"]),
        ("cada semana el viernes a las 18:00", Cadence("weekly", 4), ["18:00"]),
        ("every week 08:00", Cadence("weekly", 0), ["08:00"]),
        ("semanal", Cadence("weekly", 0), []),
        ("every month on the 15th 09:00", Cadence("monthly", 15), ["09:00"]),
        ("cada mes", Cadence("monthly", 1), []),
        ("monthly last 09:00", Cadence("monthly", 31), ["09:00"]),
        ("mensual el último día 9:00", Cadence("monthly", 31), ["9:00"]),
        ("monthly 31 09:00", Cadence("monthly", 31), ["09:00"]),
        ("mensual 15o 9:00", Cadence("monthly", 15), ["9:00"]),
        ("monthly 15", Cadence("monthly", 1), ["15"]),  # a lone number is the time
    ],
)
def test_more_cadences(words: str, cadence: Cadence, rest: list[str]) -> None:
    assert parse_cadence(words.split()) == (cadence, rest)


@pytest.mark.parametrize(
    ("day", "names"),
    [
        (0, "mon monday lun lunes Lunes"),
        (1, "tue tues tuesday mar martes"),
        (2, "wed wednesday mié mie miércoles miercoles"),
        (3, "thu thur thursday jue jueves"),
        (4, "fri friday vie viernes"),
        (5, "sat saturday sáb sab sábado sabado"),
        (6, "sun sunday dom domingo"),
    ],
)
def test_every_weekday_in_english_and_spanish(day: int, names: str) -> None:
    for name in names.split():
        assert parse_cadence(["weekly", name, "08:00"]) == (Cadence("weekly", day), ["08:00"])
        assert parse_cadence(["cada", name]) == (Cadence("weekly", day), [])
    assert WEEKDAYS[day] == names.split()[0]


@pytest.mark.parametrize("words", ["monthly 32 09:00", "monthly 0 09:00", "mensual 45o"])
def test_days_that_are_not_in_a_month(words: str) -> None:
    with pytest.raises(ScheduleInputError, match="no day") as raised:
        parse_cadence(words.split())
    assert "mensual 1 09:00" in raised.value.spanish


@pytest.mark.parametrize("words", ["", "biweekly", "every other day", "monthly soon 09:00"])
def test_more_unreadable_cadences(words: str) -> None:
    with pytest.raises(ScheduleInputError):
        parse_cadence(words.split())


def test_input_errors_are_value_errors_with_both_languages() -> None:
    with pytest.raises(ValueError) as raised:
        parse_time("noon")
    assert isinstance(raised.value, ScheduleInputError)
    assert str(raised.value).startswith("“noon”") and raised.value.spanish.startswith("«noon»")


def test_every_cadence_word_is_a_start_a_caller_can_look_for() -> None:
    for word in ("daily", "diario", "everyday", "weekly", "semanal", "monthly", "mensual"):
        assert word in CADENCE_STARTS
    for word in ("every", "cada", "todos", "todas"):
        assert word in CADENCE_STARTS


@pytest.mark.parametrize(
    ("cadence", "wall", "english", "spanish"),
    [
        (Cadence("daily"), (7, 30), "every day at 07:30", "cada día a las 07:30"),
        (Cadence("weekly", 2), (8, 0), "every Wednesday at 08:00", "cada miércoles a las 08:00"),
        (
            Cadence("monthly", 1),
            (9, 0),
            "on day 1 of every month at 09:00",
            "el día 1 de cada mes a las 09:00",
        ),
        (
            Cadence("monthly", 30),
            (9, 0),
            "on day 30 (or the last day) of every month at 09:00",
            "el día 30 (o el último) de cada mes a las 09:00",
        ),
        (
            Cadence("monthly", 31),
            (9, 0),
            "on the last day of every month at 09:00",
            "el último día de cada mes a las 09:00",
        ),
        (Cadence("daily"), (1, 15), "every day at 01:15", "cada día a la 01:15"),
    ],
)
def test_descriptions(cadence: Cadence, wall: tuple[int, int], english: str, spanish: str) -> None:
    schedule = Schedule(cadence, dt.time(*wall), NEW_YORK)
    assert describe(schedule, "en") == english
    assert describe(schedule, "fr") == english  # English for any other language
    assert describe(schedule, "es") == spanish
    assert english.startswith(describe_cadence(cadence, "en"))
    assert spanish.startswith(describe_cadence(cadence, "es"))


@pytest.mark.parametrize("text", ["²", "٠٧:٣٠", "０７:３０", "7:3⁰", "¹pm"])
def test_a_time_with_digits_other_than_0_to_9_is_refused(text: str) -> None:
    """Folding read "²" as 2 and int() reads "٣" as 3: a time is written with 0-9."""
    with pytest.raises(ScheduleInputError, match="digits other than 0-9") as raised:
        parse_time(text)
    assert "dígitos que no son 0-9" in raised.value.text("es")


def test_quiet_hours_and_cadences_with_other_digits_are_refused() -> None:
    with pytest.raises(ScheduleInputError, match="“²²-⁷” has digits other than 0-9"):
        parse_quiet_hours("²²-⁷")
    with pytest.raises(ScheduleInputError, match="digits other than 0-9"):
        parse_cadence(["monthly", "¹⁵", "09:00"])
    with pytest.raises(ScheduleInputError, match="digits other than 0-9"):
        parse_cadence(["weekly", "²"])
