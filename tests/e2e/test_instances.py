"""Two instances on one PostgreSQL, behind a round-robin proxy, behave as one bot.

Both run as ``briefbot run`` in webhook mode (the real Application, web server and store,
each with its own engine), and the local Bot API posts every update to a proxy that
spreads the posts over them in turn, as the README's Caddy example does. The server
enforces Telegram's flood limits (scaled), per bot: the instances must share one budget.
People send commands in quick succession while a fan-out runs; each person's answers
must come in the order asked, none refused with 429, and each digest must go once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.app import build_application
from bot.clock import ManualClock
from bot.digests.delivery import WORKERS
from bot.operations.config import SettingsError, load_settings
from bot.operations.runner import serve
from bot.operations.telegram_limits import FloodLimits
from bot.store import Store, database_url
from bot.store.schema import deliveries, subscriptions
from briefings.model import Catalog
from localapi import LocalBotApi, LocalBotApiServer
from localapi.proxy import RoundRobinProxy
from tests import delivery_ledger
from tests.conftest import TODAY
from tests.e2e.conftest import (
    MORNING,
    Harness,
    StartBot,
    insert_readers,
    subscribe_readers,
    wait_until,
)
from tests.postgres import free_port, running_server

SCALE = 20  # flood limits x20: 600 messages a second overall, 20 a second per person
# Six commands with six different answers of one message each: the order of the answers
# shows the order in which the commands were handled.
COMMANDS = ("/cuba", "/missing", "/train", "/security", "/transfers", "/carnival")


@pytest.fixture
def telegram() -> Iterator[LocalBotApiServer]:
    """The local Bot API enforcing Telegram's flood limits times ``SCALE``, per bot, and
    posting to the webhook as Telegram does: several posts in flight, one per chat."""
    api = LocalBotApi(rate_limits=FloodLimits().scaled(SCALE))
    with LocalBotApiServer(api, webhook_connections=8) as server:
        yield server


@pytest.fixture
def proxies() -> Iterator[list[RoundRobinProxy]]:
    """Proxies a test starts, stopped after it."""
    started: list[RoundRobinProxy] = []
    yield started
    for proxy in started:
        proxy.__exit__(None, None, None)


async def _instances(
    start_bot: StartBot,
    proxies: list[RoundRobinProxy],
    url: str,
    clock: ManualClock,
    count: int,
) -> list[Harness]:
    """``count`` instances in webhook mode behind one round-robin proxy."""
    ports = [free_port() for _ in range(count)]
    proxy = RoundRobinProxy(ports).__enter__()
    proxies.append(proxy)
    started = []
    for number, port in enumerate(ports):
        started.append(
            await start_bot(
                clock=clock,
                instance=f"worker-{number}",
                webhook=True,
                flood_scale=SCALE,
                port=port,
                env={"DATABASE_URL": url, "WEBHOOK_URL": f"{proxy.url}/telegram"},
            )
        )
    return started


def _headings(api: LocalBotApi, chat_id: int) -> list[str]:
    """The first line of each message in the chat, in the order they arrived."""
    return [message.text.split("\n", 1)[0] for message in api.sent_to(chat_id)]


async def _answers_one_by_one(api: LocalBotApi, user: dict, chat: dict) -> list[str]:
    """Each command's answer, asking the next only once the last was answered."""
    for number, command in enumerate(COMMANDS, 1):
        api.send_text(chat, user, command)
        await api.wait_for(lambda n=number: len(api.sent_to(chat["id"])) >= n)  # type: ignore[misc]
    return _headings(api, chat["id"])


async def test_two_instances_answer_each_chat_in_order_within_one_flood_budget(
    start_bot: StartBot, proxies: list[RoundRobinProxy], postgres_url: str
) -> None:
    clock = ManualClock(TODAY)
    first, second = await _instances(start_bot, proxies, postgres_url, clock, 2)
    api = first.api
    readers = range(5000, 5400)
    await subscribe_readers(first, readers, clock.now())
    expected = await _answers_one_by_one(api, *first.person(6999, "Reference"))
    assert len(set(expected)) == len(COMMANDS)
    people = [first.person(7000 + n, f"P{n}") for n in range(6)]
    # Every person sends all six commands at once: the posts alternate between instances.
    for user, chat in people:
        for command in COMMANDS:
            api.send_text(chat, user, command)
    await asyncio.gather(first.advance_to(MORNING), second.advance_to(MORNING))
    await api.wait_for(
        lambda: all(len(api.sent_to(chat["id"])) >= len(COMMANDS) for _, chat in people)
    )
    # Every update was handled once, by one instance or the other.
    assert {chat["id"]: _headings(api, chat["id"]) for _, chat in people} == {
        chat["id"]: expected for _, chat in people
    }
    assert api.too_many_requests == 0
    assert {r: api.deliveries().get(r, 0) for r in readers} == dict.fromkeys(readers, 1)
    ledger = await delivery_ledger.rows(second.digests.store)
    assert Counter(d.state for d in ledger) == {"sent": len(readers)}
    handled = [h.services.shared.updates.handled for h in (first, second)]  # type: ignore[union-attr]
    assert sum(handled) == (len(people) + 1) * len(COMMANDS)
    later = MORNING + dt.timedelta(minutes=5)
    await asyncio.gather(first.advance_to(later), second.advance_to(later))
    assert {r: api.deliveries()[r] for r in readers} == dict.fromkeys(readers, 1)


# --- an instance killed mid fan-out --------------------------------------------------------

KILL_SCALE = 10  # 300 messages a second: 1,500 digests take five seconds or more
SPEED = 20  # the demo clock's speed: the two-minute lease of a claim runs out in 6 s
READERS = range(20_000, 21_500)


def _ledger(url: str) -> dict[int, tuple[str, int, str]]:
    """Chat -> (state, attempts, owner) of its digest's row."""

    async def read() -> dict[int, tuple[str, int, str]]:
        store = await Store.open(database_url(url, Path(tempfile.gettempdir())))
        try:
            async with store.engine.connect() as connection:
                rows = await connection.execute(
                    sa.select(
                        subscriptions.c.chat_id,
                        deliveries.c.state,
                        deliveries.c.attempts,
                        deliveries.c.owner,
                    ).join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                )
                return {chat: (state, attempts, owner) for chat, state, attempts, owner in rows}
        finally:
            await store.close()

    return asyncio.run(read())


def _seed(url: str) -> None:
    async def insert() -> None:
        store = await Store.open(database_url(url, Path(tempfile.gettempdir())))
        try:
            await insert_readers(store.engine, READERS, MORNING - dt.timedelta(hours=1))
        finally:
            await store.close()

    asyncio.run(insert())


def _start_run(env: dict[str, str], name: str, port: int, logs: Path) -> subprocess.Popen[bytes]:
    data = logs / name
    data.mkdir()
    with (logs / f"{name}.log").open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env={
                **env,
                "BRIEFBOT_INSTANCE": name,
                "BRIEFBOT_PORT": str(port),
                "BRIEFBOT_DATA_DIR": str(data),
            },
            cwd=data,  # not the checkout: a .env file there would be read
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_an_instance_killed_mid_fan_out_leaves_the_rest_to_the_other_within_the_budget(
    postgres_url: str, tmp_path: Path
) -> None:
    api = LocalBotApi(rate_limits=FloodLimits().scaled(KILL_SCALE), record_calls=False)
    for chat_id in READERS:
        api.private_chat(chat_id)
    _seed(postgres_url)
    midway = api.hold("sendMessage", after=len(READERS) * 2 // 5)
    ports = [free_port(), free_port()]
    inherited = ("BRIEFBOT_", "TELEGRAM_", "WEBHOOK_", "DATABASE_URL")
    with LocalBotApiServer(api) as server, RoundRobinProxy(ports) as proxy:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(inherited)},
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "BRIEFBOT_FLOOD_SCALE": str(KILL_SCALE),
            "BRIEFBOT_NOW": MORNING.strftime("%Y-%m-%dT%H:%M"),
            "BRIEFBOT_SPEED": str(SPEED),
            "DATABASE_URL": postgres_url,
            "WEBHOOK_URL": f"{proxy.url}/telegram",
        }
        doomed = _start_run(env, "worker-a", ports[0], tmp_path)
        survivor = _start_run(env, "worker-b", ports[1], tmp_path)
        logs = lambda: "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))  # noqa: E731
        try:
            # The sends stop two fifths in, whatever the machine's speed, until the kill.
            wait_until(lambda: midway.holding, 120)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=30)
            killed_at = api.messages_sent
            midway.release()
            assert killed_at < len(READERS), "killed in the middle of the fan-out"

            def finished() -> bool:
                assert survivor.poll() is None, logs()[-3000:]
                ledger = _ledger(postgres_url)
                return len(ledger) == len(READERS) and all(
                    state == "sent" for state, _, _ in ledger.values()
                )

            wait_until(finished, 180)
            survivor.send_signal(signal.SIGTERM)
            assert survivor.wait(timeout=60) == 0, logs()[-3000:]
        finally:
            for process in (doomed, survivor):
                if process.poll() is None:
                    process.kill()
                    process.wait()
    copies = {chat: len(api.sent_to(chat)) for chat in READERS}
    ledger = _ledger(postgres_url)
    assert [chat for chat, count in copies.items() if count == 0] == []  # nothing lost
    assert max(copies.values()) <= 2
    taken_over = {chat for chat, (_, attempts, _) in ledger.items() if attempts == 2}
    duplicated = {chat for chat, count in copies.items() if count == 2}
    # Only a digest the dead instance had claimed goes twice, and only those Telegram had
    # accepted before the row was marked: one worker's slot each, as with one instance.
    assert duplicated <= taken_over
    assert len(duplicated) <= WORKERS
    assert {ledger[chat][2].split("#")[0] for chat in taken_over} <= {"worker-b"}
    assert {attempts for _, attempts, _ in ledger.values()} <= {1, 2}
    assert api.too_many_requests == 0  # the survivor kept to the one budget
    text = logs()
    assert "Traceback" not in text, text[-3000:]
    print(
        f"\nSIGKILL of one of two: {killed_at} sent at the kill, {len(taken_over)} claims "
        f"taken over after the lease, {len(duplicated)} duplicates (bound {WORKERS})"
    )


async def test_a_second_instance_polling_the_same_postgresql_is_refused_with_one_line(
    start_bot: StartBot,
    telegram: LocalBotApiServer,
    catalog: Catalog,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    first = await start_bot(instance="poller-a", web=True, env={"DATABASE_URL": postgres_url})
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": telegram.api.token,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            "BRIEFBOT_DATA_DIR": str(tmp_path / "second"),
            "BRIEFBOT_INSTANCE": "poller-b",
            "BRIEFBOT_PORT": str(free_port()),
            "DATABASE_URL": postgres_url,
        }
    )
    second = build_application(settings, clock=ManualClock(TODAY), catalog=catalog)
    with pytest.raises(SettingsError) as refused:
        await asyncio.wait_for(serve(second, handle_signals=False), 30)
    line = str(refused.value)
    assert "WEBHOOK_URL" in line and "long polling" in line and "\n" not in line
    assert first.application.updater is not None and first.application.updater.running
    assert not second.running  # stopped again, nothing left behind


async def test_the_webhook_answers_503_while_the_database_cannot_queue_an_update(
    start_bot: StartBot,
) -> None:
    with running_server() as server:
        url = await server.database()
        bot = await start_bot(instance="alone", webhook=True, env={"DATABASE_URL": url})
        user, chat = bot.person(7100, "Ana")
        try:
            await asyncio.to_thread(server.halt)
            bot.api.send_text(chat, user, "/cuba")  # Telegram keeps posting it
            await bot.api.wait_for(lambda: bot.api.webhook_refusals.get(503, 0) >= 2)
            assert bot.api.sent_to(chat["id"]) == []
            await asyncio.to_thread(server.resume)
            await bot.api.wait_for(lambda: len(bot.api.sent_to(chat["id"])) == 1)
        finally:
            await bot.stop()


async def test_when_one_instance_stops_the_other_answers_every_chat_in_order(
    start_bot: StartBot, proxies: list[RoundRobinProxy], postgres_url: str
) -> None:
    clock = ManualClock(TODAY)
    first, second = await _instances(start_bot, proxies, postgres_url, clock, 2)
    api = first.api
    expected = await _answers_one_by_one(api, *first.person(6999, "Reference"))
    await first.stop()  # as on SIGTERM: its posts now fail, and Telegram posts them again
    people = [second.person(7200 + n, f"P{n}") for n in range(4)]
    for user, chat in people:
        for command in COMMANDS:
            api.send_text(chat, user, command)
    await api.wait_for(
        lambda: all(len(api.sent_to(chat["id"])) >= len(COMMANDS) for _, chat in people)
    )
    assert {chat["id"]: _headings(api, chat["id"]) for _, chat in people} == {
        chat["id"]: expected for _, chat in people
    }
    assert api.too_many_requests == 0
