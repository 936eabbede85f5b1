"""The database's tables, and the ordered steps that bring an older database up to date.

Plain SQLAlchemy Core, so the same tables serve SQLite (the default) and PostgreSQL. Each
schema change is a new function appended to ``MIGRATIONS``; the version reached is kept in
``schema_version`` and :func:`upgrade` runs the missing steps in one transaction at start.
With a handful of tables and one writer of migrations, this list does what Alembic would,
without its script tree; switch to Alembic when migrations need branching or downgrades.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

metadata = sa.MetaData()


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive text) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the store keeps aware datetimes only")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment: dt.datetime = value
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

chats = sa.Table(
    "chats",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),  # Telegram's id
    sa.Column("type", sa.String(16), nullable=False),  # private, group, supergroup, channel
    sa.Column("title", sa.String(256)),
    sa.Column("timezone", sa.String(64)),  # IANA; None: the bot's default zone
    sa.Column("language", sa.String(8), nullable=False, server_default="en"),
    sa.Column("quiet_start", sa.String(5)),  # "22:00"
    sa.Column("quiet_end", sa.String(5)),  # "07:00"
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("inactive_reason", sa.String(64)),  # "blocked", "kicked", "left"
    sa.Column("created_at", UTCDateTime, nullable=False),
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("what", sa.String(64), nullable=False),  # "cuba" or "events:guadalajara~~"
    sa.Column("cadence", sa.String(8), nullable=False),  # daily, weekly, monthly
    sa.Column("cadence_day", sa.Integer, nullable=False, server_default="0"),
    sa.Column("at", sa.String(5), nullable=False),  # local wall time "07:30"
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_by", sa.BigInteger),  # the person who subscribed (channel admins)
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("chat_id", "what", name="one_subscription_per_thing"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subscription_id", sa.Integer, nullable=False),
    sa.Column("period", sa.String(16), nullable=False),  # "2026-02-01", "2026-W05", "2026-02"
    sa.Column("state", sa.String(12), nullable=False),  # claimed, sent, retry, failed
    sa.Column("owner", sa.String(40), nullable=False),  # the instance that claimed it
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claimed_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("chat_id", sa.BigInteger),  # where it went (after a migration, the new id)
    sa.Column("message_ids", sa.String(256)),  # "17,18"
    sa.Column("last_error", sa.String(256)),
    sa.Column("catalog_version", sa.String(16)),
    sa.Column("content_keys", sa.Text),  # what the digest held, for "what changed" next time
    sa.UniqueConstraint("subscription_id", "period", name="one_delivery_per_period"),
)
sa.Index("deliveries_by_state", deliveries.c.state, deliveries.c.claimed_at)


# The feeds the bot polls, with what a conditional GET needs, the failure streak (reported
# once, retried with backoff) and a lease: the instance holding it polls the feed, so
# several instances on one PostgreSQL poll each feed once.
feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.String(2048), nullable=False, unique=True),
    sa.Column("interval", sa.Integer, nullable=False),  # seconds between polls
    sa.Column("added_by", sa.BigInteger),
    sa.Column("added_at", UTCDateTime, nullable=False),
    sa.Column("etag", sa.String(256)),
    sa.Column("last_modified", sa.String(64)),
    sa.Column("next_poll_at", UTCDateTime, nullable=False),
    sa.Column("last_ok_at", UTCDateTime),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failing_since", UTCDateTime),
    sa.Column("last_error", sa.String(256)),
    sa.Column("documents", sa.Integer, nullable=False, server_default="0"),
    sa.Column("lease_owner", sa.String(40)),
    sa.Column("lease_until", UTCDateTime),
)


# The documents feeds brought, shared by the instances on one database: each instance
# keeps its own documents folder and catalog, and copies in what the others fetched.
shared_documents = sa.Table(
    "documents",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)


def _version_1(connection: Connection) -> None:
    """Chats, subscriptions and the delivery ledger."""
    metadata.create_all(connection, tables=[chats, subscriptions, deliveries])


def _version_2(connection: Connection) -> None:
    """Feeds polled on a schedule, and the documents they brought."""
    metadata.create_all(connection, tables=[feeds, shared_documents])


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_version_1, _version_2)
CURRENT_VERSION = len(MIGRATIONS)


def upgrade(connection: Connection) -> int:
    """Run the steps this database has not had yet; returns the version it is now at."""
    schema_version.create(connection, checkfirst=True)
    found = connection.execute(sa.select(schema_version.c.version)).scalar()
    if found is None:
        connection.execute(schema_version.insert().values(version=0))
        found = 0
    if found > CURRENT_VERSION:
        raise RuntimeError(
            f"the database is at schema version {found}, newer than this briefbot "
            f"({CURRENT_VERSION}); upgrade briefbot or point DATABASE_URL elsewhere"
        )
    for step in MIGRATIONS[found:]:
        step(connection)
    connection.execute(schema_version.update().values(version=CURRENT_VERSION))
    return CURRENT_VERSION
