"""The ``briefbot`` command line: a thin layer over the compiler and the answers.

    briefbot build [--check]     compile seeds/ into the catalog (or check it is current)
    briefbot ingest PATH|URL …   add pages, feeds and text files; rebuild the live catalog
    briefbot ask "/cuba"         print the reply the bot would send, as plain text
    briefbot topics              list the topics and their commands
    briefbot chat                talk to the bot in this terminal
    briefbot run                 run the bot: long polling, or a webhook with WEBHOOK_URL
                                 (the console chat when no token is set)

Every failure a user can cause ends with one line on stderr and a non-zero status, never
a traceback: 1 when a request was not understood, 2 for unusable input or configuration,
69 when the Bot API cannot be reached at start.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from bot.clock import Clock, FixedClock, RunningClock, SystemClock, parse_moment
from bot.console.database import CONSOLE_DATABASE
from bot.operations.config import Settings, SettingsError, checked_database_url, load_settings
from briefings.catalog import CatalogError, SeedError, build, is_stale, load_catalog
from briefings.documents import DocumentError
from briefings.model import Catalog

EXIT_NOT_UNDERSTOOD = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 69  # sysexits' EX_UNAVAILABLE
EXIT_INTERNAL = 70


class UsageError(Exception):
    """Bad input from the person at the terminal."""


class Unavailable(Exception):
    """A service the command needs is unreachable; trying again later may work."""


def _clock(
    settings: Settings, as_of: str | None, *, running: bool = False, speed: float | None = None
) -> Clock:
    """The real clock, or "as of" a moment: fixed for one answer, running for a session.

    A running demo clock (``chat``, ``run``) starts at the moment and moves ``speed`` times
    faster than real time, so scheduled digests can be watched arriving.
    """
    moment = as_of or settings.now
    if moment is None:
        return SystemClock()
    try:
        start = parse_moment(moment, settings.zone)
        if running:
            return RunningClock(start, speed or settings.speed)
        return FixedClock(start)
    except ValueError:
        raise UsageError(
            f"cannot read the date {moment!r}; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None


def cmd_build(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    seeds = Path(args.seeds) if args.seeds else settings.seeds_dir
    target = Path(args.catalog) if args.catalog else settings.catalog_path
    if args.check:
        problem = is_stale(seeds, target)
        if problem:
            print(
                f"briefbot: the catalog is stale: {problem}; run 'briefbot build'", file=sys.stderr
            )
            return 1
        out.write(f"{target} is up to date\n")
        return 0
    catalog = build(seeds, target)
    out.write(
        f"wrote {target}: {len(catalog.articles)} articles from {len(catalog.documents)} "
        f"documents, {len(catalog.briefings)} briefings, version {catalog.version}\n"
    )
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Add each target's documents, then rebuild the live catalog the bot serves."""
    from bot.operations.live_catalog import rebuild_live
    from ingest.fetch import Limits
    from ingest.sources import ingest_all

    if args.documents:
        settings = replace(settings, documents_dir=Path(args.documents))
    limits = Limits(timeout=settings.feed_timeout, max_bytes=settings.feed_max_bytes)
    reports, failures = asyncio.run(
        ingest_all(args.targets, settings.documents, SystemClock().now, limits)
    )
    for report in reports:
        out.write(report.summary() + "\n")
        for problem in report.problems:
            print(f"briefbot: {problem}", file=sys.stderr)
    for failure in failures:
        print(f"briefbot: {failure}", file=sys.stderr)
    if reports and not args.no_build:
        catalog = rebuild_live(settings)
        out.write(
            f"wrote {settings.live_catalog_path}: {len(catalog.articles)} articles from "
            f"{len(catalog.documents)} documents, version {catalog.version}\n"
        )
    troubled = failures or any(report.problems for report in reports)
    return EXIT_NOT_UNDERSTOOD if troubled else 0


def _with_catalog(args: argparse.Namespace, settings: Settings) -> Settings:
    if getattr(args, "catalog", None):
        return replace(settings, catalog_path=Path(args.catalog))
    return settings


def _served(args: argparse.Namespace, settings: Settings) -> Catalog:
    """The catalog named by --catalog, else the one the bot serves (the live one once
    documents were ingested, else the shipped one)."""
    from bot.operations.live_catalog import load_served_catalog

    if getattr(args, "catalog", None):
        return load_catalog(Path(args.catalog))
    return load_served_catalog(settings)


def _console_database(args: argparse.Namespace) -> str | None:
    """The database ``--database`` chose for the console, checked like ``DATABASE_URL``."""
    chosen: str | None = getattr(args, "database", None)
    return None if chosen is None else checked_database_url("--database", chosen.strip())


def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """One request through the whole bot (handlers included), printed as plain text."""
    from bot.console.chat import ask_once
    from bot.store import UnusableDatabase

    text = " ".join(args.text).strip()
    if not text:
        raise UsageError('nothing to ask; try: briefbot ask "/cuba"')
    catalog = _served(args, settings)  # a missing catalog: one line, no bot
    clock = _clock(settings, args.as_of)
    database = _console_database(args)
    try:
        understood = asyncio.run(
            ask_once(
                settings,
                text,
                clock=clock,
                out=out,
                lang=args.lang,
                catalog=catalog,
                database=database,
            )
        )
    except UnusableDatabase as error:  # only a chosen one can be: the default is made here
        raise UsageError(f"--database: {error}") from None
    return 0 if understood else EXIT_NOT_UNDERSTOOD


def cmd_topics(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    catalog = _served(args, settings)
    for topic in catalog.topics:
        out.write(f"/{topic.command:<10} /{topic.command_es:<14} {topic.name_en}\n")
    return 0


def cmd_chat(
    args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO | None = None
) -> int:
    """The console chat: the same application and handlers, in this terminal.

    Ends on EOF (Ctrl-D) or Ctrl-C, always with "bye".
    """
    from bot.console.chat import run_console
    from bot.store import UnusableDatabase

    catalog = _served(args, settings)
    database = _console_database(args)
    clock = _clock(
        settings, getattr(args, "as_of", None), running=True, speed=getattr(args, "speed", None)
    )
    source = stdin or sys.stdin
    interactive = source.isatty()
    out.write(
        "briefbot console chat — type /help, a topic, or a question; numbers press buttons; "
        "Ctrl-D to quit.\n"
    )
    if database is None:  # a chosen URL may hold a password: not repeated
        out.write(
            f"Subscriptions made here stay in {settings.data_dir / CONSOLE_DATABASE}, "
            "apart from the bot's own database (--database chooses another).\n"
        )
    out.flush()
    try:
        asyncio.run(
            run_console(
                settings,
                clock=clock,
                source=source,
                out=out,
                lang=getattr(args, "lang", "en"),
                catalog=catalog,
                prompt=interactive,
                database=database,
            )
        )
    except KeyboardInterrupt:  # Ctrl-C ends the chat as cleanly as Ctrl-D
        out.write("\n")
    except UnusableDatabase as error:  # only a chosen one can be: the default is made here
        raise UsageError(f"--database: {error}") from None
    out.write("bye\n")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Long polling with a token; the console chat without one."""
    if settings.token is None:
        out.write("TELEGRAM_BOT_TOKEN is not set: starting the console chat instead.\n")
        return cmd_chat(args, settings, out)
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.operations.logs import configure_logging, database_password
    from bot.operations.runner import serve
    from bot.store import UnusableDatabase

    settings = _with_catalog(args, settings)
    configure_logging(
        (settings.token, settings.webhook_secret, database_password(settings.database_url)),
        settings.log_level,
    )
    clock = _clock(settings, args.as_of, running=True, speed=args.speed)
    application = build_application(settings, clock=clock, catalog=_served(args, settings))
    try:
        asyncio.run(serve(application))
    except UnusableDatabase as error:  # trying again cannot help: a setting to correct
        raise SettingsError(f"DATABASE_URL: {error}") from None
    except InvalidToken:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN was refused by the Bot API (revoked or mistyped? "
            "@BotFather shows the current one)"
        ) from None
    except NetworkError as error:
        host = urlsplit(settings.api_base_url).netloc
        raise Unavailable(f"cannot reach the Bot API at {host} ({error}); try again") from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot", description="Sourced news briefings about Mexico, for Telegram."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        sub.add_argument("--catalog", help="catalog file (default: $BRIEFBOT_CATALOG)")
        return sub

    build_cmd = add("build", cmd_build, "compile the seeds into the catalog file")
    build_cmd.add_argument("--check", action="store_true", help="fail if the catalog is stale")
    build_cmd.add_argument("--seeds", help="seed directory (default: $BRIEFBOT_SEEDS)")

    ingest = add(
        "ingest",
        cmd_ingest,
        "add documents: a plain-text file (read as a seed is), an HTML page (its article "
        "and metadata) or an RSS/Atom feed (each item's page), by path or http(s) URL; then "
        "rebuild the live catalog the bot serves",
    )
    ingest.add_argument("targets", nargs="+", metavar="PATH|URL", help="what to add")
    ingest.add_argument("--documents", help="documents folder (default: $BRIEFBOT_DOCUMENTS)")
    ingest.add_argument(
        "--no-build", action="store_true", help="only add the documents; do not rebuild"
    )

    ask = add("ask", cmd_ask, "print the bot's reply to a command or question, as plain text")
    ask.add_argument("text", nargs="*", help='what to ask, e.g. "/cuba" or "missing people"')

    add("topics", cmd_topics, "list the topics and their commands")
    chat = add("chat", cmd_chat, "talk to the bot in this terminal (Ctrl-D to quit)")
    run = add(
        "run",
        cmd_run,
        "run the bot: long polling, or a webhook when WEBHOOK_URL is set, with /healthz and "
        "/metrics on BRIEFBOT_PORT; without TELEGRAM_BOT_TOKEN, the console chat",
    )
    for sub in (ask, chat, run):
        sub.add_argument("--lang", choices=("en", "es"), default="en", help="reply language")
        sub.add_argument(
            "--as-of", help="pretend it is this moment: YYYY-MM-DD[THH:MM] (default: now)"
        )
    for sub in (ask, chat):
        sub.add_argument(
            "--database",
            metavar="URL",
            help=f"the console's database, like DATABASE_URL (default: {CONSOLE_DATABASE} "
            "in BRIEFBOT_DATA_DIR, never the bot's own database)",
        )
    for sub in (chat, run):
        sub.add_argument(
            "--speed",
            type=_speed,
            help="with --as-of, run the clock this many times faster (60: an hour a minute)",
        )
    return parser


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number, e.g. 60")
    return value


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        handler: Callable[[argparse.Namespace, Settings, TextIO], int] = args.handler
        return handler(args, settings, stream)
    except (UsageError, SettingsError, CatalogError, SeedError, DocumentError) as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Unavailable as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except BrokenPipeError:
        return 0
    except Exception as error:  # the last line of defence: one line, never a traceback
        print(f"briefbot: internal error ({type(error).__name__}: {error})", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
