"""Subscriptions and digests end to end: real Application, real HTTP, real SQLite, a clock
the tests move. Times below are written in UTC next to the local time they stand for."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.digests.delivery import LEASE
from bot.operations.rate_limiter import FloodLimiter
from bot.store import Store, database_url
from localapi import FloodLimits
from tests import delivery_ledger
from tests.conftest import MEXICO_CITY, TODAY
from tests.e2e.conftest import MORNING, Harness, StartBot, subscribe_readers
from tests.postgres import free_port

UTC = dt.UTC
MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
FEBRUARY_TITLES = (
    "Tino Sehgal",
    "Jazz Room",
    "Via RecreActiva Nocturna",
    "Nation of Language",
    "Swan Lake",
)


def _nothing() -> dict[str, object]:
    """An update the bot ignores, pushed after others to know when they were handled."""
    return {
        "poll_id": "0",
        "option_ids": [],
        "user": {"id": 1, "is_bot": False, "first_name": "x"},
    }


def _texts(messages: list) -> str:  # type: ignore[type-arg]
    return "\n".join(m.plain for m in messages)


async def test_one_line_subscription_is_confirmed_with_its_next_delivery(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(1)
    [reply] = await bot.say(chat, user, "/subscribe cuba daily 07:30")
    assert "Subscribed" in reply.plain and "every day at 07:30" in reply.plain
    assert "America/Mexico_City" in reply.plain
    assert "Thu 26 Nov 2026, 07:30" in reply.plain  # tomorrow morning, local time
    [subscription] = await bot.digests.store.subscriptions_of([1])
    when, period = bot.digests.scheduler.planned[subscription.id]
    assert when == dt.datetime(2026, 11, 26, 13, 30, tzinfo=UTC) and period == "2026-11-26"


async def test_daily_digests_arrive_at_local_time_in_each_zone(start_bot: StartBot) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock)
    people = {}
    for user_id, zone in ((11, None), (12, "madrid"), (13, "America/New_York")):
        user, chat = bot.person(user_id)
        if zone:
            [reply] = await bot.say(chat, user, f"/timezone {zone}")
            assert "Time zone set" in reply.plain
        await bot.say(chat, user, "/subscribe missing daily 07:30")
        people[user_id] = len(bot.api.sent_to(user_id))

    def digests_to(user_id: int) -> int:
        return len(bot.api.sent_to(user_id)) - people[user_id]

    await bot.advance_to(dt.datetime(2026, 11, 26, 6, 29, tzinfo=UTC))  # 07:29 in Madrid
    assert [digests_to(u) for u in (11, 12, 13)] == [0, 0, 0]
    await bot.advance_to(dt.datetime(2026, 11, 26, 6, 30, tzinfo=UTC))  # 07:30 in Madrid
    assert (digests_to(11), digests_to(12), digests_to(13)) == (0, 1, 0)
    await bot.advance_to(dt.datetime(2026, 11, 26, 12, 30, tzinfo=UTC))  # 07:30 in New York
    assert (digests_to(11), digests_to(12), digests_to(13)) == (0, 1, 1)
    await bot.advance_to(dt.datetime(2026, 11, 26, 13, 30, tzinfo=UTC))  # 07:30 in Mexico City
    assert (digests_to(11), digests_to(12), digests_to(13)) == (1, 1, 1)
    digest = bot.api.sent_to(11)[-1]
    assert "Missing persons" in digest.plain or "missing" in digest.plain.lower()
    assert "your daily digest" in digest.plain and "Your first digest" in digest.plain
    # The next day's digest says honestly that nothing changed.
    await bot.advance_to(dt.datetime(2026, 11, 27, 13, 30, tzinfo=UTC))
    assert digests_to(11) == 2
    assert "Nothing new since your last digest" in bot.api.sent_to(11)[-1].plain


async def test_weekly_and_monthly_cadences(start_bot: StartBot) -> None:
    clock = ManualClock(TODAY)  # Wednesday 25 Nov 2026
    bot = await start_bot(clock=clock)
    user, chat = bot.person(21)
    await bot.say(chat, user, "/subscribe missing weekly mon 08:00")
    await bot.say(chat, user, "/subscribe cuba monthly 1 09:00")
    before = len(bot.api.sent_to(21))
    await bot.advance_to(dt.datetime(2026, 11, 30, 13, 59, tzinfo=UTC))  # Mon 07:59 local
    assert len(bot.api.sent_to(21)) == before
    await bot.advance_to(dt.datetime(2026, 11, 30, 14, 0, tzinfo=UTC))  # Mon 08:00
    assert len(bot.api.sent_to(21)) == before + 1
    assert "your weekly digest" in bot.api.sent_to(21)[-1].plain
    await bot.advance_to(dt.datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # Tue 1 Dec 09:00
    assert len(bot.api.sent_to(21)) == before + 2
    assert "your monthly digest" in bot.api.sent_to(21)[-1].plain
    ledger = await delivery_ledger.rows(bot.digests.store)
    assert sorted(d.period for d in ledger) == ["2026-12", "2026-W49"]


async def test_events_digest_on_the_first_of_february_lists_exactly_february(
    start_bot: StartBot,
) -> None:
    clock = ManualClock(dt.datetime(2026, 1, 20, 12, 0, tzinfo=MEXICO_CITY))
    bot = await start_bot(clock=clock)
    user, chat = bot.person(31)
    [reply] = await bot.say(chat, user, "/subscribe events guadalajara monthly 09:00")
    assert "Guadalajara listings" in reply.plain and "Sun 1 Feb 2026, 09:00" in reply.plain
    before = len(bot.api.sent_to(31))
    await bot.advance_to(dt.datetime(2026, 2, 1, 9, 0, tzinfo=MEXICO_CITY))
    digest = _texts(bot.api.sent_to(31)[before:])
    assert "Listings from 1 Feb 2026 to 28 Feb 2026" in digest
    for title in FEBRUARY_TITLES:
        assert title in digest
    assert "Carnaval" not in digest and "Mazatl" not in digest  # another city
    assert digest.count("• ") == len(FEBRUARY_TITLES)


async def test_events_digest_today_says_the_listings_are_from_february(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(32)
    await bot.say(chat, user, "/subscribe events guadalajara monthly 09:00")
    before = len(bot.api.sent_to(32))
    await bot.advance_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=MEXICO_CITY))
    digest = _texts(bot.api.sent_to(32)[before:])
    assert "Nothing is listed in Guadalajara between 1 Dec 2026 and 31 Dec 2026" in digest
    assert "newest listings I have in Guadalajara are from Feb 2026" in digest
    assert "Sat 5 Dec 2026, 19:00" in digest and "by its rule" in digest  # Vía RecreActiva


async def test_a_daylight_saving_change_keeps_local_time(start_bot: StartBot) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 6, 12, 0, tzinfo=UTC))
    bot = await start_bot(clock=clock)
    user, chat = bot.person(41)
    await bot.say(chat, user, "/timezone America/New_York")
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    before = len(bot.api.sent_to(41))
    await bot.advance_to(dt.datetime(2026, 3, 7, 12, 30, tzinfo=UTC))  # EST: 07:30
    assert len(bot.api.sent_to(41)) == before + 1
    await bot.advance_to(dt.datetime(2026, 3, 9, 11, 29, tzinfo=UTC))  # EDT: 07:29
    # Sunday 8 March was missed while the clock jumped: one catch-up, not two.
    assert len(bot.api.sent_to(41)) == before + 2
    await bot.advance_to(dt.datetime(2026, 3, 9, 11, 30, tzinfo=UTC))  # EDT: 07:30
    assert len(bot.api.sent_to(41)) == before + 3
    [subscription] = await bot.digests.store.subscriptions_of([41])
    when, _ = bot.digests.scheduler.planned[subscription.id]
    assert when == dt.datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
    assert when.astimezone(NEW_YORK).strftime("%H:%M") == "07:30"


async def test_quiet_hours_across_midnight_move_the_digest_to_their_end(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(51)
    [reply] = await bot.say(chat, user, "/quiet 22:00-07:00")
    assert "22:00–07:00" in reply.plain
    [reply] = await bot.say(chat, user, "/subscribe cuba daily 23:30")
    assert "Fri 27 Nov 2026, 07:00" not in reply.plain
    assert "Thu 26 Nov 2026, 07:00" in reply.plain  # 23:30 is quiet: at 07:00 instead
    assert "in your quiet hours (22:00–07:00): it arrives at 07:00" in reply.plain
    [other] = await bot.say(chat, user, "/subscribe missing daily 12:00")
    assert "quiet hours" not in other.plain
    await bot.say(chat, user, "/unsubscribe missing")
    before = len(bot.api.sent_to(51))
    await bot.advance_to(dt.datetime(2026, 11, 25, 23, 59, tzinfo=MEXICO_CITY))
    assert len(bot.api.sent_to(51)) == before
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 0, tzinfo=MEXICO_CITY))
    assert len(bot.api.sent_to(51)) == before + 1
    [delivery] = await delivery_ledger.rows(bot.digests.store)
    assert delivery.period == "2026-11-25"  # the digest of the 25th, delivered on the 26th


async def test_a_restart_restores_every_job(start_bot: StartBot) -> None:
    clock = ManualClock(TODAY)
    first = await start_bot(clock=clock)
    for user_id, line in ((61, "cuba daily 07:30"), (62, "missing weekly fri 18:00")):
        user, chat = first.person(user_id)
        await first.say(chat, user, f"/subscribe {line}")
    planned = dict(first.digests.scheduler.planned)
    assert len(planned) == 2
    await first.stop()
    second = await start_bot(clock=clock)
    assert second.digests.scheduler.planned == planned
    names = {job.name for job in second.application.job_queue.jobs()}  # type: ignore[union-attr]
    assert {f"digest:{when.isoformat()}" for when, _ in planned.values()} <= names


async def test_readers_of_one_moment_share_one_job_and_each_gets_one_digest(
    start_bot: StartBot,
) -> None:
    """1,000 readers of the 08:00 digest: one APScheduler job, not 1,000 firing back to back
    (which stalled the event loop for seconds while people were chatting), and the next
    morning is again one job."""
    clock = ManualClock(MORNING - dt.timedelta(minutes=1))
    bot = await start_bot(clock=clock)
    readers = range(7_000_001, 7_001_001)
    await subscribe_readers(bot, readers, clock.now())
    await bot.digests.scheduler.rebuild()

    def digest_jobs() -> list[str]:
        jobs = bot.application.job_queue.jobs()  # type: ignore[union-attr]
        return [job.name for job in jobs if job.name and job.name.startswith("digest:")]

    assert digest_jobs() == [f"digest:{MORNING.astimezone(dt.UTC).isoformat()}"]
    clock.set(MORNING)
    await bot.digests.scheduler.rebuild()
    await bot.settle(timeout=60)
    assert all(bot.api.messages_sent_to(r) == 1 for r in readers)
    tomorrow = MORNING + dt.timedelta(days=1)
    await bot.api.wait_for(
        lambda: digest_jobs() == [f"digest:{tomorrow.astimezone(dt.UTC).isoformat()}"]
    )
    assert {when for when, _ in bot.digests.scheduler.planned.values()} == {tomorrow}


async def test_digests_missed_while_down_are_sent_once_on_restart(start_bot: StartBot) -> None:
    clock = ManualClock(TODAY)
    first = await start_bot(clock=clock)
    user, chat = first.person(71)
    await first.say(chat, user, "/subscribe cuba daily 07:30")
    before = len(first.api.sent_to(71))
    await first.stop()
    clock.set(dt.datetime(2026, 11, 29, 12, 0, tzinfo=MEXICO_CITY))  # four mornings missed
    second = await start_bot(clock=clock)
    await second.settle()
    assert len(second.api.sent_to(71)) == before + 1
    [delivery] = await delivery_ledger.rows(second.digests.store)
    assert delivery.period == "2026-11-29" and delivery.state == "sent"
    await second.digests.scheduler.rebuild()  # nothing more is due
    await second.settle()
    assert len(second.api.sent_to(71)) == before + 1


async def test_two_instances_on_one_database_deliver_each_digest_once(
    start_bot: StartBot,
) -> None:
    clock = ManualClock(TODAY)
    first = await start_bot(clock=clock, instance="worker-a")
    users = range(80, 90)
    for user_id in users:
        user, chat = first.person(user_id)
        await first.say(chat, user, "/subscribe security daily 08:00")
    second = await start_bot(clock=clock, instance="worker-b", poll=False)
    before = {u: len(first.api.sent_to(u)) for u in users}
    clock.set(dt.datetime(2026, 11, 26, 8, 0, tzinfo=MEXICO_CITY))
    await first.digests.scheduler.rebuild()
    await second.digests.scheduler.rebuild()
    await first.settle()
    await second.settle()
    assert {u: len(first.api.sent_to(u)) - before[u] for u in users} == dict.fromkeys(users, 1)
    stats = first.digests.delivery.stats.sent, second.digests.delivery.stats.sent
    assert sum(stats) == len(users)


async def test_a_blocked_bot_pauses_the_chat_and_resumes_when_unblocked(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(91)
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    await bot.handled(bot.api.block_bot(91))
    record = await bot.digests.store.chat(91)
    assert record is not None and not record.active
    assert bot.digests.scheduler.planned == {}
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY))
    assert await delivery_ledger.rows(bot.digests.store) == []
    await bot.handled(bot.api.unblock_bot(91))
    assert len(bot.digests.scheduler.planned) == 1


async def test_forbidden_on_send_pauses_the_chat_and_records_the_failure(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(92)
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    bot.api.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY))
    [delivery] = await delivery_ledger.rows(bot.digests.store)
    assert delivery.state == "failed" and "blocked" in (delivery.last_error or "")
    record = await bot.digests.store.chat(92)
    assert record is not None and not record.active and record.inactive_reason == "blocked"


async def test_a_group_that_becomes_a_supergroup_keeps_its_subscriptions(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    admin, _ = bot.person(101)
    group = bot.api.group_chat(-500, "Readers")
    bot.api.set_member(-500, 101, "administrator")
    [reply] = await bot.say(group, admin, "/subscribe cuba daily 07:30")
    assert "Subscribed" in reply.plain
    bot.api.migrate_group(-500, -100500)
    deadline = time.monotonic() + 20  # the two service messages are handled in the background
    while not await bot.digests.store.subscriptions_of([-100500]):
        assert time.monotonic() < deadline, "the subscriptions never moved"
        await asyncio.sleep(0.01)
    assert [s.what for s in await bot.digests.store.subscriptions_of([-100500])] == ["cuba"]
    assert await bot.digests.store.chat(-500) is None
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY))
    assert "your daily digest" in bot.api.sent_to(-100500)[-1].plain


async def test_chat_migrated_on_send_follows_the_group_to_its_new_id(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    admin, _ = bot.person(102)
    group = bot.api.group_chat(-600, "Old group")
    bot.api.set_member(-600, 102, "creator")
    await bot.say(group, admin, "/subscribe missing daily 07:30")
    bot.api.group_chat(-100600, "Old group", supergroup=True)
    bot.api.fail_next("sendMessage", migrate_to_chat_id=-100600)
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY))
    assert "your daily digest" in bot.api.sent_to(-100600)[-1].plain
    [delivery] = await delivery_ledger.rows(bot.digests.store)
    assert delivery.state == "sent"
    assert [s.chat_id for s in await bot.digests.store.subscriptions_of([-100600])] == [-100600]


async def test_only_group_admins_change_subscriptions(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    member, _ = bot.person(111)
    admin, _ = bot.person(112, "Bea")
    group = bot.api.group_chat(-700, "Club")
    bot.api.set_member(-700, 112, "administrator")
    for line in ("/subscribe cuba daily 07:30", "/timezone madrid", "/unsubscribe cuba"):
        [reply] = await bot.say(group, member, line)
        assert "Only the group's administrators" in reply.plain
    assert await bot.digests.store.subscriptions_of([-700]) == []
    [reply] = await bot.say(group, admin, "/subscribe cuba daily 07:30")
    assert "Subscribed" in reply.plain
    [listing] = await bot.say(group, member, "/subscriptions")  # reading is for everyone
    assert "Cuba" in listing.plain
    await bot.press(listing, "✖ Remove", member)
    assert len(await bot.digests.store.subscriptions_of([-700])) == 1
    assert "Only the group's administrators" in bot.api.sent_to(-700)[-1].plain


async def test_a_channel_is_subscribed_from_a_private_chat(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(dt.datetime(2026, 1, 20, 12, 0, tzinfo=MEXICO_CITY)))
    admin, chat = bot.person(121)
    stranger, other_chat = bot.person(122, "Eve")
    bot.api.channel(-100777, "gdlnews", "GDL News")
    line = "/subscribe @gdlnews events guadalajara monthly 09:00"
    [reply] = await bot.say(chat, admin, line)
    assert "not an administrator of @gdlnews" in reply.plain  # the bot isn't one yet
    bot.api.set_member(-100777, bot.api.bot_user["id"], "administrator")
    bot.api.set_member(-100777, 121, "creator")
    [reply] = await bot.say(other_chat, stranger, line)
    assert "Only an administrator of @gdlnews" in reply.plain
    [reply] = await bot.say(chat, admin, "/subscribe @nosuchchannel cuba daily 07:00")
    assert "can't find @nosuchchannel" in reply.plain
    [reply] = await bot.say(chat, admin, line)
    assert "Subscribed GDL News" in reply.plain
    [listing] = await bot.say(chat, admin, "/subscriptions")
    assert "GDL News" in listing.plain and "Guadalajara listings" in listing.plain
    await bot.advance_to(dt.datetime(2026, 2, 1, 9, 0, tzinfo=MEXICO_CITY))
    posted = _texts(bot.api.sent_to(-100777))
    assert all(title in posted for title in FEBRUARY_TITLES)


async def test_guided_subscribe_edits_one_message_through_each_step(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(131)
    [step] = await bot.say(chat, user, "/subscribe")
    assert "what should the digest follow" in step.plain
    step = await bot.press(step, "Cuba", user)
    assert "how often" in step.plain
    step = await bot.press(step, "Weekly", user)
    assert "which day" in step.plain
    step = await bot.press(step, "Mon", user)
    assert "what time" in step.plain and "every Monday" in step.plain
    step = await bot.press(step, "08:00", user)
    assert "Subscribed" in step.plain and "every Monday at 08:00" in step.plain
    assert len(bot.api.sent_to(131)) == 1  # every step edited the same message
    [subscription] = await bot.digests.store.subscriptions_of([131])
    assert (subscription.what, subscription.cadence, subscription.at) == (
        "cuba",
        "weekly",
        "08:00",
    )


async def test_the_subscribe_button_under_a_briefing_starts_at_how_often(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(132)
    [briefing] = await bot.say(chat, user, "/missing")
    step = await bot.press(briefing, "🔔 Subscribe", user)
    assert "how often" in bot.api.sent_to(132)[-1].plain or "how often" in step.plain


async def test_subscriptions_can_be_paused_resumed_and_removed(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(141)
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    await bot.say(chat, user, "/subscribe missing weekly mon 08:00")
    [listing] = await bot.say(chat, user, "/subscriptions")
    assert "1. Cuba" in listing.plain and "2. Missing" in listing.plain
    listing = await bot.press(listing, "⏸ Pause 1", user)
    assert "paused" in listing.plain
    assert len(bot.digests.scheduler.planned) == 1
    listing = await bot.press(listing, "▶ Resume 1", user)
    assert "paused" not in listing.plain and len(bot.digests.scheduler.planned) == 2
    listing = await bot.press(listing, "✖ Remove 2", user)
    assert "Missing" not in listing.plain
    [reply] = await bot.say(chat, user, "/unsubscribe cuba")
    assert "Removed" in reply.plain
    [reply] = await bot.say(chat, user, "/subscriptions")
    assert "No subscriptions here yet" in reply.plain
    [reply] = await bot.say(chat, user, "/unsubscribe cuba")
    assert "There is no subscription to" in reply.plain


async def test_digest_previews_now_without_recording(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(151)
    [reply] = await bot.say(chat, user, "/digest")
    assert "/digest cuba" in reply.plain
    replies = await bot.say(chat, user, "/digest events guadalajara")
    assert "newest listings I have in Guadalajara are from Feb 2026" in _texts(replies)
    assert await delivery_ledger.rows(bot.digests.store) == []


async def test_bad_input_gets_one_clear_line_and_changes_nothing(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(161)
    cases = {
        "/subscribe bananas daily 07:30": "I don't know the topic",
        "/subscribe cuba daily 25:00": "25:00",
        "/subscribe cuba fortnightly 07:30": "How often?",
        "/subscribe cuba weekly someday 07:30": "can't read",
        "/subscribe @x cuba daily 07:00": "not a channel username",
        "/subscribe daily 07:30": "Say what to follow first",
        "/subscribe events guadalajara feb monthly 09:00": "leave out dates",
        "/timezone Mars/Olympus": "I don't know the time zone",
        "/timezone xyzzy": "e.g. /timezone America/Mexico_City",
        "/timezone Etc/GMT+14": "I don't know the time zone",
        "/timezone America/": "I don't know the time zone",
        "/quiet 25:00-07:00": "Example",
        "/quiet soon": "Example",
        "/subscribe cuba weekly ²": "digits other than 0-9",
        "/quiet ²²-⁷": "digits other than 0-9",
        "/unsubscribe bananas": "I don't know the topic",
        "/digest bananas": "I don't know the topic",
    }
    for line, expected in cases.items():
        replies = await bot.say(chat, user, line)
        assert len(replies) == 1, line
        assert expected.lower() in replies[0].plain.lower(), (line, replies[0].plain)
        assert "Traceback" not in replies[0].plain
    assert await bot.digests.store.subscriptions_of([161]) == []
    record = await bot.digests.store.chat(161)
    assert record is None or (record.timezone, record.quiet_start) == (None, None)


async def test_spanish_speakers_get_spanish_digests_and_commands(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(171, language_code="es")
    [reply] = await bot.say(chat, user, "/suscribir desaparecidos semanal lunes 08:00")
    assert "Suscrito" in reply.plain and "cada lunes a las 08:00" in reply.plain
    await bot.advance_to(dt.datetime(2026, 11, 30, 8, 0, tzinfo=MEXICO_CITY))
    assert "tu resumen semanal" in bot.api.sent_to(171)[-1].plain


async def test_retry_after_and_network_errors_are_retried_and_recorded(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(181)
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    bot.api.fail_next("sendMessage", retry_after=1)
    bot.api.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY))
    [delivery] = await delivery_ledger.rows(bot.digests.store)
    assert delivery.state == "sent"
    statuses = [c.status for c in bot.api.calls_to("sendMessage") if c.params["chat_id"] == 181]
    assert statuses[-3:] == [429, 502, 200]


async def test_a_fan_out_keeps_to_the_flood_limits_and_people_are_answered_first(
    start_bot: StartBot,
) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock, flood_scale=2)  # 60 messages a second
    bot.api.rate_limits = FloodLimits().scaled(2)  # and the server enforces the same
    store = bot.digests.store
    readers = [*range(1000, 1120), *range(-2000, -2030, -1)]  # 120 people, 30 groups
    for chat_id in readers:
        if chat_id > 0:
            bot.api.private_chat(chat_id)
        else:
            bot.api.group_chat(chat_id, f"Group {chat_id}")
        kind = "private" if chat_id > 0 else "group"
        await store.remember_chat(chat_id, kind, None, "en", clock.now())
        await store.subscribe(chat_id, "cuba", "daily", 0, "09:00", None, clock.now())
    user, chat = bot.person(77)
    sent_digests = lambda: sum(  # noqa: E731
        call.params["chat_id"] in readers for call in bot.api.calls_to("sendMessage")
    )
    # The flood limiter's clock stands still: its window fills and never turns, so what
    # gets through below is decided by priority alone, not by how fast this machine is.
    limiter = bot.application.bot.rate_limiter
    assert isinstance(limiter, FloodLimiter)
    frozen = limiter.clock()
    limiter.clock = lambda: frozen
    try:
        clock.set(dt.datetime(2026, 11, 26, 9, 0, tzinfo=MEXICO_CITY))
        await bot.digests.scheduler.rebuild()
        share = 60 - 1  # the fan-out takes all of the window but the slot kept for replies
        await bot.api.wait_for(lambda: sent_digests() == share, timeout=30)
        assert bot.digests.delivery.pending > 50  # the rest wait in the flood limiter
        [reply] = await bot.say(chat, user, "/missing")  # a reply goes before them all
        assert "Missing" in reply.plain or "missing" in reply.plain.lower()
        assert sent_digests() == share and bot.digests.delivery.pending > 50
    finally:  # time moves on from where it stood, so the window still counts those sends
        loop = asyncio.get_running_loop()
        stood_still = loop.time() - frozen
        limiter.clock = lambda: loop.time() - stood_still
    await bot.settle(timeout=20)
    assert {c: bot.api.messages_sent_to(c) for c in readers} == dict.fromkeys(readers, 1)
    assert bot.api.too_many_requests == 0


async def test_without_a_database_briefings_still_answer_and_subscriptions_say_so(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    # A server that is down (nothing listens there), not one that can never work: that
    # stops the start (tests/e2e/test_operations.py).
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/briefbot"
    bot = await start_bot(env={"DATABASE_URL": down})
    assert bot.services.digests is None
    assert "subscriptions are off" in caplog.text
    user, chat = bot.person(191)
    [briefing] = await bot.say(chat, user, "/cuba")
    assert "Cuba" in briefing.plain
    for line in ("/subscribe cuba daily 07:30", "/subscriptions", "/timezone madrid"):
        [reply] = await bot.say(chat, user, line)
        assert "not available right now; briefings still are" in reply.plain


async def test_a_digest_that_keeps_failing_is_retried_by_the_sweep(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(192)
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    bot.digests.delivery._retry_wait = 0.01
    bot.api.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=4)
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY))
    [delivery] = await delivery_ledger.rows(bot.digests.store)
    assert delivery.state == "retry" and "Bad Gateway" in (delivery.last_error or "")
    before = bot.api.messages_sent_to(192)
    assert await bot.digests.scheduler.sweep() == 1
    await bot.settle()
    [delivery] = await delivery_ledger.rows(bot.digests.store)
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert bot.api.messages_sent_to(192) == before + 1


async def test_a_claim_left_by_a_crash_is_sent_once_when_the_instance_restarts(
    start_bot: StartBot,
) -> None:
    clock = ManualClock(TODAY)
    first = await start_bot(clock=clock)
    user, chat = first.person(193)
    await first.say(chat, user, "/subscribe cuba daily 07:30")
    [subscription] = await first.digests.store.subscriptions_of([193])
    await first.stop()
    # The process died mid-send: the row was claimed by its earlier boot, never marked.
    moment = dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY)
    settings = first.services.settings
    store = await Store.open(database_url(settings.database_url, settings.data_dir))
    crashed = await delivery_ledger.claim(
        store, subscription.id, "2026-11-26", "test-instance#dead", moment, LEASE
    )
    await store.close()
    assert crashed is not None
    clock.set(moment + dt.timedelta(minutes=1))  # well inside the two-minute lease
    before = first.api.messages_sent_to(193)
    second = await start_bot(clock=clock)
    await second.settle()
    assert second.api.messages_sent_to(193) == before + 1  # taken back at once, sent once
    [delivery] = await delivery_ledger.rows(second.digests.store)
    assert (delivery.state, delivery.attempts) == ("sent", 2)


async def test_digests_wait_for_the_database_and_are_not_dropped(
    start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(194)
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    monkeypatch.setattr("bot.digests.delivery.CLAIM_RETRY_SECONDS", 0.2)
    store = bot.digests.store
    real = store.delivery_contexts
    failures = [1]

    async def away(ids: list[int]) -> object:
        if failures:
            failures.pop()
            raise ConnectionError("database is away")
        return await real(ids)

    monkeypatch.setattr(store, "delivery_contexts", away)
    before = bot.api.messages_sent_to(194)
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY))
    await bot.api.wait_for(lambda: bot.api.messages_sent_to(194) == before + 1, timeout=5)
    await bot.settle()
    [delivery] = await delivery_ledger.rows(store)
    assert delivery.state == "sent"


async def test_lines_about_unreadable_input_quote_it_as_text_and_fit(start_bot: StartBot) -> None:
    """Found by fuzzing: the person's words went back as HTML, so Telegram refused the answer
    to ``/subscribe <b>``, and an answer quoting 4,000 characters of them was too long."""
    bot = await start_bot()
    user, chat = bot.person(41)
    for typed, shown in (
        ("/subscribe <b>", "“<b>”"),
        ("/subscribe @<b> cuba", "“@<b>”"),
        ("/unsubscribe @<b>&", "@<b>&"),
        ("/unsubscribe <i>", "“<i>”"),
        ("/digest events <x>", "“<x>”"),
        ("/timezone <b>", "“<b>”"),
        ("/quiet 22:00 <i>", "“22:00 <i>”"),
        ("/subscribe " + "x" * 4000, f"“{'x' * 63}…”"),
    ):
        replies = await bot.say(chat, user, typed)
        assert replies and shown in replies[0].plain, typed
    # A schedule too is quoted on one line, cut: the answer stays one short message.
    replies = await bot.say(chat, user, "/quiet " + "9" * 5000)
    assert len(replies) == 1 and f"“{'9' * 63}…” is not a quiet-hours window" in replies[0].plain
    assert bot.services.activity.failures == 0
    refused = [c.method for c in bot.api.calls if c.status != 200]
    assert refused == ["getChat"]  # "@<b>&" is no chat: Telegram says so, the bot tells


async def test_a_subscribe_button_pressed_outside_any_chat_is_answered(
    start_bot: StartBot,
) -> None:
    """Found by fuzzing: a "🔔 Subscribe" press that comes without a message (as under one
    sent through inline mode) failed on the missing chat."""
    bot = await start_bot()
    user, _ = bot.person(42)
    await bot.handled(bot.api.press_button(-4242, 1, "w||cuba|0", user))  # not a chat of ours
    assert bot.services.activity.failures == 0
    [answer] = bot.api.calls_to("answerCallbackQuery")
    assert answer.status == 200


async def test_buttons_with_non_ascii_digits_or_ids_out_of_range_get_a_clear_answer(
    start_bot: StartBot,
) -> None:
    """Forged data: "²" passes isdigit() but not int(); "٣" is read by int() as 3; an id
    of 2**31 or more can't name a row (the database refused it with an error). Each press
    is answered with the line for a button that no longer works, and nothing changes."""
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(171)
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    [listing] = await bot.say(chat, user, "/subscriptions")
    [subscription] = await bot.digests.store.subscriptions_of([171])
    version = bot.services.catalog.version
    forged = {
        f"p|{version}|cuba|²": "no longer works",
        f"p|{version}|cuba|٣": "no longer works",
        "x||²|0": "older message",
        "x||٣|0": "older message",
        "m||p.²|0": "no longer exists",
        "m||p.٣|0": "no longer exists",
        f"m||p.{2**31}|0": "no longer exists",
        f"m||x.{2**63}|0": "no longer exists",
        f"m||x.{10**19}|0": "no longer exists",
        "m||x.0|0": "no longer exists",
        "w||cuba.d.²|0": "no longer exists",
        "w||cuba.d.٠.0730|0": "no longer exists",
        "w||cuba.d.0.٠٧٣٠|0": "no longer exists",
    }
    for data, expected in forged.items():
        before, sent = len(bot.api.calls_to("answerCallbackQuery")), len(bot.api.sent_to(171))
        await bot.handled(bot.api.press_button(171, listing.message_id, data, user))
        answers = bot.api.calls_to("answerCallbackQuery")[before:]
        assert len(answers) == 1 and answers[0].status == 200, data
        said = [str(answers[0].params.get("text")), _texts(bot.api.sent_to(171)[sent:])]
        assert expected in "\n".join(said), (data, said)
    assert bot.services.activity.failures == 0
    assert await bot.digests.store.subscriptions_of([171]) == [subscription]


async def _refused_once(bot: Harness, user_id: int, user: dict[str, Any], chat: Any) -> None:
    """Subscribe, then have Telegram refuse the first digest with 403: the chat is paused."""
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    bot.api.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 30, tzinfo=MEXICO_CITY))
    record = await bot.digests.store.chat(user_id)
    assert record is not None and not record.active
    assert bot.digests.scheduler.planned == {}


async def test_a_chat_paused_after_a_refused_digest_resumes_when_the_person_writes(
    start_bot: StartBot,
) -> None:
    """One 403 marked the chat inactive for good: the person kept chatting and never got a
    digest again until a my_chat_member update came."""
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(181)
    await _refused_once(bot, 181, user, chat)
    await bot.say(chat, user, "hola")
    record = await bot.digests.store.chat(181)
    assert record is not None and record.active and record.inactive_reason is None
    assert len(bot.digests.scheduler.planned) == 1
    await bot.advance_to(dt.datetime(2026, 11, 27, 7, 30, tzinfo=MEXICO_CITY))
    assert [d.state for d in await delivery_ledger.rows(bot.digests.store)] == ["failed", "sent"]


async def test_subscribing_again_in_a_paused_group_resumes_it_with_a_next_digest(
    start_bot: StartBot,
) -> None:
    """Re-subscribing said "✅ Updated … Next digest: —" and nothing was ever sent."""
    bot = await start_bot(clock=ManualClock(TODAY))
    ana = bot.api.user(182, first_name="Ana")
    group = bot.api.group_chat(-100182, "Noticias", supergroup=True)
    bot.api.set_member(-100182, 182, "administrator")
    await _refused_once(bot, -100182, ana, group)
    [reply] = await bot.say(group, ana, "/subscribe cuba daily 07:30")
    assert "Next digest: —" not in reply.plain and "Fri 27 Nov 2026, 07:30" in reply.plain
    record = await bot.digests.store.chat(-100182)
    assert record is not None and record.active


async def test_subscriptions_say_when_a_chat_could_not_be_reached(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    ana = bot.api.user(183, first_name="Ana", language_code="es")
    group = bot.api.group_chat(-100183, "Noticias", supergroup=True)
    bot.api.set_member(-100183, 183, "administrator")
    await _refused_once(bot, -100183, ana, group)
    [listing] = await bot.say(group, ana, "/suscripciones")
    assert "en pausa" in listing.plain and "no pude" in listing.plain.lower()
    ben = bot.api.user(184, first_name="Ben")
    other = bot.api.group_chat(-100184, "Otra", supergroup=True)
    bot.api.set_member(-100184, 184, "administrator")
    await bot.say(other, ben, "/subscribe cuba daily 07:30")
    [fine] = await bot.say(other, ben, "/subscriptions")
    assert "could not reach" not in fine.plain
