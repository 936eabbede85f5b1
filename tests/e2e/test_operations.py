"""`briefbot run` as a real process: configuration errors, webhook mode, SIGTERM, logs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from localapi import LocalBotApiServer
from tests.e2e.conftest import wait_until
from tests.postgres import PostgresServer, free_port


def _environment(telegram: LocalBotApiServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": telegram.api.token,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "BRIEFBOT_NOW": "2026-11-25T12:00",
        "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
        "BRIEFBOT_FLOOD_SCALE": "100",
        **extra,
    }


def _start(env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_until_it_exits(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("BRIEFBOT_PORT", "http", "is not a port"),
        ("BRIEFBOT_TIMEZONE", "Mars/Olympus", "is not an IANA time zone"),
        ("WEBHOOK_URL", "http://bot.example.com/telegram", "must start with https://"),
        ("WEBHOOK_URL", "https://bot.example.com:9000/hook", "only to ports 443, 80, 88"),
        ("WEBHOOK_SECRET", "not a secret!", "1-256 characters"),
        ("BRIEFBOT_ADMIN_IDS", "12345,@ana", "'@ana' is not a Telegram user id"),
        ("DATABASE_URL", "mysql://root:hunter2@db/briefbot", "expected postgresql://"),
        ("BRIEFBOT_LOG_LEVEL", "chatty", "is not one of DEBUG, INFO, WARNING, ERROR"),
        ("BRIEFBOT_SPEED", "-3", "is not a positive number"),
        ("TELEGRAM_BOT_TOKEN", "hunter2-no-colon", "does not look like a bot token"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org", "is not an http(s) URL"),
        ("BRIEFBOT_NOW", "yesterday", "is not a moment"),
        ("BRIEFBOT_LISTEN", "999.1.1.1", "is not an address to listen on"),
    ],
)
def test_a_wrong_setting_stops_the_start_with_one_line_and_status_2(
    name: str, value: str, expected: str, tmp_path: Path
) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123:abc", name: value}
    if name == "WEBHOOK_URL":  # the port rule is Telegram's, so it applies to Telegram only
        env.pop("TELEGRAM_API_BASE_URL", None)
    result = _run_until_it_exits(env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"briefbot: {name}"), result.stderr
    assert expected in lines[0]
    assert "hunter2" not in result.stderr  # secrets are never repeated


def test_a_webhook_with_no_server_to_receive_it_stops_the_start_naming_both(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:1/bot",  # never reached: refused before
        "WEBHOOK_URL": "https://bot.example.com/telegram",
        "BRIEFBOT_PORT": "off",
    }
    result = _run_until_it_exits(env, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("briefbot: WEBHOOK_URL is set but BRIEFBOT_PORT=off"), line


@pytest.mark.parametrize(
    ("address", "reason"),
    [("192.0.2.1", "Cannot assign requested address"), ("nothing.invalid", "")],
    ids=["another-machines-address", "a-name-that-does-not-resolve"],
)
def test_an_address_the_server_cannot_listen_on_names_briefbot_listen(
    address: str, reason: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:1/bot",  # never reached: refused before
        "BRIEFBOT_LISTEN": address,  # 192.0.2.0/24 is TEST-NET-1: never this machine's
        "BRIEFBOT_PORT": "0",
        "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
    }
    result = _run_until_it_exits(env, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"briefbot: BRIEFBOT_LISTEN={address}: cannot listen there"), line
    assert reason in line and "BRIEFBOT_PORT" not in line


def test_a_dotenv_file_is_read_and_the_real_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BRIEFBOT_PORT=http\nBRIEFBOT_LOG_LEVEL=chatty\n")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123:abc", "BRIEFBOT_LOG_LEVEL": "INFO"}
    result = _run_until_it_exits(env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("briefbot: BRIEFBOT_PORT='http'")  # from the file


def test_a_port_in_use_stops_the_start_with_one_line(
    telegram: LocalBotApiServer, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _start(_environment(telegram, tmp_path, BRIEFBOT_PORT=str(port)))
        processes.append(process)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert stderr.strip().splitlines()[-1].startswith(f"briefbot: BRIEFBOT_PORT={port}: cannot")
    assert "Traceback" not in stderr


class _StderrReader:
    """Reads a process's stderr line by line on a thread, so a test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self._stream = process.stderr
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with self._stream:
            for line in self._stream:
                with self._lock:
                    self._lines.append(line)

    def saw(self, fragment: str) -> bool:
        with self._lock:
            return any(fragment in line for line in self._lines)

    def text(self) -> str:
        """Everything, once the process has exited."""
        self._thread.join(timeout=60)
        with self._lock:
            return "".join(self._lines)


@pytest.mark.parametrize(
    ("database", "reason"),
    [
        ("sqlite:///{tmp}/no/such/folder/briefbot.sqlite3", "of the SQLite file does not exist"),
        ("postgresql://briefbot:hunter2@db.invalid/briefbot", "'db.invalid' does not resolve"),
        ("no_such_database", 'database "no_such_database" does not exist'),
    ],
    ids=["sqlite-folder-missing", "host-does-not-resolve", "database-does-not-exist"],
)
def test_a_database_url_that_can_never_work_stops_the_start_with_one_line(
    database: str,
    reason: str,
    telegram: LocalBotApiServer,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if "://" in database:
        url = database.format(tmp=tmp_path)
    else:  # a database name that is not on a server that is up
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.url(database).replace("postgres@", "postgres:hunter2@")
    result = _run_until_it_exits(
        _environment(telegram, tmp_path, DATABASE_URL=url, BRIEFBOT_PORT="0"), tmp_path
    )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("briefbot: DATABASE_URL: ") and reason in line, line
    assert "hunter2" not in result.stderr
    # The database is opened first: nothing was changed at "Telegram".
    assert telegram.api.calls_to("setMyCommands") == []
    assert telegram.api.calls_to("deleteWebhook") == []


def test_a_database_that_is_only_down_is_tried_again_and_sigterm_stops_it(
    telegram: LocalBotApiServer, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    down = f"postgresql://briefbot:hunter2@127.0.0.1:{free_port()}/briefbot"  # nothing there
    process = _start(_environment(telegram, tmp_path, DATABASE_URL=down, BRIEFBOT_PORT="0"))
    processes.append(process)
    stderr = _StderrReader(process)
    wait_until(lambda: stderr.saw("the database could not be opened"))
    wait_until(lambda: telegram.api.calls_to("deleteWebhook"))  # and it runs: polling
    assert process.poll() is None
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    process.stdout.close()  # type: ignore[union-attr]
    log = stderr.text()
    assert "trying again" in log and "hunter2" not in log and "Traceback" not in log


@pytest.mark.parametrize("mode", ["webhook", "polling"])
def test_sigterm_loses_no_update_and_logs_one_line_each(
    mode: str,
    telegram: LocalBotApiServer,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],
) -> None:
    api = telegram.api
    port = free_port()
    webhook = {"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram"} if mode == "webhook" else {}
    env = _environment(telegram, tmp_path, BRIEFBOT_PORT=str(port), **webhook)
    process = _start(env)
    processes.append(process)
    stderr = _StderrReader(process)
    wait_until(lambda: api.webhook["url"] if webhook else api.calls_to("deleteWebhook"))
    # Answers are held at "Telegram" until the bot has seen the signal, so it stops with
    # updates in hand whatever the speed of this machine; how many it has taken by then
    # (all of them, some, a few) is up to the machine, and nothing below depends on it.
    answers = api.hold("sendMessage")
    early, late = range(100, 130), range(130, 140)
    for person in early:
        api.send_text(api.private_chat(person, first_name="P"), api.user(person), "/cuba")
    wait_until(lambda: answers.arrived >= 1)  # the bot is in the middle of answering
    process.send_signal(signal.SIGTERM)
    wait_until(lambda: stderr.saw("stopping:"))
    for person in late:  # these come while it stops: taken and answered, or left for later
        api.send_text(api.private_chat(person, first_name="P"), api.user(person), "/cuba")
    answers.release()
    assert process.wait(timeout=60) == 0, stderr.text()
    process.stdout.close()  # type: ignore[union-attr]
    telegram.pusher.settle()  # no 200 left unbooked: pending_updates is what it never took
    people = [*early, *late]
    accepted = len(people) - api.pending_updates  # confirmed to "Telegram" as received
    answered = [person for person in people if api.sent_to(person)]
    # Every update the bot accepted was answered, once, before it exited.
    assert len(answered) == accepted >= 1
    assert all(len(api.sent_to(person)) == 1 for person in answered)
    # The rest wait at "Telegram" and reach the next start: none lost, none twice.
    again = _start(env)
    processes.append(again)
    wait_until(lambda: all(api.sent_to(person) for person in people))
    again.send_signal(signal.SIGTERM)
    again.communicate(timeout=60)
    assert all(len(api.sent_to(person)) == 1 for person in people)
    log = stderr.text()
    lines = [line for line in log.splitlines() if " update=" in line]
    assert len(lines) == accepted
    first = answered[0]
    assert f"chat={first} command=/cuba outcome=replied replies=1" in log
    assert api.token not in log and api.token.split(":")[1] not in log


def test_healthz_answers_in_polling_mode_from_a_real_process(
    telegram: LocalBotApiServer, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    process = _start(_environment(telegram, tmp_path, BRIEFBOT_PORT=str(port)))
    processes.append(process)
    wait_until(lambda: telegram.api.calls_to("deleteWebhook"))  # polling starts right after

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(healthy)
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert "briefbot_updates_handled_total" in metrics
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_a_token_the_bot_api_refuses_is_one_line_naming_the_variable(
    telegram: LocalBotApiServer, tmp_path: Path
) -> None:
    env = {**_environment(telegram, tmp_path), "TELEGRAM_BOT_TOKEN": "999:revoked-token"}
    result = _run_until_it_exits(env, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()  # the line alone, as for every failed start
    assert line.startswith("briefbot: TELEGRAM_BOT_TOKEN was refused by the Bot API"), line
    assert "revoked-token" not in line


def test_an_unreachable_bot_api_is_one_line_and_status_69(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:1/bot",  # nothing listens there
        "BRIEFBOT_PORT": "0",
        "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
    }
    result = _run_until_it_exits(env, tmp_path)
    assert result.returncode == 69
    # The line alone: no "serving" or "stopped" around it, and no "sending it again" for a
    # getMe that is not a reply to anyone.
    [line] = result.stderr.splitlines()
    assert line.startswith("briefbot: cannot reach the Bot API at 127.0.0.1:1"), result.stderr
    assert "abc" not in line
