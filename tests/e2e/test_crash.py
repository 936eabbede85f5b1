"""`briefbot run` killed in the middle of a 2,000-subscriber fan-out, then started again.

The bot runs as a real process (``python -m bot run``) against the local Bot API server,
which enforces Telegram's flood limits scaled by the same factor the bot is told
(``BRIEFBOT_FLOOD_SCALE``), so the fan-out lasts a few seconds and a 429 would be the flood
limiter's failure. The SQLite database in ``BRIEFBOT_DATA_DIR`` is seeded straight through
the store's tables, as ``bench/fanout.py`` does: 2,000 chats (80 % private, 20 % groups) with
one digest due at 09:00, plus the settings people set (zones, Spanish, quiet hours, paused
subscriptions, other times and cadences, a city's listings) and a few chats with nothing due.

The demo clock (``BRIEFBOT_NOW``) starts at 09:00, so the fan-out begins at once, and runs
at real speed: a faster one would let the two-minute lease of a claim run out during the
test, and a restart could then take the killed process's claims back for that reason
instead of the one under test (its boot id changed). The clock starts again from
``BRIEFBOT_NOW`` at every start, so a restart is told a minute later (the digests the kill
interrupted are overdue, as after a real crash), except where a test says it replays 09:00.

What a crash may cost, from :mod:`bot.digests.delivery`: a worker holds its slot until its digest's
outcome is written to the ledger, so at a SIGKILL at most ``WORKERS`` digests were accepted
by Telegram and not yet marked sent. Those rows stay ``claimed``; the restart takes them
back (a new boot id) and sends each once more. So one SIGKILL makes at most ``WORKERS``
duplicates, one each, and exactly as many as the messages Telegram had accepted beyond the
ledger's ``sent`` rows when the process died; nothing is lost. A SIGTERM makes none.
Two kills in a row are two windows: at most ``WORKERS`` more, and a subscriber caught in
both (its digest re-sent by the second process when that one died too) gets three.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.digests.delivery import WORKERS, DigestDelivery, Due, owner_id
from bot.digests.sender import DigestSender
from bot.operations.telegram_limits import FloodLimits
from bot.store import Claim, Store, database_url
from bot.store.schema import chats, subscriptions
from briefings.model import Catalog
from localapi import LocalBotApi, LocalBotApiServer
from tests import delivery_ledger
from tests.conftest import MEXICO_CITY, TODAY
from tests.e2e.conftest import StartBot, subscribe_readers, wait_until

SUBSCRIBERS = 2_000
SCALE = 10  # flood limits x10: 300 messages a second, so 2,000 digests take 7 s or more
START = "2026-11-26T09:00"  # BRIEFBOT_NOW: when the digests are due
LATER = "2026-11-26T09:01"  # a restart a minute later, within the claims' lease
DAY, WEEK = "2026-11-26", "2026-W48"  # the periods of the daily and weekly digests due
# After yesterday's slots, so a start finds no earlier period missed.
CREATED = dt.datetime(2026, 11, 26, 7, 59, tzinfo=MEXICO_CITY)
THURSDAY = 3
# The header of a digest of that day, in English or Spanish.
TODAYS_DIGEST = re.compile(
    r" · (your (daily|weekly) digest · Thu 26 Nov 2026|tu resumen (diario|semanal) · jue 26 nov"
    r" 2026)\n"
)


@dataclass(frozen=True)
class Seeded:
    """What the database holds before the first start."""

    database: Path
    due: dict[int, tuple[int, str]]  # chat -> (its one subscription due today, the period)
    idle: frozenset[int]  # chats with subscriptions, none of them due during the test


def _subscription(chat_id: int, what: str, at: str = "09:00", **values: Any) -> dict[str, Any]:
    return {
        "chat_id": chat_id,
        "what": what,
        "cadence": "daily",
        "cadence_day": 0,
        "at": at,
        "paused": False,
        "created_by": chat_id if chat_id > 0 else 4242,  # an administrator, in groups
        "created_at": CREATED,
        **values,
    }


def _population(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(chats, subscriptions): ``count`` subscribers with one digest due, and idle chats."""
    groups = count // 5
    ids = [*range(1, count - groups + 1), *(-1_000_000 - n for n in range(groups))]
    chat_rows: list[dict[str, Any]] = []
    subscription_rows: list[dict[str, Any]] = []
    for index, chat_id in enumerate(ids):
        mazatlan = index % 11 == 5  # 08:00 in Mazatlán is 09:00 in Mexico City
        chat_rows.append(
            {
                "id": chat_id,
                "type": "private" if chat_id > 0 else "group",
                "title": None if chat_id > 0 else f"Group {-chat_id}",
                "timezone": "America/Mazatlan"
                if mazatlan
                else (None if index % 3 == 0 else "America/Mexico_City"),
                "language": "es" if index % 7 == 3 else "en",
                "quiet_start": "22:00" if index % 19 == 7 else None,
                "quiet_end": "07:00" if index % 19 == 7 else None,
                "active": True,
                "created_at": CREATED,
            }
        )
        weekly = {"cadence": "weekly", "cadence_day": THURSDAY} if index % 17 == 4 else {}
        what = "events:guadalajara" if index % 13 == 2 else "cuba"
        subscription_rows.append(
            _subscription(chat_id, what, "08:00" if mazatlan else "09:00", **weekly)
        )
        if index % 23 == 0:
            subscription_rows.append(_subscription(chat_id, "security", paused=True))
        if index % 29 == 1:
            subscription_rows.append(_subscription(chat_id, "missing", "20:00"))
        if index % 31 == 2:
            subscription_rows.append(
                _subscription(chat_id, "events", cadence="monthly", cadence_day=1)
            )
    idle = [
        ({"id": 9_100_001, "type": "private"}, _subscription(9_100_001, "cuba", paused=True)),
        (
            {"id": 9_100_002, "type": "private", "active": False, "inactive_reason": "blocked"},
            _subscription(9_100_002, "cuba"),
        ),
        (
            {"id": 9_100_003, "type": "private", "language": "es"},
            _subscription(9_100_003, "train", cadence="weekly", cadence_day=0),
        ),
        (
            {"id": -9_100_004, "type": "group", "title": "Madrid", "timezone": "Europe/Madrid"},
            _subscription(-9_100_004, "security", "21:30"),
        ),
    ]
    for chat, subscription in idle:
        chat_rows.append(
            {
                "title": None,
                "timezone": None,
                "language": "en",
                "quiet_start": None,
                "quiet_end": None,
                "active": True,
                "created_at": CREATED,
                **chat,
            }
        )
        subscription_rows.append(subscription)
    return chat_rows, subscription_rows


async def _insert(url: str, chat_rows: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    store = await Store.open(url)  # creates the schema, as the bot's first start would
    try:
        async with store.engine.begin() as connection:
            await connection.execute(sa.insert(chats), chat_rows)
            await connection.execute(sa.insert(subscriptions), rows)
    finally:
        await store.close()


def _seed(api: LocalBotApi, data_dir: Path, count: int) -> Seeded:
    chat_rows, subscription_rows = _population(count)
    for chat in chat_rows:
        if chat["type"] == "private":
            api.private_chat(chat["id"], first_name=f"reader{chat['id']}")
        else:
            api.group_chat(chat["id"], chat["title"])
    asyncio.run(_insert(database_url(None, data_dir), chat_rows, subscription_rows))
    database = data_dir / "briefbot.sqlite3"
    due: dict[int, tuple[int, str]] = {}
    idle: set[int] = set()
    for subscription_id, chat_id, what, cadence, paused, active in _query(
        database,
        "SELECT s.id, s.chat_id, s.what, s.cadence, s.paused, c.active FROM subscriptions s"
        " JOIN chats c ON c.id = s.chat_id ORDER BY s.id",
    ):
        if what in ("cuba", "events:guadalajara") and active and not paused:
            assert chat_id not in due, "one digest due per chat"
            due[chat_id] = (subscription_id, WEEK if cadence == "weekly" else DAY)
        else:
            idle.add(chat_id)
    assert len(due) == count
    return Seeded(database, due, frozenset(idle - set(due)))


def _query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the bot's database as it is on disk now (the bot may be writing meanwhile)."""
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as connection:
        return connection.execute(sql).fetchall()


def _settings(database: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every column of every chat and subscription: what a person set up."""
    return (
        _query(database, "SELECT * FROM chats ORDER BY id"),
        _query(database, "SELECT * FROM subscriptions ORDER BY id"),
    )


def _ledger(database: Path) -> dict[tuple[int, str], tuple[str, int]]:
    """(subscription, period) -> (state, attempts)."""
    rows = _query(database, "SELECT subscription_id, period, state, attempts FROM deliveries")
    return {(s, p): (state, attempts) for s, p, state, attempts in rows}


def _digests(api: LocalBotApi, chat_ids: Iterable[int]) -> dict[int, int]:
    """Chat -> digests of that day it received; any other message fails the test."""
    found = {}
    for chat_id in chat_ids:
        messages = api.sent_to(chat_id)
        found[chat_id] = sum(bool(TODAYS_DIGEST.search(m.text)) for m in messages)
        assert found[chat_id] == len(messages), [m.text[:80] for m in messages]
    return found


def _quiet(server: LocalBotApiServer) -> int:
    """Messages sent so far, once requests the dead process left on the wire are served:
    its connections closed with it, and the server lets one go only after answering the
    request it was reading, so none open means none left to serve."""
    wait_until(lambda: server.open_connections == 0, 60)  # a long poll ends within 10 s
    return server.api.messages_sent


@dataclass
class Bot:
    """``briefbot run`` processes, one after the other, over the same database."""

    server: LocalBotApiServer
    env: dict[str, str]
    logs: Path
    started: list[subprocess.Popen[bytes]]
    cwd: Path  # not the checkout: a ``.env`` file there would be read

    @property
    def api(self) -> LocalBotApi:
        return self.server.api

    def start(self, now: str = START) -> subprocess.Popen[bytes]:
        """Start ``briefbot run``; ``now``: where its demo clock starts (``BRIEFBOT_NOW``)."""
        log = self.logs / f"run-{len(self.started) + 1}.log"
        with log.open("wb") as out:  # a file: 2,000 log lines would fill a pipe and block
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                env={**self.env, "BRIEFBOT_NOW": now},
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)
        return process

    def kill_after(self, process: subprocess.Popen[bytes], messages: int) -> int:
        """SIGKILL once ``messages`` have arrived; the messages sent when it died."""
        wait_until(
            lambda: self.api.messages_sent >= messages or process.poll() is not None,
            _patience(messages),
        )
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL, self.log_text()
        return _quiet(self.server)

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, self.log_text()

    def log_text(self) -> str:
        return "".join(
            path.read_text(errors="replace") for path in sorted(self.logs.glob("run-*.log"))
        )


def _patience(messages: int) -> float:
    """Seconds to wait for that many digests: a slow start, then 50 a second at the least."""
    return 30 + messages / 50


@pytest.fixture
def scaled_telegram() -> Iterator[LocalBotApiServer]:
    """The local Bot API enforcing Telegram's flood limits times ``SCALE``."""
    api = LocalBotApi(rate_limits=FloodLimits().scaled(SCALE), record_calls=False)
    with LocalBotApiServer(api) as server:
        yield server


@pytest.fixture
def bot(scaled_telegram: LocalBotApiServer, tmp_path: Path) -> Iterator[Bot]:
    # Nothing from the developer's own configuration: this database, this API, polling.
    inherited = ("BRIEFBOT_", "TELEGRAM_", "WEBHOOK_", "DATABASE_URL")
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(inherited)},
        "TELEGRAM_BOT_TOKEN": scaled_telegram.api.token,
        "TELEGRAM_API_BASE_URL": scaled_telegram.base_url,
        "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
        "BRIEFBOT_FLOOD_SCALE": str(SCALE),
        "BRIEFBOT_PORT": "off",
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    runs = Bot(scaled_telegram, env, logs, [], tmp_path)
    yield runs
    for process in runs.started:
        if process.poll() is None:
            process.kill()
            process.wait()


def _finish(bot: Bot, seeded: Seeded, now: str = LATER) -> None:
    """Start again, wait until every digest is out and in the ledger, stop with SIGTERM."""
    process = bot.start(now)
    wanted = set(seeded.due.values())

    def finished() -> bool:
        if process.poll() is not None:
            return True
        if any(bot.api.messages_sent_to(chat) == 0 for chat in seeded.due):
            return False
        ledger = _ledger(seeded.database)
        return all(ledger.get(key, ("",))[0] == "sent" for key in wanted)

    try:
        wait_until(finished, _patience(len(wanted)))
    except AssertionError:
        waiting = sum(bot.api.messages_sent_to(chat) == 0 for chat in seeded.due)
        states = Counter(state for state, _ in _ledger(seeded.database).values())
        raise AssertionError(
            f"{waiting} subscribers still wait for their digest; ledger {dict(states)}"
        ) from None
    assert process.poll() is None, bot.log_text()
    bot.stop(process)


def _check_the_end(bot: Bot, seeded: Seeded, before: Any, *, most_copies: int) -> dict[int, int]:
    """What every crash must leave behind; returns each subscriber's digests."""
    copies = _digests(bot.api, [*seeded.due, *seeded.idle])
    assert [chat for chat in seeded.due if copies[chat] == 0] == []  # none lost
    assert {chat: copies[chat] for chat in seeded.idle if copies[chat]} == {}
    assert max(copies.values()) <= most_copies, Counter(copies.values())
    # One row per due (subscription, period), sent, and nothing else in the ledger.
    ledger = _ledger(seeded.database)
    assert set(ledger) == set(seeded.due.values())
    assert Counter(state for state, _ in ledger.values()) == {"sent": len(seeded.due)}
    assert bot.api.too_many_requests == 0  # the flood limiter kept under the server's limits
    # Delivery may change a chat's ``active``/``inactive_reason`` (blocked, kicked) and
    # move a migrated group's rows to its new id; none of that happens here, so every
    # column of every chat and subscription is as the people left it.
    after = _settings(seeded.database)
    for rows_before, rows_after in zip(before, after, strict=True):
        lost, added = set(rows_before) - set(rows_after), set(rows_after) - set(rows_before)
        assert (sorted(lost)[:3], sorted(added)[:3]) == ([], []), (len(lost), len(added))
    logs = bot.log_text()
    assert "Traceback" not in logs and " ERROR " not in logs, logs[-4000:]
    return {chat: copies[chat] for chat in seeded.due}


def _claimed(seeded: Seeded) -> set[int]:
    """The subscribers whose ledger row is ``claimed`` now."""
    ledger = _ledger(seeded.database)
    return {chat for chat, key in seeded.due.items() if ledger.get(key, ("",))[0] == "claimed"}


def _attempts(seeded: Seeded) -> dict[int, int]:
    ledger = _ledger(seeded.database)
    return {chat: ledger[key][1] for chat, key in seeded.due.items()}


def _sent_rows(seeded: Seeded) -> int:
    return sum(state == "sent" for state, _ in _ledger(seeded.database).values())


@pytest.mark.parametrize(
    "subscribers", [SUBSCRIBERS, pytest.param(10_000, marks=pytest.mark.long, id="10000")]
)
def test_sigkill_mid_fan_out_then_a_restart_loses_nothing_and_duplicates_stay_in_the_window(
    subscribers: int, bot: Bot, tmp_path: Path
) -> None:
    seeded = _seed(bot.api, tmp_path / "data", subscribers)
    before = _settings(seeded.database)
    delivered = bot.kill_after(bot.start(), subscribers * 2 // 5)
    claimed, sent = _claimed(seeded), _sent_rows(seeded)
    assert subscribers * 2 // 5 <= delivered < subscribers, "killed in the middle"
    assert claimed, "killed with digests in flight"
    # Accepted by "Telegram", not yet marked sent: the crash window, WORKERS wide.
    orphans = delivered - sent
    assert 0 <= orphans <= WORKERS
    _finish(bot, seeded)
    copies = _check_the_end(bot, seeded, before, most_copies=2)
    # Exactly those digests went twice, to subscribers whose row the kill left claimed;
    # the restart took every such row back at once (its second attempt), and no other.
    duplicated = {chat for chat, count in copies.items() if count == 2}
    assert len(duplicated) == orphans
    assert duplicated <= claimed
    assert {chat for chat, attempts in _attempts(seeded).items() if attempts == 2} == claimed
    assert set(_attempts(seeded).values()) <= {1, 2}
    print(
        f"\nSIGKILL: {delivered} delivered before the kill, {sent} marked sent, "
        f"{len(claimed)} claimed; {len(duplicated)} duplicates (bound {WORKERS})"
    )


def test_sigterm_mid_fan_out_finishes_what_is_in_flight_and_the_restart_sends_no_duplicate(
    bot: Bot, tmp_path: Path
) -> None:
    seeded = _seed(bot.api, tmp_path / "data", SUBSCRIBERS)
    before = _settings(seeded.database)
    first = bot.start()
    wait_until(lambda: bot.api.messages_sent >= SUBSCRIBERS * 2 // 5, _patience(SUBSCRIBERS))
    bot.stop(first)  # exit status 0: a graceful stop
    delivered = _quiet(bot.server)
    assert delivered < SUBSCRIBERS, "stopped in the middle"
    ledger = _ledger(seeded.database)
    states = Counter(state for state, _ in ledger.values())
    # Sends in flight finished and were recorded; claims not begun were handed back
    # without counting an attempt; what was still queued has no row and stays due.
    assert set(states) <= {"sent", "retry"}, states
    assert states["sent"] == delivered
    assert all(attempts == 0 for state, attempts in ledger.values() if state == "retry")
    _finish(bot, seeded)
    copies = _check_the_end(bot, seeded, before, most_copies=1)
    assert set(copies.values()) == {1}
    assert set(_attempts(seeded).values()) == {1}
    print(f"\nSIGTERM: {delivered} delivered before the stop, {states['retry']} handed back")


def test_two_sigkills_in_a_row_cost_at_most_one_window_each(bot: Bot, tmp_path: Path) -> None:
    """Kill, start again with the clock where it began, kill during the catch-up, restart.

    Each kill leaves at most ``WORKERS`` digests accepted and unrecorded, so two kills make
    at most twice as many duplicates; a subscriber whose digest was in flight at both kills
    (re-sent by the second process, which died before recording it) gets three. Cheap with
    fewer subscribers: the window does not depend on how many there are.
    """
    subscribers = 600
    seeded = _seed(bot.api, tmp_path / "data", subscribers)
    before = _settings(seeded.database)
    delivered = bot.kill_after(bot.start(), subscribers * 3 // 10)
    orphans_first, claimed_first = delivered - _sent_rows(seeded), _claimed(seeded)
    # The same environment: its clock starts before 09:00 again and every job fires anew.
    delivered_again = bot.kill_after(bot.start(), delivered + subscribers * 3 // 10)
    assert delivered_again < subscribers, "killed before the catch-up ended"
    orphans, claimed_second = delivered_again - _sent_rows(seeded), _claimed(seeded)
    assert claimed_second, "killed with digests in flight"
    assert 0 <= orphans_first <= WORKERS and orphans_first <= orphans <= orphans_first + WORKERS
    _finish(bot, seeded)
    copies = _check_the_end(bot, seeded, before, most_copies=3)
    duplicated = {chat for chat, count in copies.items() if count > 1}
    assert sum(copies.values()) - len(copies) == orphans
    assert duplicated <= claimed_first | claimed_second
    print(
        f"\n2 x SIGKILL: {delivered} then {delivered_again} delivered at the kills, "
        f"{len(claimed_first)} and {len(claimed_second)} claimed; {orphans} extra copies "
        f"(bound {2 * WORKERS}), digests per subscriber {sorted(Counter(copies.values()).items())}"
    )


class _StopWhileClaiming(Store):
    """The bot's store, except that its first claim asks the delivery to stop ``turns``
    turns of the event loop after it began: a SIGTERM landing in the middle of a claim."""

    def __init__(self, store: Store, turns: int) -> None:
        super().__init__(store.engine)
        self.turns = turns
        self.to_stop: DigestDelivery | None = None
        self.stopped: asyncio.Task[None] | None = None

    async def claim_many(
        self, keys: Sequence[tuple[int, str]], owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> list[Claim]:
        if self.stopped is None:
            self.stopped = asyncio.create_task(self._stop())
        return await super().claim_many(keys, owner, now, lease)

    async def claimed_and_stopped(self) -> None:
        while self.stopped is None:
            await asyncio.sleep(0.001)
        await self.stopped

    async def _stop(self) -> None:
        for _ in range(self.turns):
            await asyncio.sleep(0)
        assert self.to_stop is not None
        await self.to_stop.stop()


async def _nothing(*chat_ids: int) -> None:
    """No chat is gone or moved here."""


async def test_a_stop_in_the_middle_of_a_claim_lets_it_end_and_hands_its_rows_back(
    start_bot: StartBot, catalog: Catalog, tmp_path: Path
) -> None:
    """Cut short, a claim could commit with nobody left to send its rows (claimed after a
    clean stop), or stay open inside the driver and keep SQLite locked; whichever moment
    the stop comes, it leaves neither."""
    harness = await start_bot(poll=False)
    readers = range(7000, 7020)
    await subscribe_readers(harness, readers, TODAY)
    ids = [s.id for s in await harness.digests.store.subscriptions_of(readers)]
    for turns in range(40):  # from before the first query to after the commit
        store = _StopWhileClaiming(harness.digests.store, turns)
        delivery = DigestDelivery(
            DigestSender(harness.application.bot, catalog),
            store,
            catalog,
            harness.services.clock,
            default_zone="America/Mexico_City",
            owner=owner_id("test-instance"),
            on_chat_gone=_nothing,
            on_chat_moved=_nothing,
        )
        store.to_stop = delivery
        delivery.start()
        period = f"stop-{turns}"
        for subscription_id in ids:
            delivery.enqueue(Due(subscription_id, period))
        await asyncio.wait_for(store.claimed_and_stopped(), 15)
        states = {row.state for row in await delivery_ledger.rows(store) if row.period == period}
        assert states <= {"sent", "retry"}, (turns, states)
        with contextlib.closing(
            sqlite3.connect(tmp_path / "data" / "briefbot.sqlite3", timeout=0)
        ) as connection:
            connection.execute("BEGIN IMMEDIATE")  # "database is locked" if a claim stayed open
            connection.rollback()
