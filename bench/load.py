"""Load: 500 chats sending commands while a 5,000-subscriber fan-out runs, twice over.

The scenario of bench/fanout.py, run with its code at the issue's size: one 09:00 digest
to 5,000 subscribers (80 % private chats, 20 % groups) under Telegram's flood limits
scaled by 5, with 500 people chatting with the bot meanwhile (commands, free text with
typos, inline queries, in turn). The server times every answer from the moment it queued
the person's update to the moment the bot's answer arrived; all of them are counted.

The rates. Scaled by 5, the limits are 150 messages a second overall, 5 a second per
private chat (after a burst of 3) and 100 a minute per group. Each person sends something
every 10 s on average (5 to 15 s apart, staggered): 50 a second among the 500, of which
about 44 need a message (an answer to an inline query is not one). Replies take under a
third of the ceiling and are sent first; the fan-out has the rest, about 100 a second, so
5,000 digests take about 50 s a round. One message every 5 s or more is far under a
private chat's limit. In Telegram's own units (every rate divided by 5) this is 500 people
each asking every 50 s, 10 a second, while a 30-a-second fan-out runs.

The CPU. On a busy 2-core machine the bot spent about 4.5 ms of CPU a digest and 5.5 ms
an answer, so 100 digests and 50 answers a second want about 0.7 s of CPU a second: most
of the one core an asyncio bot can use (less on an idle machine). The scenario is also a
test of the bot's efficiency, and the "bot's CPU time" rows say how close it came.

Memory: the bot's resident memory (this process: the bot and this script; the Bot API
server is a process of its own) before the first round, after it, and after a second
round like it (the next day's digest, the same people asking the same things). The first
round fills caches; the second must not grow memory: its growth is the figure, flat is
at most ``GOAL_GROWTH`` of the memory after the first round.

    python bench/load.py              # 5,000 subscribers, 500 people, 2 rounds
    python bench/load.py --quick      # 1,000 subscribers, 100 people, 2 rounds

Goals: people's p99 < 1.5 s, every person answered, 0 429s, every subscriber exactly one
digest a round, memory growth in the second round <= 3 %.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout import (  # noqa: E402
    Run,
    Scenario,
    delivery_figures,
    people_figures,
    round_figures,
    run_command_line,
    scenario_figure,
    scenario_parser,
)
from bench.report import Figure  # noqa: E402

FULL = Scenario(subscribers=5_000, people=500, every=10.0, rounds=2)
QUICK = Scenario(subscribers=1_000, people=100, every=10.0, rounds=2)
GOAL_GROWTH = 0.03  # of the resident memory after the first round


def growth(measured: Run) -> float:
    """The last round's growth of resident memory, as a fraction of the round before's."""
    if len(measured.rounds) < 2:
        return float("nan")
    before, after = measured.rounds[-2].resident_mb, measured.rounds[-1].resident_mb
    return (after - before) / before


def memory_figures(measured: Run) -> list[Figure]:
    before = f"{measured.resident_mb:.1f} MB"
    found = [Figure("bot's resident memory before the first round", before)]
    for number, each in enumerate(measured.rounds, 1):
        after = f"bot's resident memory after round {number}"
        found.append(Figure(after, f"{each.resident_mb:.1f} MB"))
    if len(measured.rounds) >= 2:
        grown = growth(measured)
        change = measured.rounds[-1].resident_mb - measured.rounds[-2].resident_mb
        found.append(
            Figure(
                f"memory growth in round {len(measured.rounds)} (flat)",
                f"{change:+.1f} MB, ratio {1 + grown:.3f}",
                f"ratio ≤ {1 + GOAL_GROWTH:.2f}",
                grown <= GOAL_GROWTH,
                f"round {len(measured.rounds) - 1}'s memory",
            )
        )
    return found


def figures(measured: Run) -> list[Figure]:
    return [
        scenario_figure(measured.scenario),
        *people_figures(measured),
        *delivery_figures(measured),
        *round_figures(measured),
        *memory_figures(measured),
    ]


def parser() -> argparse.ArgumentParser:
    return scenario_parser(__doc__.split("\n")[0], FULL, QUICK)


def main() -> None:
    run_command_line(parser(), QUICK, figures)


if __name__ == "__main__":
    main()
