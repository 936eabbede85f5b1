"""PostgreSQL going away and coming back, as the bot's health check and its users see it.

The server is one of this test's own (halting the session's would disturb other tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.e2e.conftest import StartBot
from tests.postgres import PostgresServer, start_server


@pytest.fixture
async def own_postgres() -> AsyncIterator[PostgresServer]:
    server = await asyncio.to_thread(start_server)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


async def _health(client: httpx.AsyncClient) -> tuple[int, str]:
    answer = await client.get("/healthz")
    return answer.status_code, answer.json()["database"]


async def test_healthz_follows_a_database_outage_and_briefings_keep_answering(
    start_bot: StartBot, own_postgres: PostgresServer
) -> None:
    url = await own_postgres.database()
    bot = await start_bot(web=True, env={"DATABASE_URL": url})
    user, chat = bot.person(90)
    async with httpx.AsyncClient(base_url=bot.web_url, timeout=10) as client:
        assert await _health(client) == (200, "ok")
        await asyncio.to_thread(own_postgres.halt)
        status, database = await _health(client)
        assert status == 503 and database.startswith("unavailable")
        assert (await bot.say(chat, user, "/cuba"))[0].plain.startswith("Cuba")
        await asyncio.to_thread(own_postgres.resume)
        assert await _health(client) == (200, "ok")  # dead pooled connections are replaced
    replies = await bot.say(chat, user, "/subscribe cuba daily 07:30")  # back in service
    assert replies[0].plain.startswith("✅ Subscribed: Cuba–Mexico relations")
