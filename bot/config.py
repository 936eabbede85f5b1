"""Settings from the environment, read once at start (see the table in README.md)."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefings.catalog import DEFAULT_CATALOG, DEFAULT_SEEDS

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
    return Path(base) / "briefbot"


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name}={raw!r} is not a positive number (expected e.g. 1 or 60)")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    timezone = env.get("BRIEFBOT_TIMEZONE", "America/Mexico_City").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"BRIEFBOT_TIMEZONE={timezone!r} is not an IANA time zone "
            "(expected something like America/Mexico_City)"
        ) from None
    return Settings(
        token=env.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
        api_base_url=env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL,
        catalog_path=Path(env.get("BRIEFBOT_CATALOG", "").strip() or DEFAULT_CATALOG),
        seeds_dir=Path(env.get("BRIEFBOT_SEEDS", "").strip() or DEFAULT_SEEDS),
        timezone=timezone,
        now=env.get("BRIEFBOT_NOW", "").strip() or None,
        data_dir=Path(env.get("BRIEFBOT_DATA_DIR", "").strip() or _default_data_dir(env)),
        database_url=env.get("DATABASE_URL", "").strip() or None,
        speed=_positive(env, "BRIEFBOT_SPEED", 1.0),
        instance=env.get("BRIEFBOT_INSTANCE", "").strip() or socket.gethostname(),
        flood_scale=_positive(env, "BRIEFBOT_FLOOD_SCALE", 1.0),
    )
