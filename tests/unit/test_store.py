"""The store against a real SQLite file: schema, chats, subscriptions and the ledger."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.store import Store, database_url
from bot.store.schema import CURRENT_VERSION, schema_version

NOW = dt.datetime(2026, 2, 1, 15, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=2)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(database_url(None, tmp_path / "data"))
    yield opened
    await opened.close()


async def test_first_start_creates_the_file_and_the_schema(tmp_path: Path) -> None:
    url = database_url(None, tmp_path / "fresh")
    store = await Store.open(url)
    await store.close()
    assert (tmp_path / "fresh" / "briefbot.sqlite3").exists()
    again = await Store.open(url)  # a second start upgrades nothing and keeps the version
    async with again.engine.connect() as connection:
        version = (await connection.execute(sa.select(schema_version.c.version))).scalar()
    await again.close()
    assert version == CURRENT_VERSION


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    url = database_url(None, tmp_path)
    store = await Store.open(url)
    async with store.engine.begin() as connection:
        await connection.execute(schema_version.update().values(version=CURRENT_VERSION + 1))
    await store.close()
    with pytest.raises(RuntimeError, match="newer than this briefbot"):
        await Store.open(url)


def test_database_url_picks_the_async_drivers(tmp_path: Path) -> None:
    assert database_url("postgresql://u:p@h/db", tmp_path) == "postgresql+asyncpg://u:p@h/db"
    assert database_url("postgres://h/db", tmp_path) == "postgresql+asyncpg://h/db"
    assert database_url("sqlite:///x.db", tmp_path) == "sqlite+aiosqlite:///x.db"


async def test_remember_chat_keeps_its_settings(store: Store) -> None:
    await store.remember_chat(-5, "group", "Old title", "en", NOW)
    await store.set_timezone(-5, "Europe/Madrid")
    await store.set_quiet_hours(-5, "22:00", "07:00")
    chat = await store.remember_chat(-5, "group", "New title", "es", NOW)
    assert (chat.title, chat.timezone, chat.quiet_start, chat.quiet_end) == (
        "New title",
        "Europe/Madrid",
        "22:00",
        "07:00",
    )


async def test_subscribing_twice_changes_the_schedule_not_the_count(store: Store) -> None:
    await store.remember_chat(7, "private", None, "en", NOW)
    first, new = await store.subscribe(7, "cuba", "daily", 0, "07:30", 7, NOW)
    again, new_again = await store.subscribe(7, "cuba", "weekly", 0, "08:00", 7, NOW)
    assert new and not new_again and first.id == again.id
    assert (again.cadence, again.at) == ("weekly", "08:00")
    assert len(await store.subscriptions_of([7])) == 1


async def test_paused_subscriptions_and_inactive_chats_are_not_scheduled(store: Store) -> None:
    for chat in (1, 2, 3):
        await store.remember_chat(chat, "private", None, "en", NOW)
        await store.subscribe(chat, "cuba", "daily", 0, "07:30", chat, NOW)
    await store.set_paused((await store.subscriptions_of([2]))[0].id, True)
    await store.set_active(3, False, "blocked")
    assert [chat.id for _, chat in await store.schedulable()] == [1]
    assert (await store.chat(3)).inactive_reason == "blocked"  # type: ignore[union-attr]


async def test_migration_moves_subscriptions_and_settings(store: Store) -> None:
    await store.remember_chat(-100, "group", "Readers", "en", NOW)
    await store.set_timezone(-100, "America/Bogota")
    await store.subscribe(-100, "missing", "weekly", 0, "08:00", 1, NOW)
    assert await store.migrate_chat(-100, -1001)
    assert await store.chat(-100) is None
    moved = await store.chat(-1001)
    assert moved is not None and (moved.type, moved.timezone) == ("supergroup", "America/Bogota")
    assert [s.what for s in await store.subscriptions_of([-1001])] == ["missing"]


async def test_a_period_is_claimed_once(store: Store) -> None:
    claims = await asyncio.gather(
        *(store.claim(1, "2026-02", f"instance-{n}", NOW, LEASE) for n in range(5))
    )
    assert sum(claim is not None for claim in claims) == 1


async def test_an_expired_claim_is_taken_over_once(store: Store) -> None:
    claim = await store.claim(1, "2026-02", "crashed", NOW, LEASE)
    assert claim is not None
    assert await store.claim(1, "2026-02", "other", NOW + LEASE / 2, LEASE) is None
    later = NOW + LEASE + dt.timedelta(seconds=1)
    takeover = await store.claim(1, "2026-02", "other", later, LEASE)
    assert takeover is not None and takeover.attempts == 2
    assert await store.claim(1, "2026-02", "third", later, LEASE) is None
    # The crashed instance can no longer settle a claim it lost.
    assert not await store.mark_sent(claim, 1, [5], "v", [], later)
    assert await store.mark_sent(takeover, 1, [6], "v", ["fact:a"], later)
    sent = await store.delivery(1, "2026-02")
    assert sent is not None and (sent.state, sent.message_ids) == ("sent", (6,))
    assert await store.claim(1, "2026-02", "third", later + LEASE * 10, LEASE) is None


async def test_a_transient_failure_can_be_claimed_again(store: Store) -> None:
    claim = await store.claim(1, "2026-02-01", "me", NOW, LEASE)
    assert claim is not None
    await store.mark_failed(claim, "TimedOut", retry=True)
    again = await store.claim(1, "2026-02-01", "me", NOW, LEASE)
    assert again is not None and again.attempts == 2
    await store.mark_failed(again, "Forbidden: bot was blocked by the user", retry=False)
    assert await store.claim(1, "2026-02-01", "me", NOW + LEASE * 5, LEASE) is None
    failed = await store.delivery(1, "2026-02-01")
    assert failed is not None and failed.state == "failed" and failed.attempts == 2


async def test_last_sent_carries_what_the_digest_held(store: Store) -> None:
    for period, keys in (("2026-01", ["a"]), ("2026-02", ["a", "b"])):
        claim = await store.claim(9, period, "me", NOW, LEASE)
        assert claim is not None
        await store.mark_sent(claim, 9, [1], "v1", keys, NOW + dt.timedelta(days=len(keys)))
    last = await store.last_sent(9)
    assert last is not None and last.period == "2026-02"
    assert last.content_keys == {"a", "b"}


async def test_a_restarted_instance_takes_back_its_own_claims_at_once(store: Store) -> None:
    assert await store.claim(3, "2026-02", "host-a#boot1", NOW, LEASE) is not None
    # Another instance must wait for the lease; the same instance, rebooted, need not.
    assert await store.claim(3, "2026-02", "host-b#boot1", NOW, LEASE) is None
    again = await store.claim(3, "2026-02", "host-a#boot2", NOW, LEASE)
    assert again is not None and again.attempts == 2
    assert await store.claim(3, "2026-02", "host-a#boot2", NOW, LEASE) is None


async def test_settled_names_only_finished_periods(store: Store) -> None:
    sent = await store.claim(1, "p1", "a#1", NOW, LEASE)
    assert sent is not None
    await store.mark_sent(sent, 1, [1], "v", [], NOW)
    await store.claim(1, "p2", "a#1", NOW, LEASE)  # still in flight
    failed = await store.claim(2, "p1", "a#1", NOW, LEASE)
    assert failed is not None
    await store.mark_failed(failed, "Forbidden", retry=False)
    keys = [(1, "p1"), (1, "p2"), (2, "p1"), (3, "p1")]
    assert await store.settled(keys) == {(1, "p1"), (2, "p1")}
