"""Flood: one chat sends 1,000 messages at once while 100 people chat; their p99 beside quiet.

The scenario of issue 16: before fair scheduling, a chat with a few hundred updates queued
held every one of PTB's admission slots, and everybody else waited for its backlog to
drain at its own flood limit (another person's /cuba took 144 s with 400 queued). Here
the local Bot API server runs in a process of its own with Telegram's flood limits scaled
by 5, as in bench/fanout.py, and 100 people ask something every 2 s on average (commands,
free text, inline queries, in turn); the server times each answer. The run alternates
quiet phases and flood phases of the same length, quiet first, three times over, so the two are
measured side by side on the same machine in the same minute: at the start of a flood
phase one more person sends /cuba 1,000 times as fast as the server can queue it. A
phase lasts until its last question is answered and the flooder's backlog has drained.

Printed: the people's p99 in the quiet phases and in the flood phases, and their ratio
(the figure: a flood should cost the others little); how many of the flood's messages
were answered and dropped, and the "slow down" replies (one a flood); the longest queue
of one chat and the most updates waiting at once (both bounded); the bot's resident
memory before the floods and after them.

    python bench/flood.py              # 100 people, 6 phases of 10 s
    python bench/flood.py --quick      # 6 phases of 5 s

Goals: every person answered, flood p99 ≤ 2× quiet p99, one "slow down" a flood, queues
within their bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout import (  # noqa: E402
    MeasuredApi,
    Scenario,
    chat,
    exchange,
    polling_bot,
    resident_mb,
)
from bench.report import Figure, percentile, show  # noqa: E402
from bot.operations.concurrency import PerChatUpdateProcessor  # noqa: E402
from bot.operations.telegram_limits import FloodLimits  # noqa: E402
from bot.texts import en  # noqa: E402
from localapi import LocalBotApiServer  # noqa: E402

FLOODER = 8_000_001  # not one of the people: its answers are not in their waits
FLOOD = 1_000
GOAL_RATIO = 2.0
PHASES = ("quiet", "flood") * 3


@dataclass(frozen=True)
class Setup:
    people: int = 100
    every: float = 2.0  # seconds between one person's questions, on average
    seconds: float = 10.0  # each phase
    scale: float = 5.0

    @property
    def scenario(self) -> Scenario:
        """The people of bench/fanout.py's scenario, without subscribers."""
        return Scenario(subscribers=0, people=self.people, every=self.every, scale=self.scale)


FULL = Setup()
QUICK = Setup(seconds=5.0)


def serve(setup: Setup, pipe: Connection) -> None:
    """The server process: the people, the flooder, and each phase's waits."""
    scenario = setup.scenario
    api = MeasuredApi(
        scenario.person_ids, rate_limits=FloodLimits().scaled(setup.scale), record_calls=False
    )
    for person in scenario.person_ids:
        api.user(person, first_name=f"person{person}")
        api.private_chat(person)
    flooder = api.user(FLOODER, first_name="flooder")
    flooder_chat = api.private_chat(FLOODER)
    stop = threading.Event()
    people = threading.Thread()
    with LocalBotApiServer(api) as server:
        pipe.send((server.base_url, api.token))
        while True:
            command = pipe.recv()
            if command == "start":
                api.new_round()
                stop = threading.Event()
                people = threading.Thread(target=chat, args=(api, scenario, stop), daemon=True)
                people.start()
                pipe.send("started")
            elif command == "flood":
                for _ in range(FLOOD):
                    api.send_text(flooder_chat, flooder, "/cuba")
                pipe.send("flooded")
            elif command == "finish":
                stop.set()
                people.join()
                deadline = time.monotonic() + 10.0
                while api.outstanding() and time.monotonic() < deadline:
                    time.sleep(0.01)
                pipe.send({"waits": [wait for _, wait in api.waits], "asked": api.asked})
            elif command == "count":
                to_flooder = [m.plain for m in api.sent_to(FLOODER)]
                pipe.send(
                    {
                        "flooder_answers": sum(1 for m in to_flooder if m != en.SLOW_DOWN),
                        "slow_downs": sum(1 for m in to_flooder if m == en.SLOW_DOWN),
                        "too_many": api.too_many_requests,
                    }
                )
            elif command == "stop":
                return


@dataclass
class Phase:
    kind: str
    asked: int
    waits: list[float]


@dataclass
class Run:
    setup: Setup
    phases: list[Phase] = field(default_factory=list)
    flooder_answers: int = 0
    slow_downs: int = 0
    too_many: int = 0
    dropped: int = 0
    longest_queue: int = 0
    queue_bound: int = 0
    most_waiting: int = 0
    waiting_bound: int = 0
    memory_before_mb: float = 0.0
    memory_after_mb: float = 0.0

    def waits(self, kind: str) -> list[float]:
        return [wait for phase in self.phases if phase.kind == kind for wait in phase.waits]

    @property
    def floods(self) -> int:
        return sum(1 for phase in self.phases if phase.kind == "flood")


async def settled(processor: PerChatUpdateProcessor) -> None:
    """Until the bot has nothing queued or running (the flooder's answers go out at its
    chat's flood limit, so a flood phase ends some seconds after its last message)."""
    while processor.waiting or processor.running:
        await asyncio.sleep(0.05)


async def run(setup: Setup) -> Run:
    measured = Run(setup)
    async with polling_bot(serve, setup, setup.scale) as (ours, application):
        processor = application.update_processor
        assert isinstance(processor, PerChatUpdateProcessor)
        measured.memory_before_mb = resident_mb()
        for kind in PHASES:
            await exchange(ours, "start")
            if kind == "flood":
                await exchange(ours, "flood")
            await asyncio.sleep(setup.seconds)
            report = await exchange(ours, "finish")
            measured.phases.append(Phase(kind, report["asked"], report["waits"]))
            await settled(processor)
        measured.memory_after_mb = resident_mb()
        counted: dict[str, Any] = await exchange(ours, "count")
        measured.flooder_answers = counted["flooder_answers"]
        measured.slow_downs = counted["slow_downs"]
        measured.too_many = counted["too_many"]
        counts = processor.counts
        measured.dropped = counts.dropped
        measured.longest_queue, measured.queue_bound = (
            counts.longest_queue,
            processor.max_queued_per_chat,
        )
        measured.most_waiting, measured.waiting_bound = (
            counts.most_waiting,
            processor.max_waiting,
        )
    return measured


def figures(measured: Run) -> list[Figure]:
    setup = measured.setup
    quiet, flood = measured.waits("quiet"), measured.waits("flood")
    asked = sum(phase.asked for phase in measured.phases)
    answered = len(quiet) + len(flood)
    quiet_p99, flood_p99 = percentile(quiet, 0.99), percentile(flood, 0.99)
    ratio = flood_p99 / quiet_p99 if quiet_p99 else float("inf")
    floods = measured.floods
    return [
        Figure(
            "scenario",
            f"{setup.people} people asking every {setup.every:g} s on average; "
            f"{len(PHASES)} phases of {setup.seconds:g} s, quiet and flood in turn; "
            f"a flood: one chat sends /cuba {FLOOD:,} times at once; flood limits "
            f"x{setup.scale:g}",
        ),
        Figure("people answered", f"{answered:,} of {asked:,}", "all", answered == asked > 0),
        Figure("people's p99, quiet phases", f"{quiet_p99 * 1000:.0f} ms"),
        Figure("people's p99, flood phases", f"{flood_p99 * 1000:.0f} ms"),
        Figure(
            "people's p99, flood / quiet",
            f"{ratio:.2f}",
            f"≤ {GOAL_RATIO:g}",
            ratio <= GOAL_RATIO,
            "the quiet phases, same run",
        ),
        Figure(
            "the flooder's messages: answered, dropped",
            f"{measured.flooder_answers} and {measured.dropped:,} of {floods * FLOOD:,}",
        ),
        Figure(
            '"slow down" replies to the flooder',
            f"{measured.slow_downs}",
            f"{floods} (one a flood)",
            measured.slow_downs == floods,
        ),
        Figure(
            "longest queue of one chat; most updates waiting",
            f"{measured.longest_queue} of {measured.queue_bound}; "
            f"{measured.most_waiting} of {measured.waiting_bound}",
            "within the bounds",
            measured.longest_queue <= measured.queue_bound
            and measured.most_waiting <= measured.waiting_bound,
        ),
        Figure("429 answers", f"{measured.too_many}", "0", measured.too_many == 0),
        Figure(
            "bot's resident memory, before the floods and after",
            f"{measured.memory_before_mb:.1f} MB, {measured.memory_after_mb:.1f} MB",
        ),
    ]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=FULL.people)
    parser.add_argument("--every", type=float, default=FULL.every, help="seconds, a person")
    parser.add_argument("--seconds", type=float, default=FULL.seconds, help="each phase")
    parser.add_argument("--quick", action="store_true", help=f"phases of {QUICK.seconds:g} s")
    parser.add_argument("--json", action="store_true", help="the figures as JSON, for the report")
    return parser


def main() -> None:
    args = parser().parse_args()
    setup = QUICK if args.quick else Setup(args.people, args.every, args.seconds)
    show(figures(asyncio.run(run(setup))), as_json=args.json)


if __name__ == "__main__":
    main()
