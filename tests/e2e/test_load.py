"""Load: people's commands answered ahead of a digest fan-out that runs meanwhile.

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

from bench.fanout import Run, Scenario, run
from bench.load import FULL, GOAL_GROWTH, growth
from bench.report import percentile


def assert_served(measured: Run) -> None:
    """No 429, every subscriber one digest a round, every person answered ahead of it.

    "Ahead" is measured against the fan-out of the same run, not a stopwatch: a question
    queued behind the digests would wait a good part of the fan-out (seconds); answered
    first, even the 99th percentile waits a small fraction of it, on a quiet machine or a
    loaded one, where both stretch. Latency goals in seconds are bench/fanout.py's.
    """
    for number, each in enumerate(measured.rounds, 1):
        assert each.too_many == 0, f"round {number}: {each.too_many} answers were 429s"
        assert (each.duplicates, each.missing) == (0, 0), f"round {number}: not one each"
        answered = f"round {number}: {len(each.waits)} of {each.asked} questions answered"
        assert each.asked > 0 and len(each.waits) == each.asked, answered
    p99 = percentile(measured.waits, 0.99)
    fan_out = min(each.seconds for each in measured.rounds)
    slowest, slowest_p99 = measured.slowest_question()
    assert p99 < fan_out / 5, (
        f"p99 {p99:.2f} s of a {fan_out:.1f} s fan-out; slowest {slowest!r}: "
        f"p99 {slowest_p99:.2f} s"
    )


async def test_people_are_answered_in_time_while_a_fan_out_runs() -> None:
    measured = await run(Scenario(subscribers=1_000, people=100, every=5.0))
    assert_served(measured)


@pytest.mark.long
async def test_500_chats_during_a_5000_subscriber_fan_out_twice_with_flat_memory() -> None:
    measured = await run(FULL)
    assert_served(measured)
    before, after = (each.resident_mb for each in measured.rounds)
    assert growth(measured) <= GOAL_GROWTH, f"{before:.1f} MB -> {after:.1f} MB"
