"""The ``briefbot`` command line, as a person at a terminal uses it."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import build_parser, main
from bot.console.chat import CONSOLE_USER_ID
from bot.store import Store, database_url

COMMANDS = ["build", "ingest", "ask", "topics", "chat", "run"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "BRIEFBOT_CATALOG", "BRIEFBOT_NOW", "BRIEFBOT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    assert command in capsys.readouterr().out


def test_ask_cuba_prints_a_clean_sourced_briefing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["ask", "/cuba", "--as-of", "2026-11-25"], capsys)
    assert code == 0 and err == ""
    # The news first, dated, with its age on the day asked (issue 17)
    assert out.startswith("Cuba–Mexico relations\nNews from 29 Jan – 2 Feb 2026 · 9 months old")
    assert "Sheinbaum asserts she has never spoken to Trump" in out
    assert "on Sunday [1 Feb 2026] denied" in out and "[1 ¶" in out
    assert "[1] More › (2/" in out and "[2] Sources" in out  # the buttons under the screen
    assert "<b>" not in out and "&amp;" not in out


def test_ask_missing_shows_the_registry_figure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ask", "/missing"], capsys)
    assert code == 0
    assert "Mar 2025 · Mexico's National Registry" in out and "128,059 people" in out


def test_ask_events_today_says_the_listings_are_past(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ask", "/events", "--as-of", "2026-11-25"], capsys)
    assert code == 0
    assert "Today is 25 Nov 2026" in out and "every date below has passed" in out
    assert "(upcoming)" not in out
    assert "next date by its rule: Sat 5 Dec 2026, 19:00" in out


def test_ask_events_on_february_first_lists_them_as_upcoming(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["ask", "/events february", "--as-of", "2026-02-01T09:00"], capsys)
    assert code == 0
    assert "Swan Lake’ — Fri 27 Feb 2026, 20:30; Sat 28 Feb 2026, 19:00 (upcoming)" in out
    assert "(past)" not in out


def test_ask_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ask", "/desaparecidos", "--lang", "es", "--as-of", "2026-12-02"], capsys)
    assert code == 0 and out.startswith("Personas desaparecidas")
    assert "Noticias del mar 2025 al 1 feb 2026 · de hace 10 meses · 2 artículos" in out
    assert out.count("Las frases de las fuentes se citan en inglés") == 1
    assert "last month [ene 2026]" in out  # the bot's own date words are Spanish
    assert "News from" not in out and "months old" not in out


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("missing peple", "Missing persons"),
        ("cuban oil", "Cuba–Mexico relations"),
        ("what's on in guadalajara", "Listings · Guadalajara"),
        ("/cubaa", "Cuba–Mexico relations"),
        ("/tren", "Toluca–Mexico City train"),
    ],
)
def test_free_text_and_typos_find_the_topic(
    text: str, start: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["ask", text], capsys)
    assert code == 0 and out.startswith(start)


def test_unknown_command_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ask", "/frobnicate"], capsys)
    assert code == 1
    assert out.strip() == "I don't know the command /frobnicate. Send /help for the topics."


def test_nothing_matching_suggests_topics(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ask", "pizza recipes"], capsys)
    assert code == 1
    assert "I have nothing on “pizza recipes”" in out and "/cuba" in out


def test_empty_question_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["ask", "  "], capsys)
    assert (code, out) == (2, "")
    assert err.strip() == 'briefbot: nothing to ask; try: briefbot ask "/cuba"'


def test_missing_catalog_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["ask", "/cuba", "--catalog", str(tmp_path / "none.json")], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "run 'briefbot build' first" in err


def test_bad_as_of_date_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["ask", "/cuba", "--as-of", "yesterday"], capsys)
    assert code == 2 and "expected YYYY-MM-DD" in err


def test_bad_time_zone_setting_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFBOT_TIMEZONE", "Mars/Olympus")
    code, _, err = run(["ask", "/cuba"], capsys)
    assert code == 2 and "BRIEFBOT_TIMEZONE='Mars/Olympus' is not an IANA time zone" in err


def test_topics_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["topics"], capsys)
    assert code == 0
    assert "/missing" in out and "/desaparecidos" in out and "/eventos" in out


def test_build_check_fails_on_a_stale_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "catalog.json"
    target.write_text("{}", "utf-8")
    code, _, err = run(["build", "--check", "--catalog", str(target)], capsys)
    assert code == 1 and "stale" in err
    code, out, _ = run(["build", "--catalog", str(target)], capsys)
    assert code == 0 and "11 articles from 3 documents" in out
    code, out, _ = run(["build", "--check", "--catalog", str(target)], capsys)
    assert code == 0 and "up to date" in out


def test_build_with_a_bad_seed_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "001_bad.txt").write_bytes(b"\xff\xfe bad")
    code, _, err = run(
        ["build", "--seeds", str(tmp_path), "--catalog", str(tmp_path / "c.json")], capsys
    )
    assert code == 2 and "001_bad.txt: not UTF-8" in err
    assert not (tmp_path / "c.json").exists()


def test_console_chat_answers_each_line_until_eof(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import cmd_chat
    from bot.operations.config import load_settings

    args = build_parser().parse_args(["chat", "--as-of", "2026-11-25"])
    out = io.StringIO()
    code = cmd_chat(
        args,
        load_settings({"BRIEFBOT_DATA_DIR": os.environ["BRIEFBOT_DATA_DIR"]}),
        out,
        stdin=io.StringIO("/train\n\nnonsense xyz\n"),
    )
    text = out.getvalue()
    assert code == 0
    assert "Toluca–Mexico City train" in text
    assert "I have nothing on “nonsense xyz”" in text
    assert text.rstrip().endswith("bye")


def test_run_without_a_token_opens_the_console_chat() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="/cuba\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "starting the console chat" in result.stdout
    assert "Cuba–Mexico relations" in result.stdout
    assert "Traceback" not in result.stderr


class _InterruptingInput(io.StringIO):
    """Standard input on which the person presses Ctrl-C after one line."""

    def __init__(self) -> None:
        super().__init__("/cuba\n")
        self.reads = 0

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.reads += 1
        if self.reads > 1:
            raise KeyboardInterrupt
        return super().readline()


def test_console_chat_ends_cleanly_on_ctrl_c() -> None:
    from bot.__main__ import cmd_chat
    from bot.operations.config import load_settings

    args = build_parser().parse_args(["chat"])
    out = io.StringIO()
    assert (
        cmd_chat(
            args,
            load_settings({"BRIEFBOT_DATA_DIR": os.environ["BRIEFBOT_DATA_DIR"]}),
            out,
            stdin=_InterruptingInput(),
        )
        == 0
    )
    assert "Cuba–Mexico relations" in out.getvalue()
    assert out.getvalue().rstrip().endswith("bye")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("BRIEFBOT_ADMIN_IDS", "²", "BRIEFBOT_ADMIN_IDS: '²' is not a Telegram user id"),
        ("BRIEFBOT_ADMIN_IDS", "12345,٣", "BRIEFBOT_ADMIN_IDS: '٣' is not a Telegram user id"),
        ("BRIEFBOT_PORT", "²", "BRIEFBOT_PORT='²' is not a port"),
        ("DATABASE_URL", "postgresql://bot:hunter2@db:notaport/news", "DATABASE_URL has a port"),
        ("DATABASE_URL", "postgresql://bot:hunter2@db:99999/news", "DATABASE_URL has a port"),
        ("DATABASE_URL", "postgresql://bot:hunter2@db:٥٤٣٢/news", "DATABASE_URL has a port"),
    ],
)
def test_settings_with_non_ascii_digits_or_a_bad_port_are_one_line_and_exit_2(
    name: str,
    value: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "²" passes isdigit() and then failed int(): exit 70 (an internal error). A database
    port that is not a number passed the check and failed at the first connection."""
    monkeypatch.setenv(name, value)
    code, out, err = run(["topics"], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and expected in err and "hunter2" not in err


def _subscriptions_in(path: Path) -> list[str]:
    """What is subscribed in the SQLite file at ``path`` (nothing if there is no such file)."""
    if not path.exists():
        return []

    async def read() -> list[str]:
        store = await Store.open(database_url(f"sqlite:///{path}", path.parent))
        try:
            return [s.what for s in await store.subscriptions_of([CONSOLE_USER_ID])]
        finally:
            await store.close()

    return asyncio.run(read())


def test_the_console_keeps_its_subscriptions_out_of_the_bots_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real ``briefbot run`` would "deliver" the console's chat-1 subscriptions and count
    each one as a failure: the console keeps its own database unless told otherwise."""
    data = tmp_path / "data"
    real = tmp_path / "real.sqlite3"
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(data))
    for database_url_set in (False, True):  # the default SQLite file, then DATABASE_URL
        if database_url_set:
            monkeypatch.setenv("DATABASE_URL", f"sqlite:///{real}")
        monkeypatch.setattr(sys, "stdin", io.StringIO("/subscribe cuba daily 08:00\n"))
        code, out, _ = run(["chat", "--as-of", "2026-11-25"], capsys)
        assert code == 0 and f"stay in {data / 'console.sqlite3'}" in out
    code, _, _ = run(["ask", "/subscribe missing weekly mon 09:00"], capsys)
    assert code == 0
    assert _subscriptions_in(data / "briefbot.sqlite3") == []  # what `run` opens by default
    assert _subscriptions_in(real) == []  # and what it opens with DATABASE_URL
    assert sorted(_subscriptions_in(data / "console.sqlite3")) == ["cuba", "missing"]
    # Told otherwise, it uses the database it is given.
    chosen = tmp_path / "chosen.sqlite3"
    monkeypatch.setattr(sys, "stdin", io.StringIO("/subscribe cuba daily 08:00\n"))
    code, out, _ = run(["chat", "--database", f"sqlite:///{chosen}"], capsys)
    assert code == 0 and "stay in" not in out
    assert _subscriptions_in(chosen) == ["cuba"]


def test_a_console_database_that_is_no_database_url_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["chat", "--database", "mysql://root:hunter2@db/x"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("briefbot: --database starts with 'mysql'") and "hunter2" not in err


@pytest.mark.parametrize("command", [["chat"], ["ask", "/cuba"]])
def test_a_console_database_that_can_never_open_names_the_option(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "console.sqlite3"
    code, _, err = run([*command, "--database", f"sqlite:///{missing}"], capsys)
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith("briefbot: --database: the folder"), line
