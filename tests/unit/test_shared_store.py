"""What instances share through PostgreSQL: the update queue and the flood permits.

Against a real PostgreSQL server (the session's throwaway cluster; skipped, saying why,
where none is installed), several "instances" being several owners of one database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.store import Store, database_url
from bot.store.flood_permits import ALL, FloodPermits, Window
from bot.store.queued_updates import NO_CHAT, QueuedUpdates, chat_key
from bot.store.schema import flood_permits, queued_updates
from tests.postgres import PostgresServer

LEASE = dt.timedelta(seconds=60)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
async def store(postgres_server: PostgresServer, tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(database_url(await postgres_server.database(), tmp_path))
    yield opened
    await opened.close()


async def test_each_chat_gives_its_oldest_update_to_one_instance_at_a_time(store: Store) -> None:
    queue = QueuedUpdates(store.engine)
    for update_id, chat in [(10, 1), (11, 1), (12, 2), (13, 1), (14, 2), (15, 3)]:
        assert await queue.add(update_id, chat, f'{{"update_id": {update_id}}}')
    first = await queue.take("a#1", 10, LEASE)
    assert [update_id for update_id, _ in first] == [10, 12, 15]  # one per chat, the oldest
    assert await queue.take("b#1", 10, LEASE) == []  # each chat is held by "a"
    await queue.handled("a#1", [10])
    assert [u for u, _ in await queue.take("b#1", 10, LEASE)] == [11]  # chat 1's next
    await queue.handled("a#1", [12, 15])
    await queue.handled("b#1", [11])
    assert [u for u, _ in await queue.take("a#1", 10, LEASE)] == [13, 14]
    assert await queue.waiting() == 2


async def test_a_repeated_post_is_not_queued_twice_even_once_handled(store: Store) -> None:
    queue = QueuedUpdates(store.engine)
    assert await queue.add(20, 5, "{}")
    assert not await queue.add(20, 5, "{}")
    (taken,) = await queue.take("a#1", 5, LEASE)
    await queue.handled("a#1", [taken[0]])
    assert not await queue.add(20, 5, "{}")  # handled rows are kept a while
    assert await queue.take("a#1", 5, LEASE) == []


async def test_an_update_held_by_a_dead_instance_is_taken_over_after_its_lease(
    store: Store,
) -> None:
    queue = QueuedUpdates(store.engine)
    await queue.add(30, 7, "{}")
    await queue.add(31, 7, "{}")
    assert [u for u, _ in await queue.take("dead#1", 5, dt.timedelta(seconds=-1))] == [30]
    # The lease has run out: the same update, not the next, goes to the other instance.
    assert [u for u, _ in await queue.take("b#1", 5, LEASE)] == [30]
    await queue.handled("dead#1", [30])  # the dead one's late word no longer counts
    assert await queue.take("c#1", 5, LEASE) == []
    await queue.handled("b#1", [30])
    assert [u for u, _ in await queue.take("c#1", 5, LEASE)] == [31]


async def test_updates_taken_by_instances_at_once_keep_every_chats_order(store: Store) -> None:
    queue = QueuedUpdates(store.engine)
    chats, per_chat = 8, 12
    for n in range(chats * per_chat):
        await queue.add(100 + n, n % chats, "{}")
    handled: dict[int, list[int]] = {chat: [] for chat in range(chats)}
    running: set[int] = set()

    async def instance(owner: str) -> None:
        while await queue.waiting():
            for update_id, _ in await queue.take(owner, 3, LEASE):
                chat = (update_id - 100) % chats
                assert chat not in running, "two updates of one chat at once"
                running.add(chat)
                await asyncio.sleep(0)
                handled[chat].append(update_id)
                running.discard(chat)
                await queue.handled(owner, [update_id])

    await asyncio.wait_for(asyncio.gather(*(instance(f"i{n}#1") for n in range(3))), 60)
    assert all(ids == sorted(ids) and len(ids) == per_chat for ids in handled.values())


def test_an_update_without_chat_or_user_is_a_chat_of_its_own() -> None:
    assert chat_key(None, 5) == NO_CHAT + 5 != chat_key(None, 6)
    assert chat_key(-100, 5) == -100


async def test_given_up_updates_can_be_taken_at_once_by_another(store: Store) -> None:
    queue = QueuedUpdates(store.engine)
    await queue.add(40, 9, "{}")
    await queue.take("a#1", 1, LEASE)
    await queue.give_back("a#1", [40])
    assert [u for u, _ in await queue.take("b#1", 1, LEASE)] == [40]


async def test_handled_rows_are_forgotten_once_old(store: Store) -> None:
    queue = QueuedUpdates(store.engine)
    await queue.add(50, 1, "{}")
    await queue.take("a#1", 1, LEASE)
    await queue.handled("a#1", [50])
    async with store.engine.begin() as connection:
        await connection.execute(
            queued_updates.update().values(handled_at=sa.func.now() - dt.timedelta(hours=1))
        )
    assert await queue.forget_handled() == 1


# --- flood permits -------------------------------------------------------------------------

OVERALL = Window(10, SECOND)
PRIVATE = Window(3, 3 * SECOND)
GROUP = Window(2, 60 * SECOND)


async def test_permits_never_grant_more_than_a_window_holds(store: Store) -> None:
    permits = FloodPermits(store.engine)
    first = await permits.take(
        [(str(n), PRIVATE) for n in range(8)], OVERALL, urgent=False, reserve=2
    )
    assert first.granted == list(range(8))  # 10 - 2 kept for replies
    refused = await permits.take([("99", PRIVATE)], OVERALL, urgent=False, reserve=2)
    assert refused.granted == [] and refused.retry_in > 0
    reply = await permits.take([("99", PRIVATE)], OVERALL, urgent=True)
    assert reply.granted == [0]  # a reply may use the reserve
    await permits.take([("98", PRIVATE)], OVERALL, urgent=True)
    assert (await permits.take([("97", PRIVATE)], OVERALL, urgent=True)).granted == []


async def test_while_a_reply_waits_on_any_instance_digests_get_nothing(store: Store) -> None:
    permits = FloodPermits(store.engine)
    taken = await permits.take([(str(n), PRIVATE) for n in range(10)], OVERALL, urgent=True)
    assert (await permits.take([("50", PRIVATE)], OVERALL, urgent=True)).granted == []
    async with store.engine.begin() as connection:  # every slot is free again
        await connection.execute(
            flood_permits.delete().where(flood_permits.c.id.in_(taken.permit_ids))
        )
    assert (await permits.take([("51", PRIVATE)], OVERALL, urgent=False)).granted == []
    assert (await permits.take([("50", PRIVATE)], OVERALL, urgent=True)).granted == [0]


async def test_a_chat_gets_no_more_than_its_own_window(store: Store) -> None:
    permits = FloodPermits(store.engine)
    taken = await permits.take([("5", PRIVATE)] * 5 + [("-7", GROUP)] * 3, OVERALL, urgent=True)
    assert taken.granted == [0, 1, 2, 5, 6]
    assert (
        await permits.take([("5", PRIVATE), ("6", PRIVATE)], OVERALL, urgent=True)
    ).granted == [1]


async def test_a_permit_holds_its_slots_until_a_period_after_it_finished(store: Store) -> None:
    permits = FloodPermits(store.engine)
    window = Window(2, 5 * SECOND)
    taken = await permits.take([("1", PRIVATE), ("2", PRIVATE)], window, urgent=True)

    async def moved_back(column: str, seconds: float) -> None:
        async with store.engine.begin() as connection:
            await connection.execute(
                flood_permits.update().values(
                    {column: sa.func.clock_timestamp() - dt.timedelta(seconds=seconds)}
                )
            )

    await moved_back("taken_at", 10)  # two periods ago, and the answers still not back
    assert (await permits.take([("3", PRIVATE)], window, urgent=True)).granted == []
    await permits.finish([(taken.permit_ids, 0.0)])  # the answers are back: one more period
    assert (await permits.take([("3", PRIVATE)], window, urgent=True)).granted == []
    await moved_back("finished_at", 6)  # that period is over
    assert (await permits.take([("3", PRIVATE)], window, urgent=True)).granted == [0]


async def test_an_unfinished_permit_of_a_dead_instance_stops_counting_once_stale(
    store: Store,
) -> None:
    permits = FloodPermits(store.engine)
    await permits.take([(str(n), PRIVATE) for n in range(10)], OVERALL, urgent=True)
    assert (await permits.take([("11", PRIVATE)], OVERALL, urgent=True)).granted == []
    async with store.engine.begin() as connection:  # the instance died an hour ago
        await connection.execute(
            flood_permits.update().values(taken_at=sa.func.now() - dt.timedelta(hours=1))
        )
    assert (await permits.take([("11", PRIVATE)], OVERALL, urgent=True)).granted == [0]
    async with store.engine.connect() as connection:
        keys = await connection.execute(sa.select(flood_permits.c["key"]).distinct())
        assert ALL in set(keys.scalars())


async def test_a_chat_at_its_limit_is_told_to_wait_until_its_window_turns(store: Store) -> None:
    permits = FloodPermits(store.engine)
    taken = await permits.take([("5", PRIVATE)] * 3, OVERALL, urgent=True)
    await permits.finish([(taken.permit_ids, 0.0)])
    refused = await permits.take([("5", PRIVATE)], OVERALL, urgent=True)
    assert refused.granted == []
    # Not a slot of the overall window (a tenth of a second) but most of the chat's 3 s.
    assert refused.retry_in > 0.5
