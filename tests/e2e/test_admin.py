"""/stats: numbers for the configured admins, the normal unknown-command answer for others."""

from __future__ import annotations

import datetime as dt

from bot.clock import ManualClock
from tests.conftest import MEXICO_CITY, TODAY
from tests.e2e.conftest import StartBot

ADMIN = 500


async def test_an_admin_gets_subscribers_digests_429s_uptime_and_the_catalog(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY), env={"BRIEFBOT_ADMIN_IDS": f"7, {ADMIN}"})
    for person in (501, 502):
        user, chat = bot.person(person)
        await bot.say(chat, user, "/subscribe cuba daily 07:30")
    bot.api.fail_next("sendMessage", retry_after=1)
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 31, tzinfo=MEXICO_CITY))
    admin, chat = bot.person(ADMIN)
    text = (await bot.say(chat, admin, "/stats"))[0].plain
    assert "Subscribers: 2 chats (private 2)" in text
    assert "Digests today (since 26 Nov 00:00 CST): 2 sent, 0 failed" in text
    assert "Telegram 429 answers since start: 1" in text
    assert "Uptime: 0 min" in text
    assert f"Catalog: version {bot.services.catalog.version}" in text


async def test_anyone_else_gets_the_unknown_command_answer(start_bot: StartBot) -> None:
    bot = await start_bot(env={"BRIEFBOT_ADMIN_IDS": str(ADMIN)})
    user, chat = bot.person(503)
    reply = await bot.say(chat, user, "/stats")
    assert reply[0].plain == "I don't know the command /stats. Send /help for the topics."
    group = bot.api.group_chat(-900, "Team")
    admin = bot.api.user(ADMIN)
    in_group = await bot.say(group, admin, f"/stats@{bot.api.bot_user['username']}")
    assert "Subscribers" not in " ".join(m.plain for m in in_group)  # not on show in a group


async def test_stats_say_so_when_the_database_is_unavailable(start_bot: StartBot) -> None:
    nowhere = "postgresql://briefbot@127.0.0.1:1/briefbot"
    bot = await start_bot(env={"BRIEFBOT_ADMIN_IDS": str(ADMIN), "DATABASE_URL": nowhere})
    admin, chat = bot.person(ADMIN)
    text = (await bot.say(chat, admin, "/stats"))[0].plain
    assert "the database is unavailable right now" in text
    assert "Updates handled: 0 (0 failed)" in text
