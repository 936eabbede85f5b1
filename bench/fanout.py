"""One digest to 10,000 subscribers under Telegram's flood limits, scaled up, people chatting.

The local Bot API server runs in a process of its own and enforces the flood limits
(overall per second, per private chat, per group per minute) scaled by ``--scale`` so the
run stays short; the bot's flood limiter is configured with the same scale
(``BRIEFBOT_FLOOD_SCALE``). 10,000 subscribers (80 % private chats, 20 % groups) share
one SQLite database and one 09:00 daily digest. The injected clock is set a few seconds
before 09:00 and the jobs are planned from the store; they fire on their own at 09:00, as
in production, and the whole fan-out goes out through the real Application, scheduler,
ledger and limiter.

Meanwhile people chat with the bot, driven by the server process as Telegram's users
would be: ten by default (``--people``), each sending a command, free text or an inline
query every ``--every`` seconds on average (0.5 to 1.5 times that, the first at a random
moment of the first interval, so they are staggered). The server times each from the
moment it queued the update to the moment the bot's answer arrived (its first message,
or its answer to the inline query).

Printed, measured in the server: achieved rate / configured ceiling (the overall limit,
from the first digest to the last, replies to people included: they share the ceiling),
429 answers, duplicate digests (chats that got more than one), missing ones, and the p99
time to answer the people during the fan-out (and which question was slowest); and the
bot process's CPU time in the round: near 100 % of a core (all an asyncio bot can use) it
is CPU-bound. Beside it, the time its event loop was ready to run but waited for a core:
more than a little of that means other processes had the machine, and every other figure
is depressed with it.
``bench/load.py`` runs the same scenario with 500 people and two rounds, and watches
the bot's memory. ``--json`` prints the figures for ``bench/report.py``.

    python bench/fanout.py                # 10,000 subscribers, limits x5 (150 msg/s)
    python bench/fanout.py --quick        # 2,000 subscribers

Goals: ratio >= 0.95, 0 429s, 0 duplicates, 0 missing, every person answered, p99 < 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import gc
import heapq
import multiprocessing
import random
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.report import Figure, percentile, show  # noqa: E402
from bot.app import build_application, start_application, stop_application  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.digests.service import Digests  # noqa: E402
from bot.operations.config import load_settings  # noqa: E402
from bot.operations.telegram_limits import FloodLimits  # noqa: E402
from bot.services import SERVICES_KEY, BotApplication  # noqa: E402
from bot.store import Store, database_url  # noqa: E402
from bot.store.schema import chats, subscriptions  # noqa: E402
from briefings.catalog import DEFAULT_CATALOG, load_catalog  # noqa: E402
from localapi import LocalBotApi, LocalBotApiServer  # noqa: E402

MEXICO_CITY = dt.timezone(dt.timedelta(hours=-6))
BEFORE = dt.datetime(2026, 11, 26, 8, 59, tzinfo=MEXICO_CITY)
AT_NINE = dt.datetime(2026, 11, 26, 9, 0, tzinfo=MEXICO_CITY)
FIRST_PERSON = 9_000_001
# What people ask, in turn: commands, free text with a typo, an inline query.
ASKED = (
    ("text", "/cuba"),
    ("text", "missing peple"),
    ("text", "/events guadalajara"),
    ("inline", "cuba"),
    ("text", "/missing"),
    ("text", "cuban oil"),
    ("text", "/tren"),
    ("text", "/events next month"),
)
GOAL_RATIO = 0.95
GOAL_P99_S = 1.5
ROUND_TIMEOUT_S = 600.0


class SettableClock:
    """Runs in real time from the moment it was last set to.

    Set a few seconds before 09:00 and rebuilt, the scheduler plans the digests a few real
    seconds ahead and they fire on their own, as in production: the firing is part of the
    measured fan-out, the rebuild (which a running bot does only when it starts) is not.
    """

    def __init__(self, moment: dt.datetime) -> None:
        self.set(moment)

    def set(self, moment: dt.datetime) -> None:
        self.moment, self.began = moment, time.monotonic()

    def now(self) -> dt.datetime:
        return self.moment + dt.timedelta(seconds=time.monotonic() - self.began)


@dataclass(frozen=True)
class Scenario:
    """One run: how many subscribers and people, the people's pace, the limits, the rounds.

    Each round is the next day's 09:00 digest to every subscriber, with the people
    chatting until it is out; the rounds are otherwise identical.
    """

    subscribers: int
    people: int = 10
    every: float = 1.0  # seconds between one person's messages, on average
    scale: float = 5.0  # Telegram's flood limits times this, on both sides
    rounds: int = 1

    @property
    def ceiling(self) -> float:
        return FloodLimits().scaled(self.scale).overall_per_second

    @property
    def person_ids(self) -> range:
        return range(FIRST_PERSON, FIRST_PERSON + self.people)


def subscriber_ids(count: int) -> list[int]:
    """80 % private chats (positive ids), 20 % groups (negative ids)."""
    groups = count // 5
    return [*range(1, count - groups + 1), *(-1_000_000 - n for n in range(groups))]


def add_chats(api: LocalBotApi, subscribers: list[int], people: Iterable[int]) -> None:
    """The subscribed chats (a reader each, or a group) and each person's private chat."""
    for chat_id in subscribers:
        if chat_id > 0:
            api.private_chat(chat_id, first_name=f"reader{chat_id}")
        else:
            api.group_chat(chat_id, f"Group {-chat_id}")
    for person in people:
        api.user(person, first_name=f"person{person}")
        api.private_chat(person)


# --- the server process ----------------------------------------------------------------


class MeasuredApi(LocalBotApi):
    """The local Bot API, noting when each message went out and which question it answered.

    A person's question waits in a queue of their own until the bot's first message to
    them (or its answer to their inline query); a second message of the same answer is
    counted as ``extra``. Called from the server's request threads, hence the lock.
    """

    def __init__(self, people: range, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.people = people
        self._lock = threading.Lock()
        self._inline_askers: dict[str, int] = {}
        self.new_round()

    def new_round(self) -> None:
        with self._lock:
            self.digest_sends: list[float] = []
            self.reply_sends: list[float] = []  # messages to people: they share the ceiling
            self.waiting: dict[int, collections.deque[tuple[float, str]]] = (
                collections.defaultdict(collections.deque)
            )
            self.waits: list[tuple[str, float]] = []  # (question, seconds to its answer)
            self.asked = 0
            self.extra = 0

    def ask(self, person: dict[str, Any], chat: dict[str, Any], kind: str, text: str) -> None:
        with self._lock:
            self.waiting[person["id"]].append((time.monotonic(), text))
            self.asked += 1
        if kind == "inline":
            self.inline_query(person, text)
        else:
            self.send_text(chat, person, text)

    def outstanding(self) -> int:
        with self._lock:
            return sum(len(questions) for questions in self.waiting.values())

    def push_update(self, update: dict[str, Any]) -> int:
        query = update.get("inline_query")
        if query is not None:
            with self._lock:
                self._inline_askers[query["id"]] = query["from"]["id"]
        return super().push_update(update)

    def call(
        self, method: str, params: dict[str, Any], files: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        status, body = super().call(method, params, files)
        if status != 200:
            return status, body
        now = time.monotonic()
        name = method.lower()
        with self._lock:
            if name.startswith("send"):
                chat_id = body["result"]["chat"]["id"]
                if chat_id in self.people:
                    self.reply_sends.append(now)
                    self._answered(chat_id, now)
                else:
                    self.digest_sends.append(now)
            elif name == "answerinlinequery":
                asker = self._inline_askers.pop(str(params.get("inline_query_id")), None)
                if asker is not None:
                    self._answered(asker, now)
        return status, body

    def _answered(self, person: int, now: float) -> None:
        questions = self.waiting.get(person)
        if questions:
            asked_at, text = questions.popleft()
            self.waits.append((text, now - asked_at))
        else:
            self.extra += 1


def chat(api: MeasuredApi, scenario: Scenario, stop: threading.Event) -> None:
    """Every person asks something every ``scenario.every`` seconds on average, staggered.

    The same seed every round, so rounds are alike.
    """
    rng = random.Random(7)
    people = [(api.users[p], api.chats[p]) for p in scenario.person_ids]
    now = time.monotonic()
    plan = [(now + rng.uniform(0, scenario.every), index, 0) for index in range(len(people))]
    heapq.heapify(plan)
    while plan:
        at, index, turn = plan[0]
        if stop.wait(max(0.0, at - time.monotonic())):
            return
        heapq.heapreplace(plan, (at + rng.uniform(0.5, 1.5) * scenario.every, index, turn + 1))
        person, private = people[index]
        api.ask(person, private, *ASKED[(index + turn) % len(ASKED)])


def serve(scenario: Scenario, pipe: Connection) -> None:
    """The server process: chats, limits, the people, and each round's counts."""
    limits = FloodLimits().scaled(scenario.scale)
    api = MeasuredApi(scenario.person_ids, rate_limits=limits, record_calls=False)
    subscribers = subscriber_ids(scenario.subscribers)
    add_chats(api, subscribers, scenario.person_ids)
    stop = threading.Event()
    people = threading.Thread()
    before: dict[int, int] = {}
    refused = 0
    with LocalBotApiServer(api) as server:
        pipe.send((server.base_url, api.token))
        while True:
            command = pipe.recv()
            if command == "start":
                api.new_round()
                before, refused = api.deliveries(), api.too_many_requests
                stop = threading.Event()
                people = threading.Thread(target=chat, args=(api, scenario, stop), daemon=True)
                people.start()
                pipe.send("started")
            elif command == "progress":
                pipe.send(len(api.digest_sends))
            elif command == "finish":
                stop.set()
                people.join()
                deadline = time.monotonic() + 5.0
                while api.outstanding() and time.monotonic() < deadline:
                    time.sleep(0.01)
                time.sleep(0.2)  # the second message of a last answer, if it has one
                after = api.deliveries()
                got = [after.get(c, 0) - before.get(c, 0) for c in subscribers]
                pipe.send(
                    {
                        "digest_sends": api.digest_sends,
                        "reply_sends": api.reply_sends,
                        "waits": api.waits,
                        "asked": api.asked,
                        "extra": api.extra,
                        "too_many": api.too_many_requests - refused,
                        "duplicates": sum(1 for n in got if n > 1),
                        "missing": sum(1 for n in got if n == 0),
                    }
                )
            elif command == "stop":
                return


# --- the bot's process ------------------------------------------------------------------


@dataclass
class Round:
    """One fan-out as the server measured it, and the bot's memory after it."""

    seconds: float
    digest_rate: float
    ratio: float  # digests and replies in the fan-out's window / ceiling
    digest_ratio: float
    too_many: int
    duplicates: int
    missing: int
    asked: int
    waits: list[tuple[str, float]]  # (question, seconds to its answer)
    extra: int
    cpu_s: float  # the bot process's CPU time during the round (one core at most: asyncio)
    wall_s: float  # from the people's start to the last answer
    starved_s: float  # the event loop's time ready to run but waiting for a core (busy machine)
    resident_mb: float


@dataclass
class Run:
    scenario: Scenario
    resident_mb: float  # the bot's, started and polling, before the first round
    rounds: list[Round] = field(default_factory=list)

    @property
    def waits(self) -> list[float]:
        return [wait for measured in self.rounds for _, wait in measured.waits]

    def slowest_question(self) -> tuple[str, float]:
        """The question whose answers took longest at the 99th percentile, and that p99."""
        by_question: dict[str, list[float]] = collections.defaultdict(list)
        for measured in self.rounds:
            for question, wait in measured.waits:
                by_question[question].append(wait)
        p99 = {question: percentile(waits, 0.99) for question, waits in by_question.items()}
        return max(p99.items(), key=lambda item: item[1], default=("none", 0.0))


def resident_mb() -> float:
    """This process's resident memory now (after a collection), in MB; NaN off Linux."""
    gc.collect()
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def waited_for_a_core() -> float:
    """Seconds this thread (the event loop's) has spent ready to run while others had the
    cores, from the scheduler's own count; NaN off Linux."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return float("nan")


async def seed_database(url: str, count: int) -> None:
    store = await Store.open(url)
    created = BEFORE - dt.timedelta(hours=1)
    async with store.engine.begin() as connection:
        ids = subscriber_ids(count)
        await connection.execute(
            sa.insert(chats),
            [
                {
                    "id": chat_id,
                    "type": "private" if chat_id > 0 else "group",
                    "title": None if chat_id > 0 else f"Group {-chat_id}",
                    "timezone": "America/Mexico_City",
                    "language": "en",
                    "active": True,
                    "created_at": created,
                }
                for chat_id in ids
            ],
        )
        await connection.execute(
            sa.insert(subscriptions),
            [
                {
                    "chat_id": chat_id,
                    "what": "cuba",
                    "cadence": "daily",
                    "cadence_day": 0,
                    "at": "09:00",
                    "paused": False,
                    "created_by": chat_id if chat_id > 0 else None,
                    "created_at": created,
                }
                for chat_id in ids
            ],
        )
    await store.close()


async def exchange(pipe: Connection, message: str) -> Any:
    """Ask the server process, off the event loop (it may take seconds to answer)."""

    def both() -> Any:
        pipe.send(message)
        if not pipe.poll(120):
            raise TimeoutError(f"the Bot API server did not answer {message!r}")
        return pipe.recv()

    return await asyncio.to_thread(both)


async def fan_out(
    pipe: Connection, digests: Digests, clock: SettableClock, day: int, scenario: Scenario
) -> Round:
    """Day ``day``'s 09:00 digest to every subscriber, the people chatting meanwhile.

    The clock is set ``lead`` seconds before 09:00 and the jobs are planned from the store;
    the people start, and the jobs fire on their own at 09:00. The lead leaves the rebuild
    (about 0.3 ms a subscription on an idle core) time to finish before then.
    """
    lead = max(3.0, scenario.subscribers / 1000)
    clock.set(AT_NINE + dt.timedelta(days=day, seconds=-lead))
    await digests.scheduler.rebuild()
    await exchange(pipe, "start")
    if clock.now() >= AT_NINE + dt.timedelta(days=day):
        print(f"round {day + 1}: the rebuild outlasted {lead:.0f} s", file=sys.stderr)
    started, cpu, starved = time.monotonic(), time.process_time(), waited_for_a_core()
    while await exchange(pipe, "progress") < scenario.subscribers or digests.delivery.pending:
        if time.monotonic() - started > ROUND_TIMEOUT_S:
            raise TimeoutError(f"round {day + 1}: the fan-out did not finish in 10 minutes")
        await asyncio.sleep(0.2)
    report = await exchange(pipe, "finish")
    cpu_s, wall_s = time.process_time() - cpu, time.monotonic() - started
    starved_s = waited_for_a_core() - starved
    sends, replies = report["digest_sends"], report["reply_sends"]
    seconds = sends[-1] - sends[0] if len(sends) > 1 else float("nan")
    in_window = sum(1 for at in replies if sends[0] <= at <= sends[-1])
    return Round(
        seconds=seconds,
        digest_rate=(len(sends) - 1) / seconds,
        ratio=(len(sends) - 1 + in_window) / seconds / scenario.ceiling,
        digest_ratio=(len(sends) - 1) / seconds / scenario.ceiling,
        too_many=report["too_many"],
        duplicates=report["duplicates"],
        missing=report["missing"],
        asked=report["asked"],
        waits=report["waits"],
        extra=report["extra"],
        cpu_s=cpu_s,
        wall_s=wall_s,
        starved_s=starved_s,
        resident_mb=resident_mb(),
    )


@contextlib.asynccontextmanager
async def polling_bot(
    serve_api: Callable[[Any, Connection], None],
    setup: Any,
    scale: float,
    *,
    clock: Clock | None = None,
    prepare: Callable[[Path], Awaitable[None]] | None = None,
) -> AsyncIterator[tuple[Connection, BotApplication]]:
    """The local Bot API in a process of its own (``serve_api(setup, pipe)``) and the real
    bot long-polling it from a temporary data folder; ``prepare`` fills that folder before
    the bot opens it. Yields our end of the pipe to the server and the running application;
    afterwards everything is stopped, the server process too."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=serve_api, args=(setup, theirs), daemon=True)
    server.start()
    theirs.close()  # the server's end: if the server dies, our end sees it at once
    try:
        if not await asyncio.to_thread(ours.poll, 120):
            raise TimeoutError("the Bot API server did not start")
        base_url, token = ours.recv()
        with tempfile.TemporaryDirectory() as data_dir:
            settings = load_settings(
                {
                    "TELEGRAM_BOT_TOKEN": token,
                    "TELEGRAM_API_BASE_URL": base_url,
                    "BRIEFBOT_DATA_DIR": data_dir,
                    "BRIEFBOT_FLOOD_SCALE": str(scale),
                    "BRIEFBOT_INSTANCE": "bench",
                }
            )
            if prepare is not None:
                await prepare(Path(data_dir))
            application = build_application(
                settings, clock=clock, catalog=load_catalog(DEFAULT_CATALOG)
            )
            await start_application(application)
            try:
                assert application.updater is not None
                await application.updater.start_polling(poll_interval=0.0, timeout=1)
                yield ours, application
            finally:
                await stop_application(application)
        ours.send("stop")
        await asyncio.to_thread(server.join, 30)
    finally:
        if server.is_alive():
            server.terminate()
            server.join()
        ours.close()


async def run(scenario: Scenario) -> Run:
    """The whole scenario: server process, database, the bot, and every round."""
    clock = SettableClock(BEFORE)

    async def seed(data_dir: Path) -> None:
        await seed_database(database_url(None, data_dir), scenario.subscribers)

    async with polling_bot(serve, scenario, scenario.scale, clock=clock, prepare=seed) as (
        ours,
        application,
    ):
        digests = application.bot_data[SERVICES_KEY].digests
        measured = Run(scenario, resident_mb())
        for day in range(scenario.rounds):
            measured.rounds.append(await fan_out(ours, digests, clock, day, scenario))
    return measured


# --- figures and the command line ------------------------------------------------------


def people_figures(measured: Run) -> list[Figure]:
    """The people's side of any run: answered, and how long they waited."""
    asked = sum(r.asked for r in measured.rounds)
    waits = measured.waits
    slowest, slowest_p99 = measured.slowest_question()
    return [
        Figure(
            "people answered during the fan-out",
            f"{len(waits):,} of {asked:,}",
            "all",
            len(waits) == asked and asked > 0,
        ),
        Figure("people's wait for an answer, p50", f"{percentile(waits, 0.5) * 1000:.0f} ms"),
        Figure(
            "people's wait for an answer, p99",
            f"{percentile(waits, 0.99) * 1000:.0f} ms",
            f"< {GOAL_P99_S} s",
            percentile(waits, 0.99) < GOAL_P99_S,
        ),
        Figure("slowest question, p99", f"{slowest} {slowest_p99 * 1000:.0f} ms"),
    ]


def delivery_figures(measured: Run) -> list[Figure]:
    """Refusals, duplicates and gaps of any run, over all its rounds."""
    too_many = sum(r.too_many for r in measured.rounds)
    duplicates = sum(r.duplicates for r in measured.rounds)
    missing = sum(r.missing for r in measured.rounds)
    return [
        Figure("429 answers", f"{too_many}", "0", too_many == 0),
        Figure("duplicate digests", f"{duplicates}", "0", duplicates == 0),
        Figure("missing digests", f"{missing}", "0", missing == 0),
    ]


def round_figures(measured: Run) -> list[Figure]:
    """Each round's fan-out: how long, and how close to the ceiling it ran."""
    ceiling = f"configured ceiling, {measured.scenario.ceiling:.0f} msg/s"
    found = []
    for number, each in enumerate(measured.rounds, 1):
        which = f"round {number}: " if len(measured.rounds) > 1 else ""
        found += [
            Figure(f"{which}fan-out", f"{each.seconds:.1f} s, {each.digest_rate:.1f} digests/s"),
            Figure(
                f"{which}achieved / ceiling, digests and replies",
                f"{each.ratio:.3f}",
                f"≥ {GOAL_RATIO}",
                each.ratio >= GOAL_RATIO,
                ceiling,
            ),
            Figure(f"{which}achieved / ceiling, digests alone", f"{each.digest_ratio:.3f}"),
            Figure(
                f"{which}bot's CPU time, and its wait for a core",
                f"{each.cpu_s:.1f} s of {each.wall_s:.1f} s ({each.cpu_s / each.wall_s:.0%} "
                f"of a core); {each.starved_s:.1f} s ready but waiting for a core",
            ),
        ]
    return found


def scenario_figure(scenario: Scenario) -> Figure:
    return Figure(
        "scenario",
        f"{scenario.subscribers:,} subscribers ({scenario.subscribers // 5:,} groups), "
        f"{scenario.people} people asking every {scenario.every:g} s on average, "
        f"{scenario.rounds} round(s), flood limits x{scenario.scale:g}",
    )


def figures(measured: Run) -> list[Figure]:
    return [
        scenario_figure(measured.scenario),
        *round_figures(measured),
        *delivery_figures(measured),
        *people_figures(measured),
    ]


def scenario_parser(description: str, full: Scenario, quick: Scenario) -> argparse.ArgumentParser:
    """The command line of a fan-out scenario: its sizes, ``--quick`` and ``--json``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--subscribers", type=int, default=full.subscribers)
    parser.add_argument("--people", type=int, default=full.people)
    parser.add_argument("--every", type=float, default=full.every, help="seconds, a person")
    parser.add_argument("--scale", type=float, default=full.scale, help="flood limits times")
    parser.add_argument("--rounds", type=int, default=full.rounds)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{quick.subscribers:,} subscribers, {quick.people} people",
    )
    parser.add_argument("--json", action="store_true", help="the figures as JSON, for the report")
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    return parser


def chosen(args: argparse.Namespace, quick: Scenario) -> Scenario:
    if args.quick:
        return quick
    return Scenario(
        subscribers=args.subscribers,
        people=args.people,
        every=args.every,
        scale=args.scale,
        rounds=args.rounds,
    )


def measure(scenario: Scenario, *, profile: bool = False) -> Run:
    """Run the scenario; under cProfile (``--profile``) print where the bot's time goes."""
    if not profile:
        return asyncio.run(run(scenario))
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    measured: Run = profiler.runcall(asyncio.run, run(scenario))
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
    return measured


FULL = Scenario(subscribers=10_000)
QUICK = Scenario(subscribers=2_000)


def parser() -> argparse.ArgumentParser:
    return scenario_parser(__doc__.split("\n")[0], FULL, QUICK)


def run_command_line(
    parser: argparse.ArgumentParser, quick: Scenario, figures: Callable[[Run], list[Figure]]
) -> None:
    """A scenario's ``main``: run what the command line asks, show what ``figures`` makes."""
    args = parser.parse_args()
    show(figures(measure(chosen(args, quick), profile=args.profile)), as_json=args.json)


def main() -> None:
    run_command_line(parser(), QUICK, figures)


if __name__ == "__main__":
    main()
