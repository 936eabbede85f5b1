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
from collections import Counter
from collections.abc import Iterator

import pytest

from bot.clock import ManualClock
from bot.operations.telegram_limits import FloodLimits
from localapi import LocalBotApi, LocalBotApiServer
from localapi.proxy import RoundRobinProxy
from tests import delivery_ledger
from tests.conftest import TODAY
from tests.e2e.conftest import MORNING, Harness, StartBot, subscribe_readers
from tests.postgres import free_port

SCALE = 20  # flood limits x20: 600 messages a second overall, 20 a second per person
# Six commands with six different answers of one message each: the order of the answers
# shows the order in which the commands were handled.
COMMANDS = ("/cuba", "/missing", "/train", "/security", "/transfers", "/carnival")


@pytest.fixture
def telegram() -> Iterator[LocalBotApiServer]:
    """The local Bot API enforcing Telegram's flood limits times ``SCALE``, per bot."""
    api = LocalBotApi(rate_limits=FloodLimits().scaled(SCALE))
    with LocalBotApiServer(api) as server:
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
    assert all(handled), "both instances handled updates"
    later = MORNING + dt.timedelta(minutes=5)
    await asyncio.gather(first.advance_to(later), second.advance_to(later))
    assert {r: api.deliveries()[r] for r in readers} == dict.fromkeys(readers, 1)
