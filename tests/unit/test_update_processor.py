"""The update processor's turns, drops and screen, driven directly with real PTB updates.

The handlers' coroutine is a stand-in that waits on an event the test sets, so what runs,
what waits and what is dropped is decided by the test, never by timing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.operations.concurrency import PerChatUpdateProcessor, _raw_chat, conversation_key

USER = {"id": 7, "is_bot": False, "first_name": "Ana", "language_code": "en"}


def message(update_id: int, chat_id: int, kind: str = "message") -> dict[str, Any]:
    chat = {"id": chat_id, "type": "private", "first_name": "Ana"}
    body = {"message_id": update_id, "date": 1_700_000_000, "chat": chat, "from": USER}
    return {"update_id": update_id, kind: {**body, "text": "/cuba"}}


RAW_UPDATES = [
    message(1, 40),
    message(2, -100, "edited_message"),
    {
        "update_id": 3,
        "callback_query": {
            "id": "q1",
            "from": USER,
            "chat_instance": "c",
            "data": "x",
            "message": message(9, 41)["message"],
        },
    },
    {"update_id": 4, "callback_query": {"id": "q2", "from": USER, "chat_instance": "c"}},
    {"update_id": 5, "inline_query": {"id": "i", "from": USER, "query": "cuba", "offset": ""}},
]


def test_the_screen_finds_the_chat_a_parsed_update_is_queued_under() -> None:
    for raw in RAW_UPDATES:
        found = _raw_chat(raw)
        # None: not screened, left to admission, which keys it by its user.
        assert found is None or found == conversation_key(Update.de_json(raw, None))
    assert [_raw_chat(raw) for raw in RAW_UPDATES] == [40, -100, 41, None, None]


async def test_a_flooding_chat_is_screened_to_its_room_and_others_pass() -> None:
    notices: list[int] = []

    async def told(update: Update) -> None:
        notices.append(update.update_id)

    processor = PerChatUpdateProcessor(max_queued_per_chat=2, max_running=1, on_flood=told)
    await processor.initialize()
    release = asyncio.Event()
    handled: list[int] = []

    async def handler(update_id: int) -> None:
        await release.wait()
        handled.append(update_id)

    try:
        # Admitting does not wait while there is room, so the worker has not started:
        # two are queued, the third is dropped (and the chat told), then two more.
        for update_id in range(1, 6):
            update = Update.de_json(message(update_id, 40), None)
            await processor.process_update(update, handler(update_id))
        assert processor.counts.dropped == 3 and processor.queued_for(40) == 2
        batch = [message(n, 40) for n in range(6, 11)] + [message(11, 50), message(12, 40)]
        kept = [raw["update_id"] for raw in processor.screen(batch)]
        # The full chat's are left out, but for the last of the answer (polling's offset);
        # another chat's pass.
        assert kept == [11, 12]
        assert processor.counts.dropped == 3 + 5
        release.set()
        await processor.finish(asyncio.Queue())
        assert handled == [1, 2]
        assert notices == [3]
    finally:
        await processor.shutdown()


async def test_chats_take_turns() -> None:
    processor = PerChatUpdateProcessor(max_running=1)
    await processor.initialize()
    gate = asyncio.Event()
    order: list[tuple[int, int]] = []

    async def handler(chat_id: int, n: int) -> None:
        await gate.wait()
        order.append((chat_id, n))

    try:
        update_id = 0
        for chat_id, count in ((40, 4), (41, 1), (42, 1)):
            for n in range(count):
                update_id += 1
                update = Update.de_json(message(update_id, chat_id), None)
                await processor.process_update(update, handler(chat_id, n))
        gate.set()
        await processor.finish(asyncio.Queue())
        # Chat 40's second update waits for the others' first: one turn each.
        assert order == [(40, 0), (41, 0), (42, 0), (40, 1), (40, 2), (40, 3)]
    finally:
        await processor.shutdown()
