"""One set of rules for what a subscription may be, whether typed or pressed.

From issue 16: the guided /subscribe keeps its progress in the buttons' data, and forged
data skipped the checks a typed line meets: ``w||events~zzzz.d.0.0900|0`` created "Zzzz
listings" whose digests were then sent, weekly day 31 or 9 and monthly day 0 were stored,
and one chat made 110 subscriptions in 4.3 s. A 429 on editMessageText during a press
lost the press (so did one on answerCallbackQuery). Each case below is what a person (or
a forger) would see in the chat.
"""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.store.schema import subscriptions
from bot.subscriptions.service import SUBSCRIPTIONS_PER_CHAT
from tests.conftest import TODAY
from tests.e2e.conftest import Harness, StartBot


async def _press_data(bot: Harness, chat_id: int, data: str, user: dict[str, object]) -> str:
    """Press a button carrying ``data`` under a message the bot can't see; return what
    the bot said back in the chat."""
    before = len(bot.api.sent_to(chat_id))
    await bot.handled(bot.api.press_button(chat_id, 999, data, user))
    return "\n".join(m.plain for m in bot.api.sent_to(chat_id)[before:])


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("w||events~zzzz.d.0.0900|0", "as a filter"),  # a city with no listings
        ("w||zzzz.d.0.0900|0", "I don't know the topic"),
        ("w||cubaa.d.0.0900|0", "I don't know the topic"),  # a button names it exactly
        ("w||events~feb.m.1.0900|0", "leave out dates"),
        ("w||cuba.w.9.0900|0", "no day 9 in a week"),
        ("w||cuba.w.31.0900|0", "no day 31 in a week"),
        ("w||cuba.m.0.0900|0", "no day 0 in a month"),
        ("w||cuba.d.5.0900|0", "not on day 5"),
        ("w||cuba.d.0.2400|0", "is not a time of day"),
    ],
)
async def test_a_forged_subscribe_button_is_refused_in_one_line_and_nothing_stored(
    start_bot: StartBot, data: str, said: str
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, _ = bot.person(171)
    answer = await _press_data(bot, 171, data, user)
    assert said in answer and "Sorry" not in answer
    assert len(answer.splitlines()) == 1
    assert await bot.digests.store.subscriptions_of([171]) == []
    assert await bot.digests.store.chat(171) is None  # not even the chat is remembered


async def test_the_same_rules_let_a_real_guided_subscription_through(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, _ = bot.person(172)
    answer = await _press_data(bot, 172, "w||events~guadalajara.w.6.0900|0", user)
    assert "Subscribed" in answer and "Sunday at 09:00" in answer
    [stored] = await bot.digests.store.subscriptions_of([172])
    assert (stored.what, stored.cadence, stored.cadence_day) == ("events:guadalajara", "weekly", 6)


async def test_a_monthly_button_without_a_day_asks_the_time_not_a_weekday(
    start_bot: StartBot,
) -> None:
    """ "w||cuba.m|0" used to offer weekday buttons, each carrying monthly day 0-6."""
    bot = await start_bot(clock=ManualClock(TODAY))
    user, _ = bot.person(173)
    answer = await _press_data(bot, 173, "w||cuba.m|0", user)
    assert "at what time" in answer and "on day 1 of every month" in answer
    [step] = bot.api.sent_to(173)
    assert all(".m.1." in data for row in step.buttons for _, data in row if data)


async def _fill(bot: Harness, chat_id: int, count: int) -> None:
    """``count`` subscriptions in the chat, written straight to the store (as a catalog
    with many cities would allow; today's has about ten subjects)."""
    async with bot.digests.store.engine.begin() as connection:
        await connection.execute(
            subscriptions.insert(),
            [
                {"chat_id": chat_id, "what": f"events:filler{n}", "cadence": "daily"}
                | {"at": "08:00", "created_by": chat_id, "created_at": TODAY}
                for n in range(count)
            ],
        )


async def test_a_chat_holds_at_most_the_cap_by_command_and_by_button(start_bot: StartBot) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(174)
    [first] = await bot.say(chat, user, "/subscribe cuba daily 07:30")
    assert "Subscribed" in first.plain
    await _fill(bot, 174, SUBSCRIPTIONS_PER_CHAT - 1)

    [typed] = await bot.say(chat, user, "/subscribe missing daily 08:00")
    assert f"already has {SUBSCRIPTIONS_PER_CHAT} subscriptions" in typed.plain
    pressed = await _press_data(bot, 174, "w||train.d.0.0800|0", user)
    assert f"already has {SUBSCRIPTIONS_PER_CHAT} subscriptions" in pressed
    held = await bot.digests.store.subscriptions_of([174])
    assert len(held) == SUBSCRIPTIONS_PER_CHAT
    assert not {"missing", "train"} & {s.what for s in held}

    [changed] = await bot.say(chat, user, "/subscribe cuba weekly mon 08:00")  # one it has
    assert "Updated" in changed.plain
    await bot.say(chat, user, "/unsubscribe cuba")
    [room] = await bot.say(chat, user, "/subscribe missing daily 08:00")
    assert "Subscribed" in room.plain


@pytest.mark.parametrize("method", ["editMessageText", "answerCallbackQuery"])
async def test_a_flood_wait_on_a_press_is_waited_out(start_bot: StartBot, method: str) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(175)
    [menu] = await bot.say(chat, user, "/subscribe")
    assert "what should the digest follow" in menu.plain
    bot.api.fail_next(method, error_code=429, retry_after=1)
    step = await bot.press(menu, "Cuba", user)
    assert "how often" in step.plain  # the press took effect, in the same message
    assert len(bot.api.sent_to(175)) == 1
    assert "Sorry" not in "\n".join(m.plain for m in bot.api.sent_to(175))
    assert bot.api.calls_to(method)[-1].status == 200  # made again after the wait


async def test_a_flood_wait_too_long_to_wait_on_the_answer_leaves_the_press_working(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY))
    user, chat = bot.person(176)
    [menu] = await bot.say(chat, user, "/subscribe")
    bot.api.fail_next("answerCallbackQuery", error_code=429, retry_after=3600)
    step = await bot.press(menu, "Cuba", user)
    assert "how often" in step.plain
    assert "Sorry" not in "\n".join(m.plain for m in bot.api.sent_to(176))
