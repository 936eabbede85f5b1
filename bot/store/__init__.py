"""Subscriptions and the delivery ledger, in SQLite by default or PostgreSQL; with
PostgreSQL also what several instances share (``queued_updates``, ``flood_permits``)."""

from bot.store.store import (
    QUICK_QUERY_TIMEOUT,
    ChatRecord,
    Claim,
    Delivery,
    Store,
    Subscription,
    TooManySubscriptions,
    database_url,
    describe_outage,
    is_outage,
)
from bot.store.unusable import UnusableDatabase

__all__ = [
    "QUICK_QUERY_TIMEOUT",
    "ChatRecord",
    "Claim",
    "Delivery",
    "Store",
    "Subscription",
    "TooManySubscriptions",
    "UnusableDatabase",
    "database_url",
    "describe_outage",
    "is_outage",
]
