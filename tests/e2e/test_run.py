"""`briefbot run` as a real process against the local Bot API, and the console chat."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys

from bot.__main__ import build_parser, cmd_chat
from bot.operations.config import load_settings
from localapi import LocalBotApiServer
from tests.e2e.conftest import wait_until


def test_run_with_a_token_polls_answers_and_stops_on_sigterm(
    telegram: LocalBotApiServer,
) -> None:
    api = telegram.api
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "BRIEFBOT_NOW": "2026-11-25T12:00",
        "BRIEFBOT_PORT": "0",  # any free port: 8080 may be taken on this machine
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: len(api.calls_to("setMyCommands")) == 4)  # menus are set before polling
        chat = api.private_chat(40, first_name="Ana")
        api.send_text(chat, api.user(40), "/cuba")
        wait_until(lambda: api.sent_to(40))
        assert api.calls_to("deleteWebhook")
        assert api.sent_to(40)[0].plain.startswith("Cuba–Mexico relations")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert api.token not in stderr and api.token.split(":")[1] not in stderr


def test_console_chat_presses_buttons_by_number_and_runs_inline_queries() -> None:
    args = build_parser().parse_args(["chat", "--as-of", "2026-02-01T09:00"])
    out = io.StringIO()
    lines = (
        "/cuba\n1\n2\n/events guadalajara feb\n6\n@briefbot cuba\n1\n"
        "<b>fish & chips</b>\n/start\n42\n"
    )
    assert (
        cmd_chat(
            args,
            load_settings({"BRIEFBOT_DATA_DIR": os.environ["BRIEFBOT_DATA_DIR"]}),
            out,
            stdin=io.StringIO(lines),
        )
        == 0
    )
    text = out.getvalue()
    assert "[1] More › (2/" in text
    assert "bot (edited) ›" in text  # "More" edited the message in place
    assert "Sources" in text
    assert ".ics (" in text and "saved to" in text
    assert "inline results for “cuba”" in text
    assert "you (via @briefbot) ›" in text
    assert "“<b>fish & chips</b>”" in text  # shown as typed, never as markup
    assert "there is no button 42; the buttons are 1–7" in text
    assert text.rstrip().endswith("bye")
