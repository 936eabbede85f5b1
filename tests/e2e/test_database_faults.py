"""The database away for a while, as the people asking and the subscribers waiting see it.

The faults: the SQLite file held locked by another process for longer than the store's
busy timeout, while a fan-out is due; PostgreSQL stopped in the middle of a fan-out (a clean
``pg_ctl stop -m fast``, and ``-m immediate``, which kills it as a crash would) for longer
than the claims' lease, and started again, every pooled connection dead; PostgreSQL down
when digests fall due; and the bot started while PostgreSQL is down. Each time, what a
person notices must hold:

- briefings (/cuba, /missing, free text, inline queries) answer from the catalog, at once;
- commands that need the database say so and ask to try again shortly: not "something went
  wrong", not silence, and in the log one warning line, never a traceback;
- every digest due is delayed, then delivered exactly once: those whose time came while the
  database was away, and those Telegram had accepted when their ``sent`` mark could not be
  written (kept, and written when the database is back, so no duplicate); the ledger ends
  with every row ``sent`` and claimed once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from bot.clock import ManualClock
from bot.digests import delivery
from bot.digests import service as digest_service
from bot.operations.concurrency import MAX_RUNNING_UPDATES
from bot.store import Store, database_url
from bot.store import store as store_module
from bot.subscriptions.replies import text
from localapi import LocalBotApi
from tests import delivery_ledger
from tests.e2e.conftest import MORNING, Harness, StartBot, insert_readers, subscribe_readers
from tests.postgres import PostgresServer, running_server

AWAY = text("en", "database_away")
UNAVAILABLE = text("en", "unavailable")  # no database since the start: not open yet
READERS = range(3000, 3120)  # private chats with a daily 08:00 digest


# --- what people see ---------------------------------------------------------------------------


async def _ask(bot: Harness, person: int, line: str, timeout: float = 30) -> tuple[float, str]:
    """``line`` from a person of their own; (seconds until the first reply, its text)."""
    user, chat = bot.person(person)
    before = len(bot.api.sent_to(person))
    asked = time.monotonic()
    bot.api.send_text(chat, user, line)
    await bot.api.wait_for(lambda: len(bot.api.sent_to(person)) > before, timeout=timeout)
    return time.monotonic() - asked, bot.api.sent_to(person)[before].plain


def _never_waited_on_the_database(seconds: list[float], store_wait: float) -> None:
    """A reply that waited on the database took at least the store's own wait for it (the
    busy timeout, the connect or statement timeout): a floor no load can lower. So replies
    under it never waited, on a quiet machine or a loaded one (10-350 ms measured)."""
    assert max(seconds) < store_wait, (seconds, store_wait)


async def _briefings_answer(bot: Harness, first_person: int) -> list[float]:
    """/cuba, /missing, free text and an inline query answer from the catalog; their times."""
    seconds = []
    for offset, (line, title) in enumerate(
        [("/cuba", "Cuba"), ("/missing", "Missing"), ("missing peple", "Missing")]
    ):
        waited, reply = await _ask(bot, first_person + offset, line)
        assert reply.startswith(title), reply
        seconds.append(waited)
    answered = len(bot.api.calls_to("answerInlineQuery"))
    asked = time.monotonic()
    bot.api.inline_query(bot.api.user(first_person + 3), "cuba")
    await bot.api.wait_for(lambda: len(bot.api.calls_to("answerInlineQuery")) > answered)
    seconds.append(time.monotonic() - asked)
    [inline] = bot.api.calls_to("answerInlineQuery")[answered:]
    assert inline.status == 200 and inline.params["results"][0]["id"] == "b:cuba"
    return seconds


def _received(api: LocalBotApi, readers: range) -> dict[int, int]:
    return {reader: api.messages_sent_to(reader) for reader in readers}


async def _every_digest_sent_once(bot: Harness, readers: list[int]) -> None:
    """Each reader got one message, and the ledger says so: one row each, sent, claimed once."""
    await bot.settle()
    assert {r: bot.api.messages_sent_to(r) for r in readers} == dict.fromkeys(readers, 1)
    ledger = await delivery_ledger.rows(bot.digests.store)
    assert len(ledger) == len(readers)
    assert {(row.state, row.attempts, len(row.message_ids)) for row in ledger} == {("sent", 1, 1)}


def _no_traceback(caplog: pytest.LogCaptureFixture, allowed_errors: tuple[str, ...] = ()) -> None:
    """Only one-line warnings: no traceback anywhere, no ERROR but the ones expected."""
    for record in caplog.records:
        message = record.getMessage()
        assert record.exc_info is None, f"a traceback: {record.name} {message}"
        if record.levelno >= logging.ERROR:
            assert message.startswith(allowed_errors), f"an error: {record.name} {message}"


# --- SQLite locked by another process ----------------------------------------------------------


@pytest.fixture
def short_sqlite_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[float]:
    """The store's busy timeout (5 s) cut to 1.5 s, and the claim retry (5 s) to 1 s, so a
    lock that outlasts the one, and a recovery that waits for the other, fit in a short
    test; the behaviour is the same at the real values."""
    monkeypatch.setattr(store_module, "SQLITE_BUSY_TIMEOUT", 1.5)
    monkeypatch.setattr(delivery, "CLAIM_RETRY_SECONDS", 1.0)
    yield 1.5


async def test_sqlite_locked_by_another_process_delays_digests_and_never_briefings(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture, short_sqlite_waits: float
) -> None:
    busy_timeout = short_sqlite_waits
    clock = ManualClock(MORNING - dt.timedelta(hours=1))
    bot = await start_bot(clock=clock)
    await subscribe_readers(bot, READERS, clock.now())
    await _briefings_answer(bot, 1)  # rendered once before: what is measured is the fault
    path = bot.services.settings.data_dir / "briefbot.sqlite3"
    locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # a VACUUM, a backup tool, an operator's shell
        locked = time.monotonic()
        clock.set(MORNING)  # the fan-out is due now
        await bot.digests.scheduler.rebuild()  # (reads go on beside a writer: WAL)
        quiet = await _briefings_answer(bot, 10)
        _never_waited_on_the_database(quiet, busy_timeout)
        # More people at once than updates run at once, each asking for the database.
        lines = ["/subscribe cuba daily 07:30", "/subscriptions", "/timezone madrid"]
        burst = [
            asyncio.create_task(_ask(bot, 100 + n, lines[n % len(lines)]))
            for n in range(MAX_RUNNING_UPDATES + 2)
        ]
        await bot.api.wait_for(lambda: bot.api.pending_updates == 0)  # all in the bot's hands
        behind_the_burst, reply = await _ask(bot, 20, "/cuba")
        assert reply.startswith("Cuba")
        answers = await asyncio.gather(*burst)
        slowest = max(waited for waited, _ in answers)
        for (_, answer), n in zip(answers, range(len(burst)), strict=True):
            if lines[n % len(lines)] == "/subscriptions":  # a read: WAL may let it through
                assert answer == AWAY or answer.startswith("No subscriptions here yet"), answer
            else:
                assert answer == AWAY, answer
        assert sum(_received(bot.api, READERS).values()) == 0  # delayed, not sent
        held = time.monotonic() - locked
        assert held > busy_timeout  # the lock outlasted every wait of the store's
    finally:
        if locker.in_transaction:
            locker.execute("ROLLBACK")
        locker.close()
    released = time.monotonic()
    await bot.api.wait_for(lambda: all(_received(bot.api, READERS).values()), timeout=20)
    delay = time.monotonic() - released
    await _every_digest_sent_once(bot, list(READERS))
    assert "could not claim" in caplog.text  # the lock did stop a claim, which was retried
    _waited, reply = await _ask(bot, 100, "/subscribe cuba daily 07:30")
    assert reply.startswith("✅ Subscribed"), reply
    _no_traceback(caplog)
    assert bot.services.activity.failures == 0
    # Commands waiting for the database hold the updates' running slots, so a briefing
    # behind a burst of them waits for slots to free. Each command gives up after the busy
    # timeout, and its wait for the one connection is as long: a command may queue for a
    # slot, then for the connection, then on the lock. (With the pool's default 30 s wait,
    # they gave up one after another: the tenth after ten busy timeouts.) Counted in busy
    # timeouts, the store's own unit, with room for a loaded machine between 3 and 10.
    assert behind_the_burst < 5 * busy_timeout, behind_the_burst
    assert slowest < 6 * busy_timeout, slowest
    print(
        f"\nSQLite locked {held:.1f} s (busy timeout {busy_timeout} s): briefings "
        f"{max(quiet) * 1000:.0f} ms at most, {behind_the_burst:.2f} s behind a burst of "
        f"{len(burst)} database commands answered within {slowest:.2f} s; digests delivered "
        f"{delay:.2f} s after the release"
    )


# --- PostgreSQL stopped and started again ------------------------------------------------------


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    """A server of this module's own: stopping the session's would disturb other tests."""
    with running_server() as server:
        yield server


@pytest.fixture
def postgres(own_server: PostgresServer) -> Iterator[PostgresServer]:
    """The module's server, running (a test that failed mid-outage left it stopped)."""
    if not (own_server.data / "postmaster.pid").exists():
        own_server.resume()
    yield own_server


async def _durable_database(server: PostgresServer) -> str:
    """A fresh database whose commits survive a crash, as in production: the test server
    runs with ``synchronous_commit=off``, which may forget the last commits it acknowledged
    when it is killed (``-m immediate``), a ledger row marked sent included."""
    url = await server.database()
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user="postgres", database="postgres"
    )
    try:
        await connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = on')
    finally:
        await connection.close()
    return url


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_postgresql_stopped_mid_fan_out_and_started_again_loses_and_repeats_nothing(
    mode: str, start_bot: StartBot, postgres: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = await _durable_database(postgres)
    clock = ManualClock(MORNING - dt.timedelta(hours=1))
    bot = await start_bot(clock=clock, env={"DATABASE_URL": url})
    await subscribe_readers(bot, READERS, clock.now())
    await _briefings_answer(bot, 1)  # rendered once before: what is measured is the fault
    clock.set(MORNING)
    bot.api.delay_next("sendMessage", 0.1, times=len(READERS))  # a slow link: a long fan-out
    await bot.digests.scheduler.rebuild()
    await bot.api.wait_for(lambda: sum(_received(bot.api, READERS).values()) >= 24)
    await asyncio.to_thread(postgres.halt, mode)
    when_it_stopped = _received(bot.api, READERS)
    assert sum(when_it_stopped.values()) < len(READERS)  # stopped in the middle
    seconds = await _briefings_answer(bot, 10)
    for person, line in enumerate(["/subscribe cuba daily 07:30", "/subscriptions"], 20):
        waited, reply = await _ask(bot, person, line)
        assert reply == AWAY, reply
        seconds.append(waited)
    _never_waited_on_the_database(seconds, store_module.CONNECT_TIMEOUT)
    # The outage outlasts the claims' lease: to a sweep, those held since 08:00 now look
    # abandoned.
    clock.set(MORNING + delivery.LEASE + dt.timedelta(minutes=1))
    await asyncio.sleep(0.5)
    during = _received(bot.api, READERS)
    # Sends under way when it stopped finished; no other began, since their marks could
    # not be written: at most one per worker was accepted by Telegram and left unrecorded.
    began_after = [r for r in READERS if during[r] > when_it_stopped[r]]
    assert len(began_after) <= delivery.WORKERS, began_after
    await asyncio.to_thread(postgres.resume)
    resumed = time.monotonic()
    assert await bot.digests.scheduler.sweep() > 0  # as the sweep every 30 s may, at once
    await bot.api.wait_for(lambda: all(_received(bot.api, READERS).values()), timeout=20)
    delay = time.monotonic() - resumed
    await _every_digest_sent_once(bot, list(READERS))  # none taken back and sent again
    assert "sending waits" in caplog.text  # some marks really were kept, then written
    _waited, reply = await _ask(bot, 20, "/subscribe cuba daily 07:30")
    assert reply.startswith("✅ Subscribed"), reply
    _no_traceback(caplog)
    assert bot.services.activity.failures == 0
    print(
        f"\nPostgreSQL stopped ({mode}) after {sum(when_it_stopped.values())} of "
        f"{len(READERS)} digests; {len(began_after)} more were delivered while it was down "
        f"(sends under way), none began; briefings {max(seconds) * 1000:.0f} ms at most; "
        f"the rest delivered {delay:.2f} s after its start, once each"
    )


async def test_digests_whose_time_comes_while_postgresql_is_down_are_sent_when_it_is_back(
    start_bot: StartBot,
    postgres: PostgresServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery, "CLAIM_RETRY_SECONDS", 1.0)
    url = await postgres.database()
    clock = ManualClock(MORNING - dt.timedelta(hours=1))
    bot = await start_bot(clock=clock, env={"DATABASE_URL": url})
    await subscribe_readers(bot, READERS, clock.now())
    await _briefings_answer(bot, 1)  # rendered once before: what is measured is the fault
    clock.set(MORNING - dt.timedelta(seconds=2))  # 07:59:58: the digests are due in 2 s
    await bot.digests.scheduler.rebuild()
    planned = {s.id for s in await bot.digests.store.subscriptions_of(READERS)}
    await asyncio.to_thread(postgres.halt)
    # Their jobs fire (and plan tomorrow's) with nothing to read; the claims fail and wait.
    await bot.api.wait_for(
        lambda: all(bot.digests.scheduler.planned[s][1] != "2026-11-26" for s in planned),
        timeout=10,
    )
    await bot.api.wait_for(lambda: "could not claim" in caplog.text)
    seconds = await _briefings_answer(bot, 10)
    _never_waited_on_the_database(seconds, store_module.CONNECT_TIMEOUT)
    [sweep] = bot.application.job_queue.get_jobs_by_name("digest-sweep")  # type: ignore[union-attr]
    await sweep.run(bot.application)  # the sweep every 30 s finds nothing to read: skipped
    assert "sweep skipped, the database is away" in caplog.text
    await asyncio.sleep(1.0)  # claims keep failing, once a second here
    assert sum(_received(bot.api, READERS).values()) == 0
    await asyncio.to_thread(postgres.resume)
    resumed = time.monotonic()
    await bot.api.wait_for(lambda: all(_received(bot.api, READERS).values()), timeout=20)
    delay = time.monotonic() - resumed
    await _every_digest_sent_once(bot, list(READERS))
    assert {row.period for row in await delivery_ledger.rows(bot.digests.store)} == {"2026-11-26"}
    _no_traceback(caplog)
    print(
        f"\nPostgreSQL down when {len(READERS)} digests were due: briefings "
        f"{max(seconds) * 1000:.0f} ms at most; delivered {delay:.2f} s after its start"
    )


# --- started while the database is down --------------------------------------------------------


@pytest.fixture
def retry_opening_soon(monkeypatch: pytest.MonkeyPatch) -> None:
    """Attempts to open the database every second, not after 1, 2, 4 … 30 s."""
    monkeypatch.setattr(digest_service, "OPEN_RETRY_FIRST", 0.5)
    monkeypatch.setattr(digest_service, "OPEN_RETRY_MAX", 1.0)


async def test_started_while_postgresql_is_down_it_answers_and_delivers_once_it_is_back(
    start_bot: StartBot,
    postgres: PostgresServer,
    caplog: pytest.LogCaptureFixture,
    retry_opening_soon: None,
) -> None:
    url = await postgres.database()
    subscribed = MORNING - dt.timedelta(days=1)
    opened = await Store.open(database_url(url, Path()))  # an earlier run's subscribers
    try:
        await insert_readers(opened.engine, READERS, subscribed)
    finally:
        await opened.close()
    await asyncio.to_thread(postgres.halt)
    clock = ManualClock(MORNING + dt.timedelta(minutes=5))  # today's digest is due
    bot = await start_bot(clock=clock, env={"DATABASE_URL": url}, web=True)
    for reader in READERS:
        bot.api.private_chat(reader)
    assert bot.services.digests is None
    await _briefings_answer(bot, 1)  # rendered once before: what is measured is the fault
    seconds = await _briefings_answer(bot, 10)
    waited, reply = await _ask(bot, 20, "/subscribe cuba daily 07:30")
    assert reply == UNAVAILABLE, reply
    _never_waited_on_the_database([*seconds, waited], store_module.CONNECT_TIMEOUT)
    async with httpx.AsyncClient(base_url=bot.web_url, timeout=10) as client:
        assert (await client.get("/healthz")).status_code == 503
        # a few attempts to open it fail meanwhile
        await bot.api.wait_for(lambda: "still cannot be opened" in caplog.text)
        await asyncio.to_thread(postgres.resume)
        resumed = time.monotonic()
        await bot.api.wait_for(lambda: all(_received(bot.api, READERS).values()), timeout=15)
        delay = time.monotonic() - resumed
        assert (await client.get("/healthz")).status_code == 200
    await _every_digest_sent_once(bot, list(READERS))
    waited, reply = await _ask(bot, 20, "/subscribe cuba daily 07:30")
    assert reply.startswith("✅ Subscribed"), reply
    _no_traceback(caplog, allowed_errors=("subscriptions are off", "GET /healthz -> 503"))
    print(
        f"\nstarted with PostgreSQL down: briefings {max(seconds) * 1000:.0f} ms at most; "
        f"{len(READERS)} digests delivered {delay:.2f} s after it came back"
    )


# --- PostgreSQL frozen: connections open, nothing answers --------------------------------------


@pytest.fixture
def short_statement_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    """The store's PostgreSQL statement and connect timeouts (5 s each) cut to 1.5 s: the
    same behaviour, a shorter test. (A new connection to a frozen server is accepted by the
    kernel and then never greeted: the connect timeout bounds that wait.)"""
    monkeypatch.setattr(store_module, "STATEMENT_TIMEOUT", 1.5)
    monkeypatch.setattr(store_module, "CONNECT_TIMEOUT", 1.5)
    return 1.5


async def test_a_frozen_postgresql_holds_nobody_longer_than_the_statement_timeout(
    start_bot: StartBot,
    postgres: PostgresServer,
    short_statement_timeout: float,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A partition, not a stop: the server keeps its connections and never answers. Before
    the statement timeout, /subscribe waited for TCP to give up (many minutes), holding an
    update slot; enough such commands would have held briefings too."""
    url = await postgres.database()
    bot = await start_bot(clock=ManualClock(MORNING), env={"DATABASE_URL": url})
    await _briefings_answer(bot, 1)
    _waited, reply = await _ask(bot, 20, "/subscribe cuba daily 07:30")
    assert reply.startswith("✅ Subscribed"), reply
    await asyncio.to_thread(postgres.freeze)
    try:
        asking = [
            asyncio.ensure_future(_ask(bot, person, "/subscriptions"))
            for person in range(30, 30 + MAX_RUNNING_UPDATES)
        ]  # every update slot waits on the database
        await bot.api.wait_for(lambda: bot.api.pending_updates == 0)  # all in the bot's hands
        await _briefings_answer(bot, 10)
        answers = await asyncio.gather(*asking)
    finally:
        await asyncio.to_thread(postgres.thaw)
    # Each gave up at its statement timeout (waiting for TCP to give up instead takes many
    # minutes, and _ask's 30 s would have run out), and the briefings queued behind them
    # were answered (_briefings_answer checks each title).
    assert {reply for _, reply in answers} == {AWAY}
    _waited, reply = await _ask(bot, 20, "/subscriptions")
    assert "cuba" in reply.lower(), reply
    _no_traceback(caplog)
