"""Who controls a chat's subscriptions, and lists that stay within Telegram's limits.

From issue 16: someone who subscribed a channel or a group and was then demoted or removed
kept control of its subscriptions (a private chat took "who subscribed" for "who runs it"),
forged button data from a private chat paused and removed a group's subscriptions, a 429
on the admin check ended in "Sorry, something went wrong", and ``/subscriptions`` broke at
about 80 subscriptions (one message over 4096 characters, over 200 buttons). Rights are
asked of Telegram at the moment of action; the injected clock expires the kept answer.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.clock import ManualClock
from bot.console.botapi import BotMessage
from bot.conversation.render import MESSAGE_LIMIT, utf16_len
from bot.store.schema import chats, subscriptions
from bot.subscriptions.rights import RIGHTS_TTL
from tests.conftest import TODAY
from tests.e2e.conftest import Harness, StartBot

LATER = RIGHTS_TTL + dt.timedelta(seconds=1)  # past the kept answer of getChatMember
BUTTONS_PER_MESSAGE = 100  # about what Telegram takes in one inline keyboard


def _data(message: BotMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


async def _press_data(bot: Harness, chat_id: int, data: str, user: dict[str, object]) -> str:
    """Press a button carrying ``data`` (forged or copied) under a message the bot can't
    see; return what the bot said back there."""
    before = len(bot.api.sent_to(chat_id))
    await bot.handled(bot.api.press_button(chat_id, 999, data, user))
    return "\n".join(m.plain for m in bot.api.sent_to(chat_id)[before:])


@pytest.mark.parametrize("now", ["member", "left", "kicked"])
async def test_a_demoted_or_removed_channel_admin_loses_its_subscriptions(
    start_bot: StartBot, now: str
) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock)
    admin, chat = bot.person(161)
    bot.api.channel(-100161, "rightsnews", "Rights News")
    bot.api.set_member(-100161, bot.api.bot_user["id"], "administrator")
    bot.api.set_member(-100161, 161, "administrator")
    [reply] = await bot.say(chat, admin, "/subscribe @rightsnews cuba daily 07:30")
    assert "Subscribed Rights News" in reply.plain
    [listing] = await bot.say(chat, admin, "/subscriptions")
    assert "Rights News" in listing.plain and "Cuba" in listing.plain

    bot.api.set_member(-100161, 161, now)
    clock.advance(LATER)
    [fresh] = await bot.say(chat, admin, "/subscriptions")
    assert "Rights News" not in fresh.plain and "Cuba" not in fresh.plain
    [bare] = await bot.say(chat, admin, "/unsubscribe")
    assert "Rights News" not in bare.plain
    for label in ("⏸ Pause 1", "✖ Remove 1"):  # the old list's buttons, still in the chat
        await bot.press(listing, label, admin)
        assert "Only a current administrator of Rights News" in bot.api.sent_to(161)[-1].plain
    [subscription] = await bot.digests.store.subscriptions_of([-100161])
    assert not subscription.paused

    bot.api.set_member(-100161, 161, "administrator")  # made an administrator again
    await bot.press(listing, "⏸ Pause 1", admin)
    [subscription] = await bot.digests.store.subscriptions_of([-100161])
    assert subscription.paused


async def test_forged_buttons_from_a_private_chat_leave_a_groups_subscriptions_alone(
    start_bot: StartBot,
) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock)
    admin, private = bot.person(171, "Bea")
    group = bot.api.group_chat(-171, "Club")
    bot.api.set_member(-171, 171, "administrator")
    await bot.say(group, admin, "/subscribe cuba daily 07:30")
    [subscription] = await bot.digests.store.subscriptions_of([-171])
    [listing] = await bot.say(group, admin, "/subscriptions")
    shown = _data(listing)
    assert shown and all(str(subscription.id) in data for data in shown)
    forged = [f"m||p.{subscription.id}|0", f"m||x.{subscription.id}|0"]

    # While still an administrator: the group's buttons work in the group only.
    for data in [*forged, *shown]:
        said = await _press_data(bot, private["id"], data, admin)
        assert "no longer exists" in said, data
    bot.api.set_member(-171, 171, "left")
    clock.advance(LATER)
    for data in [*forged, *shown]:
        said = await _press_data(bot, private["id"], data, admin)
        assert "Cuba" not in said and "no longer exists" in said, data
    await bot.press(listing, "✖ Remove 1", admin)  # in the group itself, no longer an admin
    assert "Only the group's administrators" in bot.api.sent_to(-171)[-1].plain
    [kept] = await bot.digests.store.subscriptions_of([-171])
    assert kept == subscription and not kept.paused


async def test_a_button_from_one_group_does_nothing_in_another(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    admin, _ = bot.person(175)
    first, second = bot.api.group_chat(-175, "One"), bot.api.group_chat(-176, "Two")
    for group in (first, second):
        bot.api.set_member(group["id"], 175, "administrator")
    await bot.say(first, admin, "/subscribe cuba daily 07:30")
    [listing] = await bot.say(first, admin, "/subscriptions")
    for data in _data(listing):
        assert "no longer exists" in await _press_data(bot, -176, data, admin)
    [kept] = await bot.digests.store.subscriptions_of([-175])
    assert not kept.paused


async def test_a_flood_wait_on_the_admin_check_asks_to_try_again(start_bot: StartBot) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock)
    admin, private = bot.person(181)
    group = bot.api.group_chat(-181, "Club")
    bot.api.set_member(-181, 181, "administrator")
    bot.api.fail_next("getChatMember", error_code=429, retry_after=7)
    [reply] = await bot.say(group, admin, "/subscribe cuba daily 07:30")
    assert "Please try again in 7 seconds" in reply.plain
    assert "Sorry" not in reply.plain
    assert await bot.digests.store.subscriptions_of([-181]) == []
    [reply] = await bot.say(group, admin, "/subscribe cuba daily 07:30")
    assert "Subscribed" in reply.plain
    clock.advance(LATER)
    bot.api.fail_next("getChatMember", error_code=502, times=2)  # the resend fails too
    [reply] = await bot.say(group, admin, "/timezone madrid")
    assert "couldn't check with Telegram" in reply.plain and "Sorry" not in reply.plain

    bot.api.channel(-100181, "busynews", "Busy News")
    bot.api.set_member(-100181, bot.api.bot_user["id"], "administrator")
    bot.api.set_member(-100181, 181, "administrator")
    bot.api.fail_next("getChatMember", error_code=429, retry_after=4)  # checking the channel
    [reply] = await bot.say(private, admin, "/subscribe @busynews cuba daily 07:30")
    assert "Please try again in 4 seconds" in reply.plain
    [reply] = await bot.say(private, admin, "/subscribe @busynews cuba daily 07:30")
    assert "Subscribed Busy News" in reply.plain
    clock.advance(LATER)
    bot.api.fail_next("getChatMember", error_code=429, retry_after=3)
    [reply] = await bot.say(private, admin, "/subscriptions")
    assert "Please try again in 3 seconds" in reply.plain
    [reply] = await bot.say(private, admin, "/subscriptions")
    assert "Busy News" in reply.plain


_NUMBERED = re.compile(r"^(\d+)\. ", re.M)
_WHATS = (
    "cuba",
    "missing",
    "train",
    "security",
    "transfers",
    "carnival",
    "events",
    "events:guadalajara",
    "events:mazatlan",
    "events:madrid",
)


async def _admin_of_channels(bot: Harness, user_id: int, count: int) -> None:
    """``count`` channels this person runs, ten subscriptions each, written in bulk."""
    ids = [-100_190_000 - n for n in range(count)]
    for n, channel in enumerate(ids):
        bot.api.channel(channel, f"desk{n}", f"Regional News Desk {n}")
        bot.api.set_member(channel, bot.api.bot_user["id"], "administrator")
        bot.api.set_member(channel, user_id, "administrator")
    async with bot.digests.store.engine.begin() as connection:
        await connection.execute(
            chats.insert(),
            [
                {"id": c, "type": "channel", "title": f"Regional News Desk {n}"}
                | {"language": "en", "created_at": TODAY}
                for n, c in enumerate(ids)
            ],
        )
        await connection.execute(
            subscriptions.insert(),
            [
                {"chat_id": c, "what": what, "cadence": "daily", "at": "08:00"}
                | {"created_by": user_id, "created_at": TODAY}
                for c in ids
                for what in _WHATS
            ],
        )


def _within_limits(page: BotMessage) -> None:
    assert utf16_len(page.plain) <= MESSAGE_LIMIT
    assert sum(len(row) for row in page.buttons) <= BUTTONS_PER_MESSAGE


async def test_a_long_list_of_subscriptions_is_paged_within_telegrams_limits(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    admin, chat = bot.person(191)
    await _admin_of_channels(bot, 191, 11)  # 110 subscriptions
    [page] = await bot.say(chat, admin, "/subscriptions")
    numbers: list[int] = []
    while True:
        _within_limits(page)
        numbers += [int(n) for n in _NUMBERED.findall(page.plain)]
        if not any(label.startswith("Next") for row in page.buttons for label, _ in row):
            break
        page = await bot.press(page, "Next ›", admin)
    assert numbers == list(range(1, 111))
    assert len(bot.api.sent_to(191)) == 1  # every page edited the one message

    page = await bot.press(page, "‹ Previous", admin)
    last_page = page.plain.rsplit("Page ", 1)[1]
    shown = [int(n) for n in _NUMBERED.findall(page.plain)]
    [remove] = [d for row in page.buttons for label, d in row if label == f"✖ Remove {shown[0]}"]
    assert remove is not None
    await bot.handled(bot.api.press_button(191, page.message_id, remove, admin))
    page = bot.api.messages[191][page.message_id]
    assert page.plain.rsplit("Page ", 1)[1] == last_page  # the same page, after the change
    _within_limits(page)
    remaining = await bot.digests.store.subscriptions_of(range(-100_190_010, -100_189_999))
    assert len(remaining) == 109

    [bare] = await bot.say(chat, admin, "/unsubscribe")
    _within_limits(bare)
    assert "Page 1 of" in bare.plain and "Next ›" in {b for r in bare.buttons for b, _ in r}
    assert "Sorry" not in "\n".join(m.plain for m in bot.api.sent_to(191))
