"""One chat's flood neither stalls the others nor grows without bound (issue 16, item 1).

Every test holds the bot's sendMessage calls at the local Bot API (``api.hold``), so the
handlers stop mid-reply exactly where the test wants them, and waits on what the bot has
taken (the update processor's counts, PTB's update queue, what Telegram still keeps);
nothing here depends on how fast anything runs. The processor's bounds are read at each
admission, so a test lowers them to keep the numbers small.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.app import UPDATE_QUEUE_SIZE
from bot.operations.concurrency import PerChatUpdateProcessor
from bot.texts import en
from tests.e2e.conftest import Harness, StartBot

FLOODER = 500
OTHERS = range(600, 620)  # twenty other people, each asking once
BATCH = 100  # updates one getUpdates answer carries


def processor_of(bot: Harness) -> PerChatUpdateProcessor:
    processor = bot.application.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    return processor


def slow_downs(bot: Harness, chat_id: int) -> int:
    return sum(1 for m in bot.api.sent_to(chat_id) if m.plain == en.SLOW_DOWN)


async def test_a_chat_sending_1000_messages_waits_behind_everyone_else_and_is_told_once(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    processor = processor_of(bot)
    flooder_user, flooder = bot.person(FLOODER, "Flo")
    others = [bot.person(chat_id, f"P{chat_id}") for chat_id in OTHERS]
    first = bot.api.hold("sendMessage")
    for _ in range(1_000):
        bot.api.send_text(flooder, flooder_user, "/cuba")
    for user, chat in others:
        bot.api.send_text(chat, user, "/cuba")
    # Everything is fetched; the flooder's first answer (and its one "slow down") and the
    # first seven other people's answers are held on the way out.
    await bot.api.wait_for(
        lambda: (
            processor.counts.admitted + processor.counts.dropped == 1_020
            and first.arrived == processor.max_running + 1
        )
    )
    backlog = processor.max_queued_per_chat
    assert processor.queued_for(FLOODER) == backlog  # its queue is full, and no longer
    assert processor.counts.dropped == 1_000 - 1 - backlog  # the rest was never queued
    assert processor.counts.longest_queue == backlog
    assert processor.counts.flood_notices == 1

    # Let those through and hold the next round: eight more *other* people are being
    # answered now, while the flooder's backlog has not moved, since it went to the back.
    second = bot.api.hold("sendMessage")
    first.release()
    answered_first = [chat_id for chat_id in OTHERS][: processor.max_running - 1]
    await bot.api.wait_for(
        lambda: (
            second.arrived == processor.max_running
            and all(bot.api.sent_to(chat_id) for chat_id in answered_first)
            and len(bot.api.sent_to(FLOODER)) == 2
        )
    )
    assert processor.queued_for(FLOODER) == backlog
    assert [m.plain == en.SLOW_DOWN for m in bot.api.sent_to(FLOODER)].count(True) == 1
    waiting_behind = [chat_id for chat_id in OTHERS][2 * processor.max_running - 1 :]
    assert not any(bot.api.sent_to(chat_id) for chat_id in waiting_behind)
    assert processor.queued_for(OTHERS[-1]) == 1  # the last person, still ahead of the flood

    second.release()
    await bot.api.wait_for(
        lambda: (
            all(bot.api.sent_to(chat_id) for chat_id in OTHERS)
            and processor.queued_for(FLOODER) == 0
            and processor.running == 0
        )
    )
    for chat_id in OTHERS:  # everyone else: answered, once
        (reply,) = bot.api.sent_to(chat_id)
        assert reply.plain.startswith("Cuba–Mexico relations")
    answers = [m for m in bot.api.sent_to(FLOODER) if m.plain != en.SLOW_DOWN]
    assert len(answers) == 1 + backlog  # what was queued is answered, in full
    assert slow_downs(bot, FLOODER) == 1  # and one "slow down" for all that was dropped
    dropped = bot.services.metrics.value("briefbot_updates_dropped_total")
    assert dropped == 1_000 - 1 - backlog  # the operator sees the drops


async def test_the_flooder_is_told_again_only_after_it_has_caught_up(start_bot: StartBot) -> None:
    bot = await start_bot()
    processor = processor_of(bot)
    processor.max_queued_per_chat = 2
    user, chat = bot.person(FLOODER, "Flo")
    for round_number in (1, 2):
        held = bot.api.hold("sendMessage")
        for _ in range(10):
            bot.api.send_text(chat, user, "/cuba")
        await bot.api.wait_for(lambda n=round_number: processor.counts.flood_notices == n)
        held.release()
        await bot.api.wait_for(
            lambda n=round_number: (
                slow_downs(bot, FLOODER) == n
                and processor.queued_for(FLOODER) == 0
                and processor.running == 0
            )
        )
    answers = [m for m in bot.api.sent_to(FLOODER) if m.plain != en.SLOW_DOWN]
    assert len(answers) + processor.counts.dropped == 20  # each one answered or dropped


async def test_polling_fetches_no_further_than_a_bounded_backlog(start_bot: StartBot) -> None:
    bot = await start_bot()
    processor = processor_of(bot)
    processor.max_waiting = 40
    chats = range(1_000, 1_400)
    held = bot.api.hold("sendMessage")
    for chat_id in chats:
        user, chat = bot.person(chat_id)
        bot.api.send_text(chat, user, "/cuba")
    await bot.api.wait_for(
        lambda: processor.waiting == processor.max_waiting and bot.application.update_queue.full()
    )
    # Held: eight running, forty waiting, one in PTB's hands waiting for room, PTB's queue
    # full, and polling stuck in the middle of one more getUpdates answer. Telegram keeps
    # the rest.
    fetched_at_most = processor.max_running + processor.max_waiting + 1 + UPDATE_QUEUE_SIZE + BATCH
    assert bot.api.pending_updates >= len(chats) - fetched_at_most
    assert processor.counts.most_waiting == processor.max_waiting
    held.release()
    await bot.api.wait_for(lambda: all(bot.api.sent_to(chat_id) for chat_id in chats))
    assert all(len(bot.api.sent_to(chat_id)) == 1 for chat_id in chats)


async def test_the_webhook_answers_busy_past_the_bound_and_telegram_posts_again(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(webhook=True)
    processor = processor_of(bot)
    processor.max_waiting = 20
    chats = range(2_000, 2_200)
    held = bot.api.hold("sendMessage")
    for chat_id in chats:
        user, chat = bot.person(chat_id)
        bot.api.send_text(chat, user, "/cuba")
    await bot.api.wait_for(lambda: bot.api.webhook_refusals.get(503, 0) >= 1)
    taken_at_most = processor.max_running + processor.max_waiting + 1 + UPDATE_QUEUE_SIZE
    assert bot.api.pending_updates >= len(chats) - taken_at_most
    held.release()
    await bot.api.wait_for(lambda: all(bot.api.sent_to(chat_id) for chat_id in chats))
    assert all(len(bot.api.sent_to(chat_id)) == 1 for chat_id in chats)


async def test_a_stop_gives_up_the_backlog_after_its_grace_and_loses_at_most_the_bound(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    first = await start_bot()
    processor = processor_of(first)
    processor.max_waiting = 20
    processor.stop_grace = 0  # give up at once: the held replies never finish in time
    chats = range(3_000, 3_300)
    held = first.api.hold("sendMessage")
    for chat_id in chats:
        user, chat = first.person(chat_id)
        first.api.send_text(chat, user, "/cuba")
    await first.api.wait_for(
        lambda: (
            processor.waiting == processor.max_waiting and first.application.update_queue.full()
        )
    )
    stopping = asyncio.create_task(first.stop())  # what SIGTERM does
    await first.api.wait_for(lambda: processor.counts.given_up > 0)
    held.release()  # the eight running updates finish; nothing else is started
    await stopping
    handled_by_first = [chat_id for chat_id in chats if first.api.sent_to(chat_id)]
    assert len(handled_by_first) == processor.max_running
    counts = processor.counts
    # Given up: what polling had confirmed (lost, and at most the bound); left: the part of
    # the last getUpdates answer that was not confirmed, which Telegram sends again.
    assert 0 < counts.given_up <= processor.max_waiting + 1 + UPDATE_QUEUE_SIZE
    kept = len(chats) - processor.max_running - counts.given_up
    assert first.api.pending_updates == kept  # all that was neither handled nor given up
    said = f"gave up {counts.given_up} queued update(s)"
    assert any(said in record.getMessage() for record in caplog.records)  # the operator knows

    second = await start_bot()  # the restart gets what Telegram kept, and answers it
    api = second.api
    await api.wait_for(
        lambda: sum(1 for c in chats if api.sent_to(c)) == len(chats) - counts.given_up
    )
    await api.wait_for(lambda: processor_of(second).counts.admitted == kept)
    assert processor_of(second).counts.dropped == 0
    assert all(len(api.sent_to(chat_id)) <= 1 for chat_id in chats)  # never twice
