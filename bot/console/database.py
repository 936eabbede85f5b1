"""Where the console keeps its subscriptions: its own database, never the bot's by accident.

The console's chat is a pretend private chat (id 1). Subscriptions made there and stored in
the database ``briefbot run`` uses would be "delivered" by the real bot to a chat that does
not exist, and counted as failures. So ``briefbot chat`` and ``briefbot ask`` keep them in
``console.sqlite3`` beside the bot's ``briefbot.sqlite3``, whatever ``DATABASE_URL`` says,
unless ``--database`` names another one. Plain code: the command line imports it without
importing telegram.
"""

from __future__ import annotations

from bot.operations.config import Settings, checked_database_url

CONSOLE_DATABASE = "console.sqlite3"  # in the data directory


def console_database_url(settings: Settings, chosen: str | None = None) -> str:
    """``chosen`` (checked like ``DATABASE_URL``), or the console's file in the data directory."""
    if chosen is not None:
        return checked_database_url("--database", chosen.strip())
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.data_dir / CONSOLE_DATABASE}"
