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

# Webhook posts waiting to be handled, when instances share PostgreSQL: any instance takes
# a chat's oldest update once no other holds one of that chat (bot/operations/update_queue.py).
queued_updates = sa.Table(
    "queued_updates",
    metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("chat_key", sa.BigInteger, nullable=False),  # the chat (the user, inline)
    sa.Column("body", sa.Text, nullable=False),  # the update as Telegram posted it
    sa.Column("owner", sa.String(40)),  # the instance handling it, None while it waits
    sa.Column("lease_until", UTCDateTime),  # after this, any instance may take it over
    sa.Column("handled_at", UTCDateTime),  # kept a while, so a repeated post is not handled
)
sa.Index("queued_updates_by_chat", queued_updates.c.chat_key, queued_updates.c.update_id)

# Messages sent or being sent, for one flood budget across instances sharing PostgreSQL:
# a permit holds ``count`` slots of the window ``key`` until ``period`` after it finished
# (bot/store/flood_permits.py).
flood_permits = sa.Table(
    "flood_permits",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("key", sa.String(32), nullable=False),  # "all", or a chat's id
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("taken_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),  # None while its messages are on the wire
)
sa.Index("flood_permits_by_key", flood_permits.c.key, flood_permits.c.finished_at)


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


def _version_3(connection: Connection) -> None:
    """The shared update queue and flood permits, for several instances on PostgreSQL."""
    metadata.create_all(connection, tables=[queued_updates, flood_permits])
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(TAKE_PERMITS))


# One round trip per take of flood permits (bot/store/flood_permits.py): under one advisory
# lock, by the database's clock, grant each chat asked for a message while its own window
# and the overall one (less ``reserve``) have room; a permit counts from ``taken_at`` until
# a period after ``finished_at``, or until ``stale`` seconds when never finished. A reply
# (``urgent``) that finds no room leaves a "replies" row that stands until it tries again;
# while one stands, digests (not urgent) get nothing, so the next free slot is the reply's,
# whichever instance it waits on.
TAKE_PERMITS = """
CREATE OR REPLACE FUNCTION briefbot_take_permits(
    chat_keys text[], chat_limits int[], chat_periods float8[],
    overall_limit int, overall_period float8, reserve int, stale float8, urgent boolean
) RETURNS TABLE (granted int[], permit_ids bigint[], retry_in float8)
LANGUAGE plpgsql AS $$
DECLARE
    moment timestamptz;
    room int;
    used int;
    oldest timestamptz;
    got int[] := '{}';
    ids bigint[] := '{}';
    new_id bigint;
    step float8 := overall_period / greatest(overall_limit, 1);
    chat_wait float8;
    i int;
BEGIN
    PERFORM pg_advisory_xact_lock(1651663462);
    moment := clock_timestamp();
    IF NOT urgent AND EXISTS (
        SELECT 1 FROM flood_permits AS p WHERE p.key = 'replies' AND p.finished_at > moment
    ) THEN
        RETURN QUERY SELECT got, ids, step;
        RETURN;
    END IF;
    SELECT coalesce(sum(p.count), 0), min(p.finished_at) INTO used, oldest
    FROM flood_permits AS p
    WHERE p.key = 'all' AND (
        (p.finished_at IS NULL AND p.taken_at > moment - make_interval(secs => stale))
        OR p.finished_at > moment - make_interval(secs => overall_period));
    room := overall_limit - reserve - used;
    IF room <= 0 THEN
        step := greatest(step, coalesce(extract(epoch FROM
            oldest + make_interval(secs => overall_period) - moment)::float8, step));
        IF urgent THEN
            INSERT INTO flood_permits (key, count, taken_at, finished_at)
            VALUES ('replies', 0, moment, moment + make_interval(secs => 2 * step));
        END IF;
        RETURN QUERY SELECT got, ids, step;
        RETURN;
    END IF;
    FOR i IN 1 .. coalesce(array_length(chat_keys, 1), 0) LOOP
        EXIT WHEN room <= 0;
        SELECT coalesce(sum(p.count), 0), min(p.finished_at) INTO used, oldest
        FROM flood_permits AS p
        WHERE p.key = chat_keys[i] AND (
            (p.finished_at IS NULL AND p.taken_at > moment - make_interval(secs => stale))
            OR p.finished_at > moment - make_interval(secs => chat_periods[i]));
        used := used + (SELECT count(*) FROM unnest(got) AS g WHERE chat_keys[g] = chat_keys[i]);
        IF used < chat_limits[i] THEN
            got := got || i;
            room := room - 1;
        ELSE  -- when this chat's window turns: its oldest finished permit leaves it
            chat_wait := least(chat_wait, coalesce(extract(epoch FROM
                oldest + make_interval(secs => chat_periods[i]) - moment)::float8,
                chat_periods[i] / greatest(chat_limits[i], 1)));
        END IF;
    END LOOP;
    IF coalesce(array_length(got, 1), 0) = 0 THEN
        RETURN QUERY SELECT got, ids, greatest(step, coalesce(chat_wait, step));
        RETURN;
    END IF;
    INSERT INTO flood_permits (key, count, taken_at)
    VALUES ('all', array_length(got, 1), moment) RETURNING id INTO new_id;
    ids := ids || new_id;
    FOREACH i IN ARRAY got LOOP
        INSERT INTO flood_permits (key, count, taken_at)
        VALUES (chat_keys[i], 1, moment) RETURNING id INTO new_id;
        ids := ids || new_id;
    END LOOP;
    RETURN QUERY SELECT got, ids, 0::float8;
END
$$
"""


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_version_1, _version_2, _version_3)
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
