"""Settings from the environment (and an optional ``.env`` file), read and checked once.

Every variable is read here and nowhere else, so a wrong value stops the start before
anything connects, with one line that names the variable and says what it expected
(``briefbot`` turns :class:`SettingsError` into that line and exit status 2). Values that
are secret (the token, a database password) are never repeated in those lines.
The README's Configuration table lists the same variables; a test keeps the two equal.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from sqlalchemy.engine import make_url

from bot.clock import parse_moment
from bot.numbers import read_number
from briefings.catalog import DEFAULT_CATALOG, DEFAULT_SEEDS

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_LISTEN = "127.0.0.1"  # the image sets 0.0.0.0; a laptop should not expose /metrics
DEFAULT_PORT = 8080
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram delivers webhooks to
INSTANCE_MAX = 27  # the ledger's owner column holds "instance#" and a 12-character boot id
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # Telegram's rule for secret_token
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


class SettingsError(ValueError):
    """A variable with a value the bot cannot use; the message names it and what it expects."""


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_base_url: str
    catalog_path: Path
    seeds_dir: Path
    timezone: str
    now: str | None
    data_dir: Path = Path("data")
    database_url: str | None = None
    speed: float = 1.0
    instance: str = "briefbot"
    flood_scale: float = 1.0
    admin_ids: frozenset[int] = frozenset()
    webhook_url: str | None = None
    webhook_secret: str | None = None
    listen: str = DEFAULT_LISTEN
    port: int | None = DEFAULT_PORT  # None: no HTTP server (polling without health checks)
    log_level: str = "INFO"
    documents_dir: Path | None = None  # None: "documents" in data_dir
    feed_interval: float = 900.0  # seconds between polls of a feed added without its own
    feed_timeout: float = 20.0  # seconds for one fetch, whole
    feed_max_bytes: int = 5_000_000  # a feed or page larger than this is refused

    @property
    def documents(self) -> Path:
        """The ingested documents (``briefbot ingest``, feeds): BRIEFBOT_DOCUMENTS."""
        return self.documents_dir or self.data_dir / "documents"

    @property
    def live_catalog_path(self) -> Path:
        """The catalog of the seeds and the ingested documents, rebuilt as documents come.

        The shipped catalog (``catalog_path``) stays what the seeds alone compile to.
        """
        return self.data_dir / "catalog.json"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def webhook_path(self) -> str:
        """Where the webhook is served locally: the path of ``WEBHOOK_URL``."""
        return urlsplit(self.webhook_url or "").path or "/"


class _Environment:
    """Reads one variable at a time and explains a bad value in one line."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def text(self, name: str) -> str | None:
        return self.env.get(name, "").strip() or None

    def positive(self, name: str, default: float) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 < value < float("inf"):
            raise SettingsError(f"{name}={raw!r} is not a positive number (expected e.g. 1 or 60)")
        return value

    def token(self, name: str) -> str | None:
        raw = self.text(name)
        if raw is not None and not _TOKEN.fullmatch(raw):
            raise SettingsError(  # never echo what may be most of a real token
                f"{name} does not look like a bot token (expected digits, a colon and the "
                "secret, as @BotFather gives it: 123456789:AAF...)"
            )
        return raw

    def url(self, name: str, default: str | None = None) -> str | None:
        raw = self.text(name)
        if raw is None:
            return default
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"{name}={raw!r} is not an http(s) URL")
        return raw

    def timezone(self, name: str, default: str) -> str:
        zone = self.text(name) or default
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"{name}={zone!r} is not an IANA time zone "
                "(expected something like America/Mexico_City)"
            ) from None
        return zone

    def moment(self, name: str, zone: str) -> str | None:
        raw = self.text(name)
        if raw is not None:
            try:
                parse_moment(raw, ZoneInfo(zone))
            except ValueError:
                raise SettingsError(
                    f"{name}={raw!r} is not a moment (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
                ) from None
        return raw

    def database_url(self, name: str) -> str | None:
        raw = self.text(name)
        return None if raw is None else checked_database_url(name, raw)

    def user_ids(self, name: str) -> frozenset[int]:
        raw = self.text(name) or ""
        found = set()
        for item in re.split(r"[\s,]+", raw):
            if not item:
                continue
            user_id = read_number(item)
            if not user_id:
                raise SettingsError(
                    f"{name}: {item!r} is not a Telegram user id (expected numbers such as "
                    "12345678, separated by commas)"
                )
            found.add(user_id)
        return frozenset(found)

    def port(self, name: str) -> int | None:
        raw = self.text(name)
        if raw is None:
            return DEFAULT_PORT
        if raw.lower() == "off":
            return None
        port = read_number(raw, most=65535)
        if port is None:
            raise SettingsError(
                f"{name}={raw!r} is not a port (expected 1-65535, 0 for any free port, or off)"
            )
        return port

    def host(self, name: str) -> str:
        raw = self.text(name) or DEFAULT_LISTEN
        try:
            ipaddress.ip_address(raw)
        except ValueError:
            # Digits and dots only is meant as an IPv4 address (999.1.1.1), never a host name.
            dotted = re.fullmatch(r"[0-9.]+", raw) is not None
            if dotted or not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", raw):
                raise SettingsError(
                    f"{name}={raw!r} is not an address to listen on (expected e.g. 0.0.0.0 "
                    "or 127.0.0.1)"
                ) from None
        return raw

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        raw = (self.text(name) or default).upper()
        if raw not in choices:
            raise SettingsError(f"{name}={raw!r} is not one of {', '.join(choices)}")
        return raw

    def instance(self, name: str) -> str:
        raw = self.text(name)
        if raw is None:
            return socket.gethostname()[:INSTANCE_MAX] or "briefbot"
        if len(raw) > INSTANCE_MAX:
            raise SettingsError(f"{name} is longer than {INSTANCE_MAX} characters")
        return raw


def checked_database_url(name: str, raw: str) -> str:
    """``raw`` if it is a database URL the store can open; ``name`` is what the line names."""
    scheme = raw.partition(":")[0].partition("+")[0].lower()
    if scheme not in ("sqlite", "postgresql", "postgres") or "://" not in raw:
        shown = scheme or raw[:12]  # the rest may hold a password
        raise SettingsError(
            f"{name} starts with {shown!r}: expected postgresql://user:password@host/db "
            "or sqlite:///path/to/file.sqlite3"
        )
    try:  # read now, or a bad port fails at the first connection, long after the start
        port = urlsplit(raw).port
        make_url(raw)
    except ValueError:
        port = -1
    if port is not None and not 0 < port <= 65535:
        raise SettingsError(  # the URL itself is never shown: it may hold a password
            f"{name} has a port that is not a number from 1 to 65535 (expected "
            "postgresql://user:password@host:5432/db)"
        )
    return raw


def _webhook_url(read: _Environment, api_base_url: str) -> str | None:
    url = read.url("WEBHOOK_URL")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in _LOOPBACK:
        raise SettingsError(
            f"WEBHOOK_URL={url!r} must start with https:// (Telegram delivers only over HTTPS)"
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if api_base_url == DEFAULT_API_BASE_URL and port not in WEBHOOK_PORTS:
        raise SettingsError(
            f"WEBHOOK_URL={url!r} uses port {port}; Telegram delivers webhooks only to "
            "ports 443, 80, 88 or 8443"
        )
    return url


def _receiver(webhook_url: str | None, port: int | None) -> int | None:
    """The port, checked against the webhook: Telegram posts to the HTTP server, so with
    ``BRIEFBOT_PORT=off`` a webhook would be registered and nothing would ever arrive."""
    if webhook_url is not None and port is None:
        raise SettingsError(
            "WEBHOOK_URL is set but BRIEFBOT_PORT=off: the webhook is served on "
            "BRIEFBOT_PORT (set a port, e.g. 8080, or unset WEBHOOK_URL for long polling)"
        )
    return port


def _webhook_secret(read: _Environment, token: str | None) -> str | None:
    raw = read.text("WEBHOOK_SECRET")
    if raw is not None:
        if not _SECRET.fullmatch(raw):
            raise SettingsError(
                "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
                "(Telegram's rule for secret tokens)"
            )
        return raw
    if token is None:
        return None
    # Derived from the token, so every instance of one bot agrees without configuration,
    # and nobody without the token can guess it.
    return hashlib.sha256(f"briefbot-webhook:{token}".encode()).hexdigest()


def _default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
    return Path(base) / "briefbot"


def process_environment(dotenv: Path | None = None) -> dict[str, str]:
    """``os.environ`` over the ``.env`` file in the working directory, if there is one.

    The real environment wins, so a deployment can override a checked-out ``.env``.
    """
    path = dotenv or Path.cwd() / ".env"
    from_file = dotenv_values(path) if path.is_file() else {}
    merged = {name: value for name, value in from_file.items() if value is not None}
    merged.update(os.environ)
    return merged


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = process_environment() if environ is None else environ
    read = _Environment(env)
    timezone = read.timezone("BRIEFBOT_TIMEZONE", "America/Mexico_City")
    token = read.token("TELEGRAM_BOT_TOKEN")
    api_base_url = read.url("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL) or ""
    webhook_url = _webhook_url(read, api_base_url)
    return Settings(
        token=token,
        api_base_url=api_base_url,
        catalog_path=Path(read.text("BRIEFBOT_CATALOG") or DEFAULT_CATALOG),
        seeds_dir=Path(read.text("BRIEFBOT_SEEDS") or DEFAULT_SEEDS),
        timezone=timezone,
        now=read.moment("BRIEFBOT_NOW", timezone),
        data_dir=Path(read.text("BRIEFBOT_DATA_DIR") or _default_data_dir(env)),
        database_url=read.database_url("DATABASE_URL"),
        speed=read.positive("BRIEFBOT_SPEED", 1.0),
        instance=read.instance("BRIEFBOT_INSTANCE"),
        flood_scale=read.positive("BRIEFBOT_FLOOD_SCALE", 1.0),
        admin_ids=read.user_ids("BRIEFBOT_ADMIN_IDS"),
        webhook_url=webhook_url,
        webhook_secret=_webhook_secret(read, token),
        listen=read.host("BRIEFBOT_LISTEN"),
        port=_receiver(webhook_url, read.port("BRIEFBOT_PORT")),
        log_level=read.choice("BRIEFBOT_LOG_LEVEL", LOG_LEVELS, "INFO"),
        documents_dir=Path(documents) if (documents := read.text("BRIEFBOT_DOCUMENTS")) else None,
        feed_interval=read.positive("BRIEFBOT_FEED_INTERVAL", 900.0),
        feed_timeout=read.positive("BRIEFBOT_FEED_TIMEOUT", 20.0),
        feed_max_bytes=int(read.positive("BRIEFBOT_FEED_MAX_BYTES", 5_000_000)),
    )
