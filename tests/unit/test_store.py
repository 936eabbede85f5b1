"""The store against a real SQLite file and a real PostgreSQL server: schema, chats,
subscriptions and the ledger. Every test that takes ``url`` or ``store`` runs on both
(``[sqlite]``, ``[postgresql]``); the PostgreSQL half is skipped, saying why, where no
server is installed."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import socket
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import (
    Claim,
    Store,
    TooManySubscriptions,
    UnusableDatabase,
    database_url,
    describe_outage,
    is_outage,
)
from bot.store import store as store_module
from bot.store.schema import CURRENT_VERSION, schema_version
from bot.store.store import failed_values, sent_values
from tests import delivery_ledger
from tests.postgres import PostgresServer

NOW = dt.datetime(2026, 2, 1, 15, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=2)


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database's async URL: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return database_url(None, tmp_path / "data")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return database_url(await server.database(), tmp_path)


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    opened = await Store.open(url)
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


async def test_a_database_newer_than_the_code_is_refused(url: str) -> None:
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


async def test_a_chat_gets_no_new_subscription_past_the_most_it_may_hold(store: Store) -> None:
    await store.remember_chat(8, "private", None, "en", NOW)
    for what in ("cuba", "missing"):
        await store.subscribe(8, what, "daily", 0, "07:30", 8, NOW, most=2)
    with pytest.raises(TooManySubscriptions):
        await store.subscribe(8, "train", "daily", 0, "07:30", 8, NOW, most=2)
    changed, new = await store.subscribe(8, "cuba", "weekly", 3, "09:00", 8, NOW, most=2)
    assert not new and (changed.cadence, changed.cadence_day) == ("weekly", 3)
    assert {s.what for s in await store.subscriptions_of([8])} == {"cuba", "missing"}
    # Another chat has its own room.
    await store.subscribe(9, "train", "daily", 0, "07:30", 9, NOW, most=2)


async def test_subscribing_at_once_on_sqlite_never_passes_the_most(tmp_path: Path) -> None:
    """SQLite writes one statement at a time, and the count is in the insert's statement."""
    store = await Store.open(database_url(None, tmp_path / "data"))
    try:
        results = await asyncio.gather(
            *(
                store.subscribe(10, f"t{n}", "daily", 0, "07:30", 10, NOW, most=5)
                for n in range(20)
            ),
            return_exceptions=True,
        )
        assert sum(isinstance(r, TooManySubscriptions) for r in results) == 15
        assert len(await store.subscriptions_of([10])) == 5
    finally:
        await store.close()


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
        *(
            delivery_ledger.claim(store, 1, "2026-02", f"instance-{n}", NOW, LEASE)
            for n in range(5)
        )
    )
    assert sum(claim is not None for claim in claims) == 1


async def test_an_expired_claim_is_taken_over_once(store: Store) -> None:
    claim = await delivery_ledger.claim(store, 1, "2026-02", "crashed", NOW, LEASE)
    assert claim is not None
    assert (
        await delivery_ledger.claim(store, 1, "2026-02", "other", NOW + LEASE / 2, LEASE) is None
    )
    later = NOW + LEASE + dt.timedelta(seconds=1)
    takeover = await delivery_ledger.claim(store, 1, "2026-02", "other", later, LEASE)
    assert takeover is not None and takeover.attempts == 2
    assert await delivery_ledger.claim(store, 1, "2026-02", "third", later, LEASE) is None
    # The crashed instance can no longer settle a claim it lost.
    assert not await delivery_ledger.mark_sent(store, claim, 1, [5], "v", [], later)
    assert await delivery_ledger.mark_sent(store, takeover, 1, [6], "v", ["fact:a"], later)
    sent = await delivery_ledger.row(store, 1, "2026-02")
    assert sent is not None and (sent.state, sent.message_ids) == ("sent", (6,))
    assert (
        await delivery_ledger.claim(store, 1, "2026-02", "third", later + LEASE * 10, LEASE)
        is None
    )


async def test_a_transient_failure_can_be_claimed_again(store: Store) -> None:
    claim = await delivery_ledger.claim(store, 1, "2026-02-01", "me", NOW, LEASE)
    assert claim is not None
    await delivery_ledger.mark_failed(store, claim, "TimedOut", retry=True)
    again = await delivery_ledger.claim(store, 1, "2026-02-01", "me", NOW, LEASE)
    assert again is not None and again.attempts == 2
    await delivery_ledger.mark_failed(
        store, again, "Forbidden: bot was blocked by the user", retry=False
    )
    assert (
        await delivery_ledger.claim(store, 1, "2026-02-01", "me", NOW + LEASE * 5, LEASE) is None
    )
    failed = await delivery_ledger.row(store, 1, "2026-02-01")
    assert failed is not None and failed.state == "failed" and failed.attempts == 2


async def test_last_sent_carries_what_the_digest_held(store: Store) -> None:
    for period, keys in (("2026-01", ["a"]), ("2026-02", ["a", "b"])):
        claim = await delivery_ledger.claim(store, 9, period, "me", NOW, LEASE)
        assert claim is not None
        await delivery_ledger.mark_sent(
            store, claim, 9, [1], "v1", keys, NOW + dt.timedelta(days=len(keys))
        )
    last = await store.last_sent(9)
    assert last is not None and last.period == "2026-02"
    assert last.content_keys == {"a", "b"}


async def test_a_restarted_instance_takes_back_its_own_claims_at_once(store: Store) -> None:
    assert await delivery_ledger.claim(store, 3, "2026-02", "host-a#boot1", NOW, LEASE) is not None
    # Another instance must wait for the lease; the same instance, rebooted, need not.
    assert await delivery_ledger.claim(store, 3, "2026-02", "host-b#boot1", NOW, LEASE) is None
    again = await delivery_ledger.claim(store, 3, "2026-02", "host-a#boot2", NOW, LEASE)
    assert again is not None and again.attempts == 2
    assert await delivery_ledger.claim(store, 3, "2026-02", "host-a#boot2", NOW, LEASE) is None


async def test_settled_names_only_finished_periods(store: Store) -> None:
    sent = await delivery_ledger.claim(store, 1, "p1", "a#1", NOW, LEASE)
    assert sent is not None
    await delivery_ledger.mark_sent(store, sent, 1, [1], "v", [], NOW)
    await delivery_ledger.claim(store, 1, "p2", "a#1", NOW, LEASE)  # still in flight
    failed = await delivery_ledger.claim(store, 2, "p1", "a#1", NOW, LEASE)
    assert failed is not None
    await delivery_ledger.mark_failed(store, failed, "Forbidden", retry=False)
    keys = [(1, "p1"), (1, "p2"), (2, "p1"), (3, "p1")]
    assert await store.settled(keys) == {(1, "p1"), (2, "p1")}


async def test_settle_many_records_only_the_claims_still_held(store: Store) -> None:
    claims = await store.claim_many([(1, "p"), (2, "p"), (3, "p"), (4, "p")], "a#1", NOW, LEASE)
    later = NOW + LEASE * 2
    [lost] = await store.claim_many([(4, "p")], "b#1", later, LEASE)  # taken over meanwhile
    outcomes = [
        (claims[0], sent_values(1, [7, 8], "v1", ["fact:a"], later)),
        (claims[1], sent_values(2, [9], "v1", [], later)),
        (claims[2], failed_values("Forbidden: bot was blocked by the user", retry=False)),
        (claims[3], sent_values(4, [10], "v1", [], later)),  # no longer a#1's
    ]
    assert await store.settle_many(outcomes) == 3
    ledger = {d.subscription_id: d for d in await delivery_ledger.rows(store)}
    assert (ledger[1].state, ledger[1].message_ids, ledger[1].sent_at) == ("sent", (7, 8), later)
    assert (ledger[3].state, ledger[3].last_error) == (
        "failed",
        "Forbidden: bot was blocked by the user",
    )
    assert ledger[3].sent_at is None and ledger[4].state == "claimed"
    assert await delivery_ledger.mark_sent(store, lost, 4, [11], "v1", [], later)


# --- two instances on one database --------------------------------------------------------

KEYS = [(subscription, "2026-02-01") for subscription in range(1, 401)]


async def _two_instances(url: str) -> tuple[Store, Store]:
    """Two stores with their own engines and pools, as two bot processes would have."""
    return await Store.open(url), await Store.open(url)


def _batches(keys: list[tuple[int, str]], size: int, seed: int) -> list[list[tuple[int, str]]]:
    shuffled = random.Random(seed).sample(keys, len(keys))
    return [shuffled[start : start + size] for start in range(0, len(shuffled), size)]


async def _claim_from_both(
    first: Store, second: Store, keys: list[tuple[int, str]], moment: dt.datetime, seed: int
) -> list[Claim]:
    """Both instances claim every key at once, each in its own order and batches: crossed
    orders are what would deadlock two PostgreSQL transactions that wait for each other."""
    calls = [first.claim_many(b, "a#1", moment, LEASE) for b in _batches(keys, 100, seed)]
    calls += [second.claim_many(b, "b#1", moment, LEASE) for b in _batches(keys, 100, seed + 1000)]
    return [claim for found in await asyncio.gather(*calls) for claim in found]


async def test_two_instances_claiming_at_once_take_each_row_once(url: str) -> None:
    first, second = await _two_instances(url)
    try:
        for round_ in range(1, 5):
            keys = [(s, f"p{round_}") for s, _ in KEYS]
            claims = await _claim_from_both(first, second, keys, NOW, round_)
            # Every row once: none lost, none twice (and no deadlock error on the way).
            assert sorted((c.subscription_id, c.period) for c in claims) == keys
    finally:
        await first.close()
        await second.close()


async def test_two_instances_take_over_abandoned_and_retry_rows_once(url: str) -> None:
    first, second = await _two_instances(url)
    try:
        claims = await first.claim_many(KEYS, "crashed#1", NOW, LEASE)
        assert len(claims) == len(KEYS)
        # Half wait for a retry, half were abandoned mid-send.
        retry = failed_values("TimedOut", retry=True)
        assert await first.settle_many([(claim, retry) for claim in claims[::2]]) == len(KEYS) // 2
        moment = NOW
        for attempt in range(2, 5):  # each round's winners die too, and are taken over
            moment += LEASE + dt.timedelta(seconds=1)
            taken = await _claim_from_both(first, second, KEYS, moment, attempt)
            assert sorted((c.subscription_id, c.period) for c in taken) == KEYS
            assert {c.attempts for c in taken} == {attempt}
            assert await second.claim_many(KEYS, "c#1", moment, LEASE) == []  # inside the lease
        assert {d.attempts for d in await delivery_ledger.rows(first)} == {4}
    finally:
        await first.close()
        await second.close()


# --- health and metrics --------------------------------------------------------------------


async def test_ping_answers_and_raises_when_the_database_is_away(store: Store) -> None:
    await store.ping()
    if store.engine.dialect.name == "sqlite":
        away = "sqlite+aiosqlite:////proc/no/such/dir/briefbot.sqlite3"
    else:
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        away = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/nothing"
    unreachable = Store(create_async_engine(away))
    try:
        with pytest.raises((OSError, sa.exc.DBAPIError)):
            await unreachable.ping()
    finally:
        await unreachable.close()


async def _open_error(url: str | sa.URL) -> Exception:
    try:
        store = await Store.open(str(url) if isinstance(url, str) else url.render_as_string(False))
    except Exception as error:
        return error
    await store.close()
    raise AssertionError(f"{url!r} opened")


async def test_a_database_that_can_never_open_is_told_from_one_that_is_away(
    url: str, tmp_path: Path
) -> None:
    """Trying again cannot create a database, a host name or a folder: those are refused
    with the reason (and never the password); a server that is only down stays an outage."""
    given = sa.make_url(url)
    if given.get_backend_name() == "sqlite":
        never = {given.set(database=str(tmp_path / "no" / "such" / "b.sqlite3")): "folder"}
    else:
        never = {
            given.set(database="no_such_database"): 'database "no_such_database" does not exist',
            given.set(host="db.invalid", password="hunter2"): "'db.invalid' does not resolve",
            given.set(username="nobody_here", password="hunter2"): 'role "nobody_here"',
        }
    for wrong, reason in never.items():
        error = await _open_error(wrong)
        assert isinstance(error, UnusableDatabase), repr(error)
        assert reason in str(error) and "hunter2" not in str(error)
        assert "\n" not in str(error)
    if given.get_backend_name() == "postgresql":
        with socket.socket() as probe:  # nothing listens: a server that is down, not a mistake
            probe.bind(("127.0.0.1", 0))
            away = given.set(port=probe.getsockname()[1])
        error = await _open_error(away)
        assert not isinstance(error, UnusableDatabase) and is_outage(error), repr(error)


@pytest.fixture
async def impatient_store(url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    """A store whose SQLite writes wait 0.3 s, not 5, for another process's lock."""
    busy_timeout = 1.0
    monkeypatch.setattr(store_module, "SQLITE_BUSY_TIMEOUT", busy_timeout)  # read as it connects
    opened = await Store.open(url)
    yield opened
    await opened.close()


async def _write_while_away(store: Store) -> Exception:
    """What a write raises while the database is away: the SQLite file locked by another
    process, or nothing listening where PostgreSQL was."""
    if store.engine.dialect.name == "sqlite":
        locker = sqlite3.connect(store.engine.url.database or "", isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            await store.set_timezone(1, "Europe/Madrid")
        except Exception as error:
            return error
        finally:
            locker.close()
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        away = Store(create_async_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x"))
        try:
            await away.set_timezone(1, "Europe/Madrid")
        except Exception as error:
            return error
        finally:
            await away.close()
    raise AssertionError("the write went through")


async def test_a_database_that_is_away_is_told_from_a_mistake(impatient_store: Store) -> None:
    """Digests wait for an away database and people are asked to try again; a mistake (a
    statement the database refuses) must still surface as one."""
    store = impatient_store
    await store.remember_chat(1, "private", None, "en", NOW)
    away = await _write_while_away(store)
    assert is_outage(away), repr(away)
    line = describe_outage(away)  # one line for the log, not SQLAlchemy's page
    assert "\n" not in line and "[SQL:" not in line and len(line) < 300, line
    assert line.startswith(("OperationalError: database is locked", "ConnectionRefusedError"))
    with pytest.raises(sa.exc.IntegrityError) as refused:  # the same chat twice
        async with store.engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO chats (id, type, language, created_at) VALUES (1, 'p', 'en', :t)"
                ),
                {"t": NOW},
            )
    assert not is_outage(refused.value)
    assert not is_outage(ValueError("a bug"))
    await store.ping()  # and the store works again


async def test_writes_queued_behind_a_locked_sqlite_file_give_up_in_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One connection: a write stuck on another process's lock must not make each write
    behind it wait its own turn on the lock (ten people, ten timeouts)."""
    busy_timeout = 1.0
    monkeypatch.setattr(store_module, "SQLITE_BUSY_TIMEOUT", busy_timeout)
    store = await Store.open(database_url(None, tmp_path))
    locker = sqlite3.connect(tmp_path / "briefbot.sqlite3", isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        writes = [store.set_timezone(n, "Europe/Madrid") for n in range(8)]
        failures = await asyncio.gather(*writes, return_exceptions=True)
        took = time.monotonic() - started
    finally:
        locker.close()
        await store.close()
    assert all(isinstance(f, Exception) and is_outage(f) for f in failures), failures
    # One after another, each would wait its own busy timeout: 8 of them at the least, a
    # floor no machine goes under. Together they give up in about one (1-3 measured).
    assert took < 8 * busy_timeout, took


async def test_subscribers_are_counted_by_chat_type(store: Store) -> None:
    assert await store.subscribers_by_chat_type() == {}
    chats = {1: "private", 2: "private", -3: "group", -1004: "supergroup", -1005: "channel"}
    for chat_id, kind in chats.items():
        await store.remember_chat(chat_id, kind, None, "en", NOW)
        await store.subscribe(chat_id, "cuba", "daily", 0, "07:30", None, NOW)
    await store.subscribe(1, "missing", "weekly", 0, "08:00", None, NOW)  # still one chat
    await store.set_paused((await store.subscriptions_of([2]))[0].id, True)
    await store.set_active(-1005, False, "kicked")
    await store.remember_chat(6, "private", None, "en", NOW)  # no subscription at all
    assert await store.subscribers_by_chat_type() == {
        "private": 1,
        "group": 1,
        "supergroup": 1,
    }


async def test_digest_counts_since_read_the_ledger(store: Store) -> None:
    later = NOW + dt.timedelta(hours=1)
    assert await store.digest_counts_since(NOW) == {"sent": 0, "failed": 0}
    old = await delivery_ledger.claim(store, 1, "p0", "a#1", NOW - dt.timedelta(days=1), LEASE)
    assert old is not None
    await delivery_ledger.mark_sent(store, old, 1, [1], "v", [], NOW - dt.timedelta(days=1))
    for subscription in (2, 3):
        claim = await delivery_ledger.claim(store, subscription, "p1", "a#1", NOW, LEASE)
        assert claim is not None
        await delivery_ledger.mark_sent(store, claim, subscription, [1], "v", [], later)
    gone = await delivery_ledger.claim(store, 4, "p1", "a#1", NOW, LEASE)
    assert gone is not None
    await delivery_ledger.mark_failed(store, gone, "Forbidden", retry=False)
    waiting = await delivery_ledger.claim(store, 5, "p1", "a#1", NOW, LEASE)
    assert waiting is not None
    await delivery_ledger.mark_failed(
        store, waiting, "TimedOut", retry=True
    )  # neither sent nor failed yet
    await delivery_ledger.claim(store, 6, "p1", "a#1", NOW, LEASE)  # in flight
    assert await store.digest_counts_since(NOW) == {"sent": 2, "failed": 1}
    assert await store.digest_counts_since(later) == {"sent": 2, "failed": 0}
    assert await store.digest_counts_since(later + LEASE) == {"sent": 0, "failed": 0}
