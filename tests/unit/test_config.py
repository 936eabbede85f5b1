"""Settings: defaults, the derived webhook secret, .env files, and values refused."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import httpx
import pytest

from bot.operations.config import DEFAULT_PORT, SettingsError, load_settings, process_environment
from bot.operations.logs import REDACTED, RedactingFormatter, database_password

TOKEN = "123456:AAF-secret_part-of-the-token"


def test_defaults_are_safe_for_a_laptop() -> None:
    settings = load_settings({})
    assert settings.token is None and settings.webhook_url is None
    assert (settings.listen, settings.port) == ("127.0.0.1", DEFAULT_PORT)
    assert settings.admin_ids == frozenset() and settings.log_level == "INFO"


def test_the_webhook_secret_is_derived_from_the_token_the_same_way_everywhere() -> None:
    one = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).webhook_secret
    two = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).webhook_secret
    other = load_settings({"TELEGRAM_BOT_TOKEN": "123456:another"}).webhook_secret
    assert one == two != other and one is not None and TOKEN not in one
    chosen = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": "s3cret_-X"})
    assert chosen.webhook_secret == "s3cret_-X"


def test_webhook_path_port_and_admins_are_read() -> None:
    settings = load_settings(
        {
            "WEBHOOK_URL": "https://bot.example.com:8443/hooks/briefbot",
            "BRIEFBOT_PORT": "9000",
            "BRIEFBOT_ADMIN_IDS": "12, 34 56",
            "BRIEFBOT_LOG_LEVEL": "debug",
        }
    )
    assert settings.webhook_path == "/hooks/briefbot"
    assert settings.port == 9000
    assert load_settings({"BRIEFBOT_PORT": "off"}).port is None  # polling without a server
    assert settings.admin_ids == {12, 34, 56}
    assert settings.log_level == "DEBUG"


def test_plain_http_webhooks_are_for_loopback_tests_only() -> None:
    local = load_settings(
        {
            "WEBHOOK_URL": "http://127.0.0.1:9000/telegram",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",  # a local Bot API server
        }
    )
    assert local.webhook_url == "http://127.0.0.1:9000/telegram"
    with pytest.raises(SettingsError, match=r"^WEBHOOK_URL=.*https://"):
        load_settings({"WEBHOOK_URL": "http://bot.example.com/telegram"})


def test_a_webhook_without_the_server_that_receives_it_is_refused() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"WEBHOOK_URL": "https://bot.example.com/telegram", "BRIEFBOT_PORT": "off"})
    assert str(caught.value).startswith("WEBHOOK_URL is set but BRIEFBOT_PORT=off")


@pytest.mark.parametrize("address", ["999.1.1.1", "10.0.0", "1.2.3.4.5"])
def test_an_address_that_is_no_ip_address_names_the_listen_variable(address: str) -> None:
    with pytest.raises(SettingsError, match=rf"^BRIEFBOT_LISTEN='{re.escape(address)}' is not"):
        load_settings({"BRIEFBOT_LISTEN": address})
    assert load_settings({"BRIEFBOT_LISTEN": "bot-1.internal"}).listen == "bot-1.internal"


def test_a_long_host_name_is_cut_to_fit_the_ledger_but_a_long_instance_is_refused() -> None:
    assert len(load_settings({}).instance) <= 27
    with pytest.raises(SettingsError, match=r"^BRIEFBOT_INSTANCE is longer than 27"):
        load_settings({"BRIEFBOT_INSTANCE": "x" * 28})


def test_a_database_url_error_never_shows_the_password() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"DATABASE_URL": "mysql://root:hunter2@db/x"})
    assert "hunter2" not in str(caught.value) and "DATABASE_URL" in str(caught.value)


def test_dotenv_values_fill_in_but_never_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("BRIEFBOT_PORT=9999\nBRIEFBOT_LOG_LEVEL=ERROR\n# a comment\n")
    monkeypatch.setenv("BRIEFBOT_LOG_LEVEL", "WARNING")
    merged = process_environment(dotenv)
    settings = load_settings(merged)
    assert (settings.port, settings.log_level) == (9999, "WARNING")
    assert process_environment(tmp_path / "missing.env").get("BRIEFBOT_PORT") is None


def _log_line(formatter: logging.Formatter, error: BaseException, message: str) -> str:
    record = logging.LogRecord(
        "briefbot", logging.ERROR, __file__, 1, message, (error,), (type(error), error, None)
    )
    return formatter.format(record)


async def test_a_real_network_error_with_the_token_in_its_url_is_redacted() -> None:
    formatter = RedactingFormatter([TOKEN, "webhook-secret", database_password("x")])
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.HTTPError) as caught:
            await client.post(f"http://127.0.0.1:1/bot{TOKEN}/getUpdates")  # nothing listens
    error = caught.value
    line = _log_line(formatter, error, f"request to {error.request.url} failed: %s")
    assert TOKEN not in line and "secret_part-of-the-token" not in line
    assert f"/bot{REDACTED}/getUpdates" in line
    assert "\n" not in line  # the traceback is folded into the event's one line


def test_the_token_half_alone_and_a_database_password_are_redacted_too() -> None:
    password = database_password("postgresql://briefbot:p4ss-w0rd@db/briefbot")
    assert password == "p4ss-w0rd"
    formatter = RedactingFormatter([TOKEN, password])
    line = _log_line(
        formatter,
        ValueError(TOKEN.split(":")[1]),
        "connect postgresql://briefbot:p4ss-w0rd@db: %s",
    )
    assert "p4ss-w0rd" not in line and "secret_part" not in line


def test_a_whole_log_stream_stays_one_line_per_event() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(TOKEN))  # one secret given as a plain string
    logger = logging.getLogger("briefbot.test-one-line")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError(f"boom\nat https://api.telegram.org/bot{TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("update=5 chat=7 outcome=error")
        logger.warning("second event")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "Traceback" in lines[0] and TOKEN not in stream.getvalue()
    assert lines[1].endswith("second event")  # the token string was not taken letter by letter
