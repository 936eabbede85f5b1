"""Stopping in the middle of a fan-out: sends in flight finish and are recorded, the rest
wait in the store, and the next start sends each remaining digest once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.clock import ManualClock
from bot.store import Store, database_url
from tests import delivery_ledger
from tests.conftest import TODAY
from tests.e2e.conftest import MORNING, StartBot, subscribe_readers


async def test_a_stop_mid_fan_out_records_every_send_and_the_restart_sends_the_rest_once(
    start_bot: StartBot, tmp_path: Path
) -> None:
    clock = ManualClock(TODAY)
    first = await start_bot(clock=clock, poll=False)
    readers = range(7000, 7120)
    await subscribe_readers(first, readers, clock.now())
    first.api.latency = 0.1  # a slow link, so the stop lands in the middle
    clock.set(MORNING)
    await first.digests.scheduler.rebuild()
    await first.api.wait_for(lambda: first.api.messages_sent >= 20, timeout=20)
    await first.stop()  # what SIGTERM does
    sent_by_first = first.api.deliveries()
    assert 20 <= len(sent_by_first) < len(readers)  # stopped mid-way
    store = await Store.open(database_url(None, tmp_path / "data"))  # the bots' database
    try:
        rows = await delivery_ledger.rows(store)
    finally:
        await store.close()
    states_after_the_stop = Counter(row.state for row in rows)
    # Every digest the first run sent is recorded as sent; the ones it had claimed but not
    # begun are handed back for a retry (no attempt counted); none is left half-done.
    assert states_after_the_stop["sent"] == len(sent_by_first)
    assert set(states_after_the_stop) == {"sent", "retry"}
    assert all(row.attempts == 0 for row in rows if row.state == "retry")
    first.api.latency = 0.0
    second = await start_bot(clock=clock, poll=False)
    await second.settle()
    assert second.api.deliveries() == dict.fromkeys(readers, 1)
    rows = await delivery_ledger.rows(second.digests.store)
    assert Counter(row.state for row in rows) == {"sent": len(readers)}
