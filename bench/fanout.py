"""One digest to 10,000 subscribers under Telegram's flood limits, scaled up.

The local Bot API server runs in a process of its own and enforces the flood limits
(overall per second, per private chat, per group per minute) scaled by ``--scale`` so the
run stays short; the bot's flood limiter is configured with the same scale
(``BRIEFBOT_FLOOD_SCALE``). 10,000 subscribers (80 % private chats, 20 % groups) share
one SQLite database and one 09:00 daily digest. The injected clock is moved to 09:00 and
the whole fan-out goes out through the real Application, scheduler, ledger and limiter.

Meanwhile ten people chat with the bot (a command every 100 ms among them, each person once
a second); the server times each from the moment the update is queued to the moment the
bot's reply arrives.

Printed, measured in the server: achieved rate / configured ceiling (the overall limit,
from the first digest to the last), 429 answers, duplicate digests (chats that got more
than one), and the p99 time to answer the person during the fan-out.

    python bench/fanout.py                # 10,000 subscribers, limits x5 (150 msg/s)
    python bench/fanout.py --quick        # 2,000 subscribers

Goals: ratio >= 0.95, 0 429s, 0 duplicates, person p99 < 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bot.app import build_application, start_application, stop_application  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.flood_limits import FloodLimits  # noqa: E402
from bot.handlers.common import SERVICES_KEY  # noqa: E402
from bot.localapi import LocalBotApi, LocalBotApiServer  # noqa: E402
from bot.store import Store, database_url  # noqa: E402
from bot.store.schema import chats, subscriptions  # noqa: E402
from briefings.catalog import DEFAULT_CATALOG, load_catalog  # noqa: E402

MEXICO_CITY = dt.timezone(dt.timedelta(hours=-6))
BEFORE = dt.datetime(2026, 11, 26, 8, 59, tzinfo=MEXICO_CITY)
AT_NINE = dt.datetime(2026, 11, 26, 9, 0, tzinfo=MEXICO_CITY)
PEOPLE = range(9_000_001, 9_000_011)  # ten people, each asking once a second
GOALS = {"ratio": 0.95, "429s": 0, "duplicates": 0, "p99_s": 1.5}


def subscriber_ids(count: int) -> list[int]:
    """80 % private chats (positive ids), 20 % groups (negative ids)."""
    groups = count // 5
    return [*range(1, count - groups + 1), *(-1_000_000 - n for n in range(groups))]


def serve(count: int, scale: float, pipe: Any) -> None:
    """The server process: chats, limits, the person's clock, and the final counts."""
    api = LocalBotApi(rate_limits=FloodLimits().scaled(scale), record_calls=False)
    for chat_id in subscriber_ids(count):
        if chat_id > 0:
            api.private_chat(chat_id, first_name=f"reader{chat_id}")
        else:
            api.group_chat(chat_id, f"Group {-chat_id}")
    people = [(api.user(p, first_name=f"person{p}"), api.private_chat(p)) for p in PEOPLE]
    asked: dict[int, list[float]] = {p: [] for p in PEOPLE}
    answered: dict[int, list[float]] = {p: [] for p in PEOPLE}
    sends: list[float] = []
    lock = threading.Lock()

    def watch() -> None:
        """Poll the counters: when subscribers got their digests, when people got replies."""
        while not stop.is_set():
            now = time.monotonic()
            replies = 0
            with lock:
                for person in PEOPLE:
                    count = api.messages_sent_to(person)
                    replies += count
                    answered[person].extend([now] * (count - len(answered[person])))
                sends.extend([now] * (api.messages_sent - replies - len(sends)))
            time.sleep(0.005)

    stop = threading.Event()
    with LocalBotApiServer(api) as server:
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        pipe.send((server.base_url, api.token))
        while True:
            command = pipe.recv()
            if isinstance(command, tuple):  # ("ask", n): person n sends a command
                user, chat = people[command[1] % len(people)]
                with lock:
                    asked[user["id"]].append(time.monotonic())
                api.send_text(chat, user, "/cuba")
            elif command == "progress":
                with lock:
                    pipe.send(len(sends))
            elif command == "report":
                time.sleep(0.2)
                stop.set()
                watcher.join()
                deliveries = api.deliveries()
                duplicates = sum(1 for k, v in deliveries.items() if k not in PEOPLE and v > 1)
                missing = sum(1 for k in subscriber_ids(count) if deliveries.get(k, 0) == 0)
                pipe.send(
                    {
                        "sends": sends,
                        "asked": asked,
                        "answered": answered,
                        "too_many": api.too_many_requests,
                        "duplicates": duplicates,
                        "missing": missing,
                    }
                )
                return


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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def run(count: int, scale: float) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=serve, args=(count, scale, theirs))
    server.start()
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
        await seed_database(database_url(None, Path(data_dir)), count)
        clock = ManualClock(BEFORE)
        application = build_application(
            settings, clock=clock, catalog=load_catalog(DEFAULT_CATALOG)
        )
        await start_application(application)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        digests = application.bot_data[SERVICES_KEY].digests
        clock.set(AT_NINE)
        started = time.monotonic()
        await digests.scheduler.rebuild()
        # Someone asks every 100 ms while the fan-out runs (each person once a second, as
        # Telegram's per-chat limit expects of a conversation).
        for turn in itertools.count():
            ours.send("progress")
            done = ours.recv()
            if done >= count and digests.delivery.pending == 0:
                break
            ours.send(("ask", turn))
            await asyncio.sleep(0.1)
            if time.monotonic() - started > 600:
                raise SystemExit("fan-out did not finish in 10 minutes")
        await asyncio.sleep(1.0)  # the last replies to the person
        await stop_application(application)
    ours.send("report")
    report = ours.recv()
    server.join()
    sends = report["sends"]
    seconds = sends[-1] - sends[0] if len(sends) > 1 else float("nan")
    rate = (len(sends) - 1) / seconds
    # Replies to people share the ceiling with the fan-out: count them too, in its window.
    replies = sum(
        1 for times in report["answered"].values() for at in times if sends[0] <= at <= sends[-1]
    )
    total_rate = (len(sends) - 1 + replies) / seconds
    ceiling = FloodLimits().scaled(scale).overall_per_second
    during = [
        answer - question
        for person in PEOPLE
        for question, answer in zip(
            report["asked"][person], report["answered"][person], strict=False
        )
    ]
    return {
        "subscribers": count,
        "seconds": seconds,
        "rate": rate,
        "ceiling": ceiling,
        "ratio": total_rate / ceiling,
        "digest_ratio": rate / ceiling,
        "429s": report["too_many"],
        "duplicates": report["duplicates"],
        "missing": report["missing"],
        "person_asked": sum(len(v) for v in report["asked"].values()),
        "person_answered": sum(len(v) for v in report["answered"].values()),
        "p50_s": percentile(during, 0.5),
        "p99_s": percentile(during, 0.99),
    }


def profiled(count: int, scale: float) -> dict[str, float]:
    """The run under cProfile (``--profile``): where the bot's time goes."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(asyncio.run, run(count, scale))
    pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--scale", type=float, default=5.0, help="flood limits times this")
    parser.add_argument("--quick", action="store_true", help="2,000 subscribers")
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args()
    count = 2_000 if args.quick else args.subscribers
    measure = profiled if args.profile else lambda n, k: asyncio.run(run(n, k))
    result = measure(count, args.scale)
    print(f"subscribers: {result['subscribers']:,} ({count // 5:,} groups)")
    print(
        f"fan-out: {result['seconds']:.1f} s, {result['rate']:.1f} msg/s of a "
        f"{result['ceiling']:.0f} msg/s ceiling"
    )
    print(
        f"ratio achieved/ceiling: {result['ratio']:.3f} (goal >= {GOALS['ratio']}); "
        f"digests alone {result['digest_ratio']:.3f}, the rest were replies to people"
    )
    print(f"429 answers: {result['429s']} (goal 0)")
    print(f"duplicates: {result['duplicates']}, missing: {result['missing']} (goal 0, 0)")
    print(
        f"people during fan-out: {result['person_answered']}/{result['person_asked']} "
        f"answered, p50 {result['p50_s'] * 1000:.0f} ms, p99 {result['p99_s'] * 1000:.0f} ms "
        f"(goal < {GOALS['p99_s']} s)"
    )


if __name__ == "__main__":
    main()
