"""1, 2 and 3 ``briefbot run`` instances on one PostgreSQL, behaving as one bot.

Each instance is a real ``python -m bot run`` process in webhook mode, its own port,
behind a round-robin proxy (``localapi/proxy.py``, as the README's Caddy example), all on
one PostgreSQL database (a throwaway cluster, ``tests/postgres.py``). The local Bot API
runs in a process of its own and enforces Telegram's flood limits, scaled by ``--scale``,
per bot, as Telegram does: whatever the number of instances, one ceiling. Every
subscriber's 09:00 digest is due (80 % private chats, 20 % groups); the instances' demo
clocks (``BRIEFBOT_NOW``) reach 09:00 together, and the fan-out runs on its own.

Meanwhile people chat (``--people``, each asking every ``--every`` seconds on average, as
in ``bench/fanout.py``), and ``--bursts`` more people each send six commands at once: the
proxy spreads them over the instances, and their answers must come back in the order
asked (a reference person's answers, asked one at a time before the round, give it).

Printed for each number of instances, measured in the server, in one run: the combined
rate (digests and replies, first digest to last) ÷ the configured ceiling, 429 answers,
duplicate and missing digests, chats answered out of order, and the people's p99 wait.

    python bench/instances.py               # 2,200 subscribers, limits x2 (60 msg/s)
    python bench/instances.py --quick       # 600 subscribers

Goals with 2 and 3 instances: rate >= 0.9 of the ceiling, 0 x 429, 0 duplicates,
0 missing, 0 out of order.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench import fanout  # noqa: E402
from bench.fanout import (  # noqa: E402
    AT_NINE,
    MeasuredApi,
    add_chats,
    chat,
    seed_database,
    subscriber_ids,
)
from bench.report import Figure, percentile, show  # noqa: E402
from bot.operations.telegram_limits import FloodLimits  # noqa: E402
from bot.store import Store, database_url  # noqa: E402
from bot.store.schema import deliveries  # noqa: E402
from localapi import LocalBotApiServer  # noqa: E402
from localapi.proxy import RoundRobinProxy  # noqa: E402
from tests.postgres import find_binaries, free_port, running_server  # noqa: E402

FIRST_PERSON = 9_000_001
REFERENCE = 8_999_999  # asks each command once, alone, before the round
BURST = ("/cuba", "/missing", "/train", "/security", "/transfers", "/carnival")
GOAL_RATIO = 0.9
WEBHOOK_CONNECTIONS = 40  # Telegram's posts in flight at once (never two of one chat)
LEAD_S = 25.0  # seconds from the first start to 09:00: the starts, the reference, the plan
ROUND_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Scenario:
    subscribers: int
    people: int = 10
    every: float = 1.0
    bursts: int = 20  # people who send six commands at once, during the fan-out
    scale: float = 2.0
    instances: tuple[int, ...] = (1, 2, 3)

    @property
    def ceiling(self) -> float:
        return FloodLimits().scaled(self.scale).overall_per_second

    @property
    def person_ids(self) -> range:
        """The people who chat, then those who send bursts: replies, not digests."""
        return range(FIRST_PERSON, FIRST_PERSON + self.people + self.bursts)


# --- the server process ----------------------------------------------------------------


class PeopleApi(MeasuredApi):
    """:class:`bench.fanout.MeasuredApi` that also notes whose question each wait was."""

    def new_round(self) -> None:
        super().new_round()
        self.waiters: list[int] = []

    def _answered(self, person: int, now: float) -> None:
        if self.waiting.get(person):
            self.waiters.append(person)
        super()._answered(person, now)


def _headings(api: MeasuredApi, chat_id: int) -> list[str]:
    return [message.text.split("\n", 1)[0] for message in api.sent_to(chat_id)]


def _reference(api: MeasuredApi) -> list[str]:
    """The answers to the burst's commands, asked one at a time: the order to expect."""
    user, private = api.users[REFERENCE], api.chats[REFERENCE]
    before = len(api.sent_to(REFERENCE))
    for number, command in enumerate(BURST, 1):
        api.send_text(private, user, command)
        deadline = time.monotonic() + 60
        while len(api.sent_to(REFERENCE)) < before + number:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer to {command} within 60 s")
            time.sleep(0.01)
    return _headings(api, REFERENCE)[before:]


def _bursts(api: MeasuredApi, scenario: Scenario, stop: threading.Event) -> None:
    """During the fan-out's first seconds, each burst person sends six commands at once."""
    for index in range(scenario.bursts):
        if stop.wait(0.25):
            return
        person = FIRST_PERSON + scenario.people + index
        for command in BURST:
            api.ask(api.users[person], api.chats[person], "text", command)


def serve(scenario: Scenario, pipe: Connection) -> None:
    """The local Bot API, the proxy in front of the instances, the people, the counts."""
    api = PeopleApi(
        scenario.person_ids, rate_limits=FloodLimits().scaled(scenario.scale), record_calls=False
    )
    subscribers = subscriber_ids(scenario.subscribers)
    add_chats(api, subscribers, [*scenario.person_ids, REFERENCE])
    proxy: RoundRobinProxy | None = None
    stop = threading.Event()
    threads: list[threading.Thread] = []
    expected: list[str] = []
    before: dict[int, int] = {}
    burst_before: dict[int, int] = {}
    refused = 0
    with LocalBotApiServer(api, webhook_connections=WEBHOOK_CONNECTIONS) as server:
        pipe.send((server.base_url, api.token))
        while True:
            command, *arguments = pipe.recv()
            if command == "proxy":
                if proxy is not None:
                    proxy.__exit__(None, None, None)
                proxy = RoundRobinProxy(arguments[0]).__enter__()
                pipe.send(proxy.url)
            elif command == "reference":
                expected = _reference(api)
                pipe.send(expected)
            elif command == "start":
                api.new_round()
                before, refused = api.deliveries(), api.too_many_requests
                burst_before = {p: len(api.sent_to(p)) for p in scenario.person_ids}
                if proxy is not None:
                    proxy.take_timings()
                stop = threading.Event()
                chatting = fanout.Scenario(0, people=scenario.people, every=scenario.every)
                assert chatting.person_ids.start == FIRST_PERSON
                threads = [
                    threading.Thread(target=chat, args=(api, chatting, stop), daemon=True),
                    threading.Thread(target=_bursts, args=(api, scenario, stop), daemon=True),
                ]
                for thread in threads:
                    thread.start()
                pipe.send("started")
            elif command == "progress":
                pipe.send(len(api.digest_sends))
            elif command == "finish":
                stop.set()
                for thread in threads:
                    thread.join()
                deadline = time.monotonic() + 10.0
                while api.outstanding() and time.monotonic() < deadline:
                    time.sleep(0.01)
                time.sleep(0.5)  # a late duplicate, or the second message of an answer
                after = api.deliveries()
                got = [after.get(c, 0) - before.get(c, 0) for c in subscribers]
                bursts = range(FIRST_PERSON + scenario.people, scenario.person_ids.stop)
                out_of_order = sum(
                    1 for p in bursts if _headings(api, p)[burst_before[p] :] != expected
                )
                pipe.send(
                    {
                        "digest_sends": api.digest_sends,
                        "reply_sends": api.reply_sends,
                        "waits": [wait for _, wait in api.waits],
                        "chatting": [
                            wait
                            for (_, wait), person in zip(api.waits, api.waiters, strict=True)
                            if person < FIRST_PERSON + scenario.people
                        ],
                        "asked": api.asked,
                        "too_many": api.too_many_requests - refused,
                        "duplicates": sum(1 for n in got if n > 1),
                        "missing": sum(1 for n in got if n == 0),
                        "out_of_order": out_of_order,
                        "posts": proxy.take_timings() if proxy is not None else [],
                    }
                )
            elif command == "stop":
                if proxy is not None:
                    proxy.__exit__(None, None, None)
                return


# --- the instances ---------------------------------------------------------------------


@dataclass
class Measured:
    instances: int
    seconds: float
    ratio: float
    too_many: int
    duplicates: int
    missing: int
    out_of_order: int
    bursts: int
    asked: int
    answered: int
    cpu_share: float  # the instances' CPU time / wall time, all together
    starved_share: float  # their time ready to run but waiting for a core / wall time
    held_ms: float  # a batch of permits, from taken to finished (the answers back)
    permits: int
    p99_s: float  # the people chatting
    burst_p99_s: float  # everyone, the bursts' six answers (which wait for the chat's limit) too
    post_p50_s: float  # a webhook post through the proxy to its 200 (the update stored)
    post_p99_s: float


def exchange(pipe: Connection, *message: Any) -> Any:
    pipe.send(message)
    if not pipe.poll(180):
        raise TimeoutError(f"the Bot API server did not answer {message[0]!r}")
    return pipe.recv()


def start_instance(
    number: int, env: dict[str, str], port: int, nine_at: float, logs: Path
) -> subprocess.Popen[bytes]:
    """``python -m bot run`` whose demo clock reaches 09:00 at ``nine_at`` (monotonic)."""
    now = AT_NINE - dt.timedelta(seconds=nine_at - time.monotonic())
    data = Path(tempfile.mkdtemp(prefix="briefbot-bench-"))
    with (logs / f"instance-{number}.log").open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env={
                **env,
                "BRIEFBOT_INSTANCE": f"bench-{number}",
                "BRIEFBOT_PORT": str(port),
                "BRIEFBOT_DATA_DIR": str(data),
                "BRIEFBOT_NOW": now.isoformat(),
            },
            cwd=data,  # not the checkout: a .env there would be read
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until_serving(ports: list[int], processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 120
    with httpx.Client() as client:
        for port, process in zip(ports, processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"an instance exited with {process.returncode}")
                try:
                    if client.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError("the instances did not start within 120 s")
                time.sleep(0.1)


def waited_for_a_core(pids: list[int]) -> float:
    """Seconds the processes' threads spent ready to run while others had the cores."""
    total = 0.0
    for pid in pids:
        for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(stat.read_text().split()[1]) / 1e9
            except (OSError, IndexError, ValueError):
                continue
    return total


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return total


async def permit_hold(url: str) -> tuple[float, int]:
    """The overall permits' mean time from taken to finished (s), and how many there were."""
    store = await Store.open(database_url(url, Path(tempfile.gettempdir())))
    try:
        async with store.engine.connect() as connection:
            held, count = (
                await connection.execute(
                    sa.text(
                        "SELECT avg(extract(epoch FROM finished_at - taken_at)), count(*) "
                        "FROM flood_permits WHERE key = 'all' AND finished_at IS NOT NULL"
                    )
                )
            ).one()
            return float(held or 0.0), int(count)
    finally:
        await store.close()


async def ledger_states(url: str) -> dict[str, int]:
    store = await Store.open(database_url(url, Path(tempfile.gettempdir())))
    try:
        async with store.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(deliveries.c.state, sa.func.count()).group_by(deliveries.c.state)
            )
            return {state: int(count) for state, count in rows}
    finally:
        await store.close()


def measure_round(
    scenario: Scenario, count: int, url: str, pipe: Connection, base: dict[str, str], logs: Path
) -> Measured:
    scratch = Path(tempfile.gettempdir())
    asyncio.run(seed_database(database_url(url, scratch), scenario.subscribers))
    ports = [free_port() for _ in range(count)]
    proxy_url = exchange(pipe, "proxy", ports)
    env = {**base, "DATABASE_URL": url, "WEBHOOK_URL": f"{proxy_url}/telegram"}
    nine_at = time.monotonic() + LEAD_S + scenario.subscribers / 1000
    processes = [start_instance(n, env, port, nine_at, logs) for n, port in enumerate(ports, 1)]
    try:
        wait_until_serving(ports, processes)
        exchange(pipe, "reference")
        if time.monotonic() > nine_at - 1:
            print(f"{count} instance(s): the start outlasted the lead", file=sys.stderr)
        time.sleep(max(0.0, nine_at - 1 - time.monotonic()))
        exchange(pipe, "start")
        started = time.monotonic()
        pids = [process.pid for process in processes]
        cpu, starved = cpu_seconds(pids), waited_for_a_core(pids)
        while True:
            if time.monotonic() - started > ROUND_TIMEOUT_S:
                raise TimeoutError("the fan-out did not finish in 10 minutes")
            if exchange(pipe, "progress") >= scenario.subscribers:
                states = asyncio.run(ledger_states(url))
                if states.get("sent", 0) + states.get("failed", 0) >= scenario.subscribers:
                    break
            time.sleep(0.5)
        wall = time.monotonic() - started
        cpu, starved = cpu_seconds(pids) - cpu, waited_for_a_core(pids) - starved
        report = exchange(pipe, "finish")
        held, permits = asyncio.run(permit_hold(url))
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    sends, replies = report["digest_sends"], report["reply_sends"]
    seconds = sends[-1] - sends[0] if len(sends) > 1 else float("nan")
    in_window = sum(1 for at in replies if sends[0] <= at <= sends[-1])
    return Measured(
        instances=count,
        seconds=seconds,
        ratio=(len(sends) - 1 + in_window) / seconds / scenario.ceiling,
        too_many=report["too_many"],
        duplicates=report["duplicates"],
        missing=report["missing"],
        out_of_order=report["out_of_order"],
        bursts=scenario.bursts,
        asked=report["asked"],
        answered=len(report["waits"]),
        cpu_share=cpu / wall,
        starved_share=starved / wall,
        held_ms=held * 1000,
        permits=permits,
        p99_s=percentile(report["chatting"], 0.99),
        burst_p99_s=percentile(report["waits"], 0.99),
        post_p50_s=percentile(report["posts"], 0.5),
        post_p99_s=percentile(report["posts"], 0.99),
    )


def run(scenario: Scenario) -> list[Measured]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=serve, args=(scenario, theirs), daemon=True)
    server.start()
    theirs.close()
    measured = []
    try:
        if not ours.poll(120):
            raise TimeoutError("the Bot API server did not start")
        base_url, token = ours.recv()
        inherited = ("BRIEFBOT_", "TELEGRAM_", "WEBHOOK_", "DATABASE_URL")
        base = {
            **{k: v for k, v in os.environ.items() if not k.startswith(inherited)},
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": base_url,
            "BRIEFBOT_FLOOD_SCALE": str(scenario.scale),
            "BRIEFBOT_LOG_LEVEL": "WARNING",
        }
        with running_server() as postgres, tempfile.TemporaryDirectory() as logs:
            for count in scenario.instances:
                url = asyncio.run(postgres.database())
                measured.append(measure_round(scenario, count, url, ours, base, Path(logs)))
        ours.send(("stop",))
        server.join(30)
    finally:
        if server.is_alive():
            server.terminate()
            server.join()
        ours.close()
    return measured


# --- figures and the command line ------------------------------------------------------


def figures(scenario: Scenario, measured: list[Measured]) -> list[Figure]:
    found = [
        Figure(
            "scenario",
            f"{scenario.subscribers:,} subscribers ({scenario.subscribers // 5:,} groups), "
            f"{scenario.people} people asking every {scenario.every:g} s, {scenario.bursts} "
            f"people sending {len(BURST)} commands at once, flood limits x{scenario.scale:g}, "
            "webhook behind a round-robin proxy, one PostgreSQL",
        )
    ]
    ceiling = f"configured ceiling, {scenario.ceiling:.0f} msg/s"
    for each in measured:
        graded = each.instances >= 2
        name = f"{each.instances} instance{'s' if each.instances > 1 else ''}: "

        def goal(text: str, met: bool, *, graded: bool = graded) -> dict[str, Any]:
            return {"goal": text, "met": met} if graded else {}

        found += [
            Figure(
                name + "combined rate / ceiling",
                f"{each.ratio:.3f} ({each.seconds:.1f} s fan-out)",
                peer=ceiling,
                **goal(f"≥ {GOAL_RATIO}", each.ratio >= GOAL_RATIO),
            ),
            Figure(name + "429 answers", str(each.too_many), **goal("0", each.too_many == 0)),
            Figure(
                name + "duplicate digests", str(each.duplicates), **goal("0", each.duplicates == 0)
            ),
            Figure(name + "missing digests", str(each.missing), **goal("0", each.missing == 0)),
            Figure(
                name + "chats answered out of order",
                f"{each.out_of_order} of {each.bursts}",
                **goal("0", each.out_of_order == 0),
            ),
            Figure(
                name + "people's p99 wait during the fan-out",
                f"{each.p99_s * 1000:.0f} ms; with the bursts' answers "
                f"{each.burst_p99_s * 1000:.0f} ms ({each.answered} of {each.asked} answered)",
            ),
            Figure(
                name + "a webhook post to its 200, p50 / p99",
                f"{each.post_p50_s * 1000:.0f} / {each.post_p99_s * 1000:.0f} ms "
                f"(up to {WEBHOOK_CONNECTIONS} in flight, one per chat)",
            ),
            Figure(
                name + "instances' CPU, and their wait for a core",
                f"{each.cpu_share:.0%} of a core; {each.starved_share:.2f} s a second ready "
                "but waiting for a core",
            ),
            Figure(
                name + "overall permits, taken to finished",
                f"{each.held_ms:.0f} ms on average ({each.permits:,} permits)",
            ),
        ]
    return found


FULL = Scenario(subscribers=2_200)
QUICK = Scenario(subscribers=600, bursts=10)


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    found.add_argument("--subscribers", type=int, default=FULL.subscribers)
    found.add_argument("--people", type=int, default=FULL.people)
    found.add_argument("--bursts", type=int, default=FULL.bursts)
    found.add_argument("--scale", type=float, default=FULL.scale)
    found.add_argument("--instances", default="1,2,3", help="comma-separated counts")
    found.add_argument("--quick", action="store_true", help=f"{QUICK.subscribers} subscribers")
    found.add_argument("--json", action="store_true")
    return found


def main() -> None:
    args = parser().parse_args()
    if find_binaries() is None:  # make bench runs every benchmark: say why this one did not
        missing = "not run: PostgreSQL is not installed (scripts/ensure-postgres installs it)"
        show([Figure("scenario", missing)], as_json=args.json)
        return
    counts = tuple(int(n) for n in args.instances.split(","))
    scenario = (
        Scenario(QUICK.subscribers, bursts=QUICK.bursts, instances=counts)
        if args.quick
        else Scenario(
            args.subscribers,
            people=args.people,
            bursts=args.bursts,
            scale=args.scale,
            instances=counts,
        )
    )
    show(figures(scenario, run(scenario)), as_json=args.json)


if __name__ == "__main__":
    main()
