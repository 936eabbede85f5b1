"""The flood budget instances share, from one instance's side, on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.clock import FixedClock
from bot.operations.logs import ThrottledWarning
from bot.operations.shared_budget import SharedFloodBudget
from bot.operations.telegram_limits import FloodLimits
from bot.store import Store, database_url
from bot.store.flood_permits import FloodPermits
from tests.postgres import PostgresServer, free_port

NOW = dt.datetime(2026, 2, 1, 15, 0, tzinfo=dt.UTC)


def _log() -> ThrottledWarning:
    return ThrottledWarning(
        logging.getLogger("briefbot.flood"), dt.timedelta(minutes=1), FixedClock(NOW).now
    )


@pytest.fixture
async def store(postgres_server: PostgresServer, tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(database_url(await postgres_server.database(), tmp_path))
    yield opened
    await opened.close()


async def test_a_reply_gets_the_slot_digests_leave_while_they_wait(store: Store) -> None:
    # Four messages a second overall: digests may take three, the fourth is the replies'.
    budget = SharedFloodBudget(
        FloodPermits(store.engine), FloodLimits(overall_per_second=4), _log()
    )
    budget.start()
    try:
        digests = [await budget.acquire(chat, urgent=False) for chat in (1, 2, 3)]
        assert all(permit.batch is not None for permit in digests)
        waiting = asyncio.create_task(budget.acquire(4, urgent=False))
        reply = await asyncio.wait_for(budget.acquire(5, urgent=True), 30)
        assert reply.batch is not None  # taken in the database, not waved through
        assert not waiting.done()  # the window is full for digests until the answers
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        for permit in [*digests, reply]:
            budget.release(permit)
    finally:
        await budget.stop()
    assert budget.taken == 4


async def test_with_the_database_away_messages_go_under_the_local_limits_and_say_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = create_async_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x")
    budget = SharedFloodBudget(FloodPermits(engine), FloodLimits(), _log())
    budget.start()
    try:
        with caplog.at_level(logging.WARNING, "briefbot.flood"):
            reply = await asyncio.wait_for(budget.acquire(5, urgent=True), 30)
            digest = await asyncio.wait_for(budget.acquire(6, urgent=False), 30)
    finally:
        await budget.stop()
        await engine.dispose()
    assert reply.batch is None and digest.batch is None
    lines = [r.getMessage() for r in caplog.records if "database is away" in r.getMessage()]
    assert len(lines) == 1, lines
    assert "\n" not in lines[0]
