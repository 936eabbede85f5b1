"""Subscriptions and the delivery ledger, in SQLite by default or PostgreSQL."""

from bot.store.store import (
    ChatRecord,
    Claim,
    Delivery,
    Store,
    Subscription,
    database_url,
)

__all__ = ["ChatRecord", "Claim", "Delivery", "Store", "Subscription", "database_url"]
