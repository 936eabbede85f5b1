"""Load: people's commands answered within 1.5 s at p99 while a digest fan-out runs.

The scenario is bench/fanout.py's own code, imported (``bench`` is a package, and the
suite runs from the repository's root, so ``import bench`` finds it as it finds ``bot``):
the local Bot API server in a process of its own with Telegram's flood limits scaled by 5,
one SQLite database of subscribers, a 09:00 digest firing on its own through the real
Application, scheduler, ledger and limiter, and people, driven by the server, sending
commands, free text and inline queries meanwhile. The server times every answer.

By default 100 chats and 1,000 subscribers, one round. The long variant (make test-long)
is bench/load.py's full size: 500 chats and 5,000 subscribers, two rounds, and the bot's
resident memory must not grow in the second by more than the benchmark's goal. Memory
is left out of the short run: a thousand digests move it less than the allocator's noise.
"""

from __future__ import annotations

import pytest

from bench.fanout import GOAL_P99_S, Run, Scenario, run
from bench.load import FULL, GOAL_GROWTH, growth
from bench.report import percentile


def assert_served(measured: Run) -> None:
    """No 429, every subscriber one digest a round, every person answered, p99 in goal."""
    for number, each in enumerate(measured.rounds, 1):
        assert each.too_many == 0, f"round {number}: {each.too_many} answers were 429s"
        assert (each.duplicates, each.missing) == (0, 0), f"round {number}: not one each"
        answered = f"round {number}: {len(each.waits)} of {each.asked} questions answered"
        assert each.asked > 0 and len(each.waits) == each.asked, answered
    p99 = percentile(measured.waits, 0.99)
    slowest, slowest_p99 = measured.slowest_question()
    assert p99 < GOAL_P99_S, f"p99 {p99:.2f} s; slowest {slowest!r}: p99 {slowest_p99:.2f} s"


async def test_people_are_answered_in_time_while_a_fan_out_runs() -> None:
    measured = await run(Scenario(subscribers=1_000, people=100, every=5.0))
    assert_served(measured)


@pytest.mark.long
async def test_500_chats_during_a_5000_subscriber_fan_out_twice_with_flat_memory() -> None:
    measured = await run(FULL)
    assert_served(measured)
    before, after = (each.resident_mb for each in measured.rounds)
    assert growth(measured) <= GOAL_GROWTH, f"{before:.1f} MB -> {after:.1f} MB"
