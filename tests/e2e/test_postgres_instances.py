"""Several bot instances sharing one PostgreSQL deliver each digest exactly once.

Each instance is the real Application with its own engine and pool, as a separate process
would have, talking over real HTTP to the one local Bot API server; the database is a fresh
one on the session's throwaway PostgreSQL (skipped, saying why, where none is installed).
Only one instance polls for updates: two ``getUpdates`` pollers would take turns failing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from bot.clock import ManualClock
from bot.digests.delivery import LEASE
from bot.store import Store, database_url
from tests import delivery_ledger
from tests.conftest import TODAY
from tests.e2e.conftest import MORNING, Harness, StartBot, subscribe_readers


async def _two_instances(
    start_bot: StartBot, url: str, clock: ManualClock
) -> tuple[Harness, Harness]:
    env = {"DATABASE_URL": url}
    first = await start_bot(clock=clock, instance="worker-a", poll=False, env=env)
    second = await start_bot(clock=clock, instance="worker-b", poll=False, env=env)
    assert first.digests.store.engine.dialect.name == "postgresql"
    return first, second


async def test_two_instances_on_one_postgresql_send_each_digest_once(
    start_bot: StartBot, postgres_url: str
) -> None:
    clock = ManualClock(TODAY)
    first, second = await _two_instances(start_bot, postgres_url, clock)
    readers = range(5000, 5300)
    await subscribe_readers(first, readers, clock.now())
    await asyncio.gather(first.advance_to(MORNING), second.advance_to(MORNING))
    assert first.api.deliveries() == dict.fromkeys(readers, 1)
    ledger = await delivery_ledger.rows(second.digests.store)
    assert len(ledger) == len(readers)
    assert Counter(d.state for d in ledger) == {"sent": len(readers)}
    assert {(d.subscription_id, d.period) for d in ledger} == {
        (s.id, "2026-11-26") for s in await first.digests.store.subscriptions_of(readers)
    }
    sent = first.digests.delivery.stats.sent, second.digests.delivery.stats.sent
    assert sum(sent) == len(readers)
    # A later pass of both finds nothing left to send.
    later = MORNING + dt.timedelta(minutes=5)
    await asyncio.gather(first.advance_to(later), second.advance_to(later))
    assert first.api.deliveries() == dict.fromkeys(readers, 1)


async def test_claims_of_an_instance_that_died_are_sent_once_by_the_other(
    start_bot: StartBot, postgres_url: str
) -> None:
    clock = ManualClock(TODAY)
    first, second = await _two_instances(start_bot, postgres_url, clock)
    readers = range(6000, 6050)
    await subscribe_readers(first, readers, clock.now())
    subscriptions = await first.digests.store.subscriptions_of(readers)
    # worker-a claims the morning's digests and dies before sending any: its rows stay
    # claimed by a boot that is gone, and only the lease tells the other instance so.
    owner = first.digests.delivery.owner
    await first.stop()
    store = await Store.open(database_url(postgres_url, first.services.settings.data_dir))
    keys = [(s.id, "2026-11-26") for s in subscriptions]
    assert len(await store.claim_many(keys, owner, MORNING, LEASE)) == len(readers)
    await store.close()
    await second.advance_to(MORNING + LEASE / 2)  # worker-b must wait out the lease
    assert second.api.deliveries() == {}
    await second.advance_to(MORNING + LEASE + dt.timedelta(seconds=1))
    assert second.api.deliveries() == dict.fromkeys(readers, 1)
    ledger = await delivery_ledger.rows(second.digests.store)
    assert {(d.state, d.attempts) for d in ledger} == {("sent", 2)}
    assert len(ledger) == len(readers)
