"""Chats, subscriptions and the delivery ledger, over SQLAlchemy's async engine.

The store is the source of truth: scheduled jobs are rebuilt from it at start, and the
ledger's unique key on (subscription, period) is what makes a digest go out once even when
two instances share the database or one restarts in the middle of a fan-out.

Claiming works like a lease. :meth:`Store.claim_many` inserts rows in state ``claimed``; the
sender marks it ``sent`` after Telegram accepted the message. A claim left ``claimed`` for
longer than the lease (the process died between sending and marking) can be taken over by
any instance, which sends again: at most one duplicate in that window, never a lost digest.
A transient failure marks the row ``retry`` so it can be claimed again at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]  # no stubs; only its error classes
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.schema import chats, deliveries, subscriptions, upgrade
from bot.store.unusable import UnusableDatabase, check_before_opening, unusable_reason

_R = TypeVar("_R", "ChatRecord", "Subscription")


class TooManySubscriptions(Exception):
    """The chat already holds as many subscriptions as it may (:meth:`Store.subscribe`)."""

    def __init__(self, chat_id: int, most: int) -> None:
        super().__init__(f"chat {chat_id} already has {most} subscriptions")
        self.most = most


@dataclass(frozen=True)
class ChatRecord:
    id: int
    type: str
    title: str | None
    timezone: str | None
    language: str
    quiet_start: str | None
    quiet_end: str | None
    active: bool
    inactive_reason: str | None


@dataclass(frozen=True)
class Subscription:
    id: int
    chat_id: int
    what: str
    cadence: str
    cadence_day: int
    at: str  # "HH:MM", local to the chat's zone
    paused: bool
    created_by: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Delivery:
    subscription_id: int
    period: str
    state: str
    attempts: int
    claimed_at: dt.datetime
    sent_at: dt.datetime | None
    message_ids: tuple[int, ...]
    last_error: str | None
    catalog_version: str | None
    content_keys: frozenset[str]


@dataclass(frozen=True)
class Claim:
    """A ledger row this instance holds: send the digest, then mark it."""

    subscription_id: int
    period: str
    owner: str
    attempts: int


@contextlib.asynccontextmanager
async def autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection whose every statement is a transaction of its own: one round trip
    instead of three (BEGIN, the statement, COMMIT), for the statements instances make
    many times a second (bot/store/flood_permits.py, bot/store/queued_updates.py)."""
    async with engine.connect() as connection:
        yield await connection.execution_options(isolation_level="AUTOCOMMIT")


def database_url(url: str | None, data_dir: Path) -> str:
    """DATABASE_URL as SQLAlchemy's async URL; by default a SQLite file in the data directory."""
    if not url:
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{data_dir / 'briefbot.sqlite3'}"
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _on_sqlite_connect(connection: Any, record: Any) -> None:
    """WAL lets readers run beside the one writer; a busy timeout waits instead of failing."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={round(SQLITE_BUSY_TIMEOUT * 1000)}")
    cursor.close()


def _record(cls: type[_R], row: Any, table: sa.Table) -> _R:
    """A record from a row, read by the table's own columns (a joined row has two ``id``)."""
    values = row._mapping
    return cls(**{field.name: values[table.c[field.name]] for field in fields(cls)})


def _chat(row: Any) -> ChatRecord:
    return _record(ChatRecord, row, chats)


def _subscription(row: Any) -> Subscription:
    return _record(Subscription, row, subscriptions)


def _last_sent(subscription_ids: Sequence[int]) -> sa.Select[Any]:
    """The newest sent ledger row of each subscription: what its next digest compares with."""
    row = deliveries.c
    earlier = deliveries.alias("earlier")
    newest = (
        sa.select(sa.func.max(earlier.c.sent_at))
        .where(earlier.c.subscription_id == row.subscription_id, earlier.c.state == "sent")
        .scalar_subquery()
    )
    return deliveries.select().where(
        row.subscription_id.in_(list(subscription_ids)),
        row.state == "sent",
        row.sent_at == newest,
    )


def _settle_from_values(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> sa.Update:
    """Many outcomes as one ``UPDATE … FROM (VALUES …) RETURNING``, for PostgreSQL.

    asyncpg runs an executemany without saying how many rows it changed, and a claim lost
    to a takeover must not count as settled; the rows this statement returns are exact.
    """
    row = deliveries.c
    keys = {"k_subscription": row.subscription_id, "k_period": row.period, "k_owner": row.owner}
    typed = {
        **{key: column.type for key, column in keys.items()},
        **{c: row[c].type for c in columns},
    }
    given = sa.values(*(sa.column(name, kind) for name, kind in typed.items()), name="given")
    given = given.data(  # bound, not literal, so that a NULL keeps its column's type
        [tuple(sa.bindparam(None, p[name], kind) for name, kind in typed.items()) for p in rows]
    )
    return (
        deliveries.update()
        .where(*(column == given.c[key] for key, column in keys.items()), row.state == "claimed")
        .values({name: given.c[name] for name in columns})
        .returning(row.id)
    )


def delivery_from_row(row: Any) -> Delivery:
    ids = tuple(int(part) for part in (row.message_ids or "").split(",") if part)
    keys = frozenset(json.loads(row.content_keys)) if row.content_keys else frozenset()
    return Delivery(
        row.subscription_id,
        row.period,
        row.state,
        row.attempts,
        row.claimed_at,
        row.sent_at,
        ids,
        row.last_error,
        row.catalog_version,
        keys,
    )


def sent_values(
    chat_id: int,
    message_ids: Sequence[int],
    catalog_version: str,
    content_keys: Iterable[str],
    now: dt.datetime,
) -> dict[str, Any]:
    """The ledger columns of a digest Telegram accepted."""
    return {
        "state": "sent",
        "sent_at": now,
        "chat_id": chat_id,
        "message_ids": ",".join(str(i) for i in message_ids),
        "catalog_version": catalog_version,
        "content_keys": json.dumps(sorted(content_keys)),
        "last_error": None,
    }


def failed_values(error: str, *, retry: bool) -> dict[str, Any]:
    return {"state": "retry" if retry else "failed", "last_error": error[:256]}


CONNECT_TIMEOUT = 5  # seconds, for a PostgreSQL connection to open
# Connections kept open to PostgreSQL. Beside the ledger, instances sharing it take flood
# permits, queue webhook updates and mark them handled, several at once; SQLAlchemy's
# default of 5 made the rest open a connection of their own each time (a server process
# forked, then closed again), and a webhook post waited for it. Ten more may open at a peak.
POSTGRES_POOL = 12
# How long a PostgreSQL statement may run. A server that stops answering without closing
# its connections (a network partition, a frozen host) would otherwise hold a person's
# /subscribe, and the update slot it runs in, until TCP gives up many minutes later.
STATEMENT_TIMEOUT = 5.0
# Health checks, scrapes and /stats must answer even while the database hangs.
QUICK_QUERY_TIMEOUT = 2.0
# How long a write to SQLite waits for another process's lock on the file before it fails.
# This process has one connection, so only someone else (a backup, a VACUUM, an operator's
# sqlite3 shell) can hold it; a person asking meanwhile is told to try again after this
# long, a digest is retried (cancelling the wait does not end it: SQLite must give up).
SQLITE_BUSY_TIMEOUT = 5.0

# What a database that is away for now raises: refused or dropped connections, a server
# shutting down or starting up, a locked SQLite file, no pooled connection in time.
_OUTAGES: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    sa.exc.OperationalError,
    sa.exc.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


def _causes(error: BaseException) -> list[BaseException]:
    """The error and what it wraps (SQLAlchemy's ``orig``, then ``__cause__``), outermost first."""
    chain: list[BaseException] = []
    found: BaseException | None = error
    while found is not None and found not in chain and len(chain) < 8:
        chain.append(found)
        wrapped = getattr(found, "orig", None)
        found = wrapped if isinstance(wrapped, BaseException) else found.__cause__
    return chain


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database is away for now (down, restarting, locked) rather
    than that the code is wrong: worth waiting for and trying again."""
    return any(
        isinstance(cause, _OUTAGES) or getattr(cause, "connection_invalidated", False)
        for cause in _causes(error)
    )


def describe_outage(error: BaseException) -> str:
    """One short line for the log: the innermost error's type and first line (SQLAlchemy's
    own text would add the statement and its parameters)."""
    cause = _causes(error)[-1]
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    first = first.split(" (Background on this error at:", 1)[0]  # SQLAlchemy's link
    return f"{type(cause).__name__}: {first[:200]}" if first else type(cause).__name__


class Store:
    """One engine; every method is one short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @classmethod
    async def open(cls, url: str) -> Store:
        """Connect, creating the SQLite file on first start, and bring the schema up to date.

        Raises :class:`UnusableDatabase` when trying again cannot help (no such database,
        host name or folder, credentials refused); any other error may pass.

        SQLite takes one writer at a time and makes the others sleep and retry, which under
        a fan-out costs more than waiting in line; so this process uses one connection to it,
        and its statements queue in the pool instead, for at most ``SQLITE_BUSY_TIMEOUT``:
        while another process holds the file locked, a statement stuck on the lock would
        otherwise make everyone behind it wait their turn to be stuck (ten people asking at
        once, fifty seconds). PostgreSQL gets a real pool, whose
        connections are checked before use (a restarted server leaves dead ones behind) and
        opened with a timeout, so an unreachable server is an error, not a minute's hang.
        """
        sqlite_url = url.startswith("sqlite")
        options: dict[str, Any] = (
            {"pool_size": 1, "max_overflow": 0, "pool_timeout": SQLITE_BUSY_TIMEOUT}
            if sqlite_url
            else {
                "pool_pre_ping": True,
                "pool_size": POSTGRES_POOL,
                "connect_args": {"timeout": CONNECT_TIMEOUT, "command_timeout": STATEMENT_TIMEOUT},
            }
        )
        check_before_opening(sa.make_url(url))
        engine = create_async_engine(url, **options)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(upgrade)
        except BaseException as error:
            await engine.dispose()
            reason = unusable_reason(_causes(error), engine.url)
            if reason is not None:
                raise UnusableDatabase(reason) from None
            raise
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    # --- chats ------------------------------------------------------------------------------

    async def remember_chat(
        self, chat_id: int, kind: str, title: str | None, language: str, now: dt.datetime
    ) -> ChatRecord:
        """Insert the chat or refresh its type and title; its settings are left alone."""
        insert = self._insert(chats).values(
            id=chat_id, type=kind, title=title, language=language, created_at=now
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[chats.c.id], set_={"type": kind, "title": title}
        )
        async with self.engine.begin() as connection:
            await connection.execute(upsert)
            row = (await connection.execute(chats.select().where(chats.c.id == chat_id))).one()
        return _chat(row)

    async def chat(self, chat_id: int) -> ChatRecord | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(chats.select().where(chats.c.id == chat_id))
            ).one_or_none()
        return None if row is None else _chat(row)

    async def _update_chat(self, chat_id: int, **values: Any) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                chats.update().where(chats.c.id == chat_id).values(**values)
            )
        return bool(result.rowcount)

    async def set_timezone(self, chat_id: int, zone: str) -> bool:
        return await self._update_chat(chat_id, timezone=zone)

    async def set_quiet_hours(self, chat_id: int, start: str | None, end: str | None) -> bool:
        return await self._update_chat(chat_id, quiet_start=start, quiet_end=end)

    async def set_active(self, chat_id: int, active: bool, reason: str | None = None) -> bool:
        """An inactive chat (bot blocked, kicked, removed) gets no digests until it is back."""
        return await self._update_chat(
            chat_id, active=active, inactive_reason=None if active else reason
        )

    async def migrate_chat(self, old_id: int, new_id: int) -> bool:
        """A group became a supergroup: its settings and subscriptions move to the new id."""
        async with self.engine.begin() as connection:
            old = (
                await connection.execute(chats.select().where(chats.c.id == old_id))
            ).one_or_none()
            if old is None:
                return False
            exists = (
                await connection.execute(sa.select(chats.c.id).where(chats.c.id == new_id))
            ).scalar()
            if exists is None:
                values = dict(old._mapping) | {"id": new_id, "type": "supergroup"}
                await connection.execute(chats.insert().values(**values))
            await connection.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == old_id)
                .values(chat_id=new_id)
            )
            await connection.execute(chats.delete().where(chats.c.id == old_id))
        return True

    # --- subscriptions ---------------------------------------------------------------------

    async def subscribe(
        self,
        chat_id: int,
        what: str,
        cadence: str,
        cadence_day: int,
        at: str,
        created_by: int | None,
        now: dt.datetime,
        *,
        most: int | None = None,
    ) -> tuple[Subscription, bool]:
        """Add a subscription, or change the schedule of the same one; (it, whether new).

        With ``most``, a new one is added only while the chat holds fewer than that, else
        :class:`TooManySubscriptions` (changing an existing one always works). The count and
        the insert are one statement, so SQLite (one writer at a time) never goes past it;
        on PostgreSQL two inserts for one chat at the very same moment may each see the
        other's row missing, one over per concurrent writer. One instance handles a chat's
        updates one at a time, so that takes two instances or two admins of a channel.
        """
        schedule = {"cadence": cadence, "cadence_day": cadence_day, "at": at, "paused": False}
        async with self.engine.begin() as connection:
            found = (
                await connection.execute(
                    subscriptions.select().where(
                        subscriptions.c.chat_id == chat_id, subscriptions.c.what == what
                    )
                )
            ).one_or_none()
            if found is None:
                new = {
                    "chat_id": chat_id,
                    "what": what,
                    "created_by": created_by,
                    "created_at": now,
                    **schedule,
                }
                held = (
                    sa.select(sa.func.count())
                    .select_from(subscriptions)
                    .where(subscriptions.c.chat_id == chat_id)
                    .scalar_subquery()
                )
                values = sa.select(
                    *(sa.literal(v, subscriptions.c[k].type).label(k) for k, v in new.items())
                ).where(sa.true() if most is None else held < most)
                added = await connection.execute(
                    subscriptions.insert().from_select(list(new), values)
                )
                if added.rowcount == 0:
                    raise TooManySubscriptions(chat_id, most or 0)
            else:
                await connection.execute(
                    subscriptions.update().where(subscriptions.c.id == found.id).values(**schedule)
                )
            row = (
                await connection.execute(
                    subscriptions.select().where(
                        subscriptions.c.chat_id == chat_id, subscriptions.c.what == what
                    )
                )
            ).one()
        return _subscription(row), found is None

    async def subscription(self, subscription_id: int) -> Subscription | None:
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    subscriptions.select().where(subscriptions.c.id == subscription_id)
                )
            ).one_or_none()
        return None if row is None else _subscription(row)

    async def delivery_contexts(
        self, subscription_ids: Sequence[int]
    ) -> dict[int, tuple[Subscription, ChatRecord, Delivery | None]]:
        """For each subscription: it, its chat and its last sent digest, in two queries."""
        if not subscription_ids:
            return {}
        ids = list(dict.fromkeys(subscription_ids))
        async with self.engine.connect() as connection:
            found = (
                await connection.execute(
                    sa.select(subscriptions, chats)
                    .join(chats, chats.c.id == subscriptions.c.chat_id)
                    .where(subscriptions.c.id.in_(ids))
                )
            ).all()
            last = {
                r.subscription_id: delivery_from_row(r)
                for r in await connection.execute(_last_sent(ids))
            }
        contexts = {}
        for found_row in found:
            subscription = _subscription(found_row)
            contexts[subscription.id] = (
                subscription,
                _chat(found_row),
                last.get(subscription.id),
            )
        return contexts

    async def subscriptions_of(self, chat_ids: Iterable[int]) -> list[Subscription]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                subscriptions.select()
                .where(subscriptions.c.chat_id.in_(list(chat_ids)))
                .order_by(subscriptions.c.id)
            )
        return [_subscription(row) for row in rows]

    async def chats_subscribed_by(self, user_id: int) -> list[ChatRecord]:
        """Channels (and other chats) whose subscriptions this person made from a private chat."""
        query = (
            chats.select()
            .where(
                chats.c.id.in_(
                    sa.select(subscriptions.c.chat_id).where(
                        subscriptions.c.created_by == user_id, subscriptions.c.chat_id != user_id
                    )
                ),
                chats.c.type == "channel",
            )
            .order_by(chats.c.id)
        )
        async with self.engine.connect() as connection:
            return [_chat(row) for row in await connection.execute(query)]

    async def set_paused(self, subscription_id: int, paused: bool) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                subscriptions.update()
                .where(subscriptions.c.id == subscription_id)
                .values(paused=paused)
            )
        return bool(result.rowcount)

    async def remove(self, subscription_ids: Sequence[int]) -> int:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                subscriptions.delete().where(subscriptions.c.id.in_(list(subscription_ids)))
            )
        return int(result.rowcount)

    async def schedulable(
        self, chat_id: int | None = None
    ) -> list[tuple[Subscription, ChatRecord]]:
        """Every subscription that should have a job (of one chat, if given): not paused,
        in an active chat."""
        query = (
            sa.select(subscriptions, chats)
            .join(chats, chats.c.id == subscriptions.c.chat_id)
            .where(subscriptions.c.paused == sa.false(), chats.c.active == sa.true())
            .order_by(subscriptions.c.id)
        )
        if chat_id is not None:
            query = query.where(chats.c.id == chat_id)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [(_subscription(row), _chat(row)) for row in rows]

    # --- the delivery ledger ---------------------------------------------------------------

    async def claim_many(
        self,
        keys: Sequence[tuple[int, str]],
        owner: str,
        now: dt.datetime,
        lease: dt.timedelta,
    ) -> list[Claim]:
        """Take the (subscription, period) rows nobody else holds, in one transaction.

        Race-free with other instances: a new row is an insert that relies on the unique
        key, and the takeover of a ``retry`` row or of an expired claim is an UPDATE of the
        rows that still qualify. ``owner`` is ``instance#boot``: a claim left by an earlier
        boot of the same instance is abandoned for sure (that process is gone), so it is
        taken at once.

        On PostgreSQL two instances claiming overlapping batches must neither wait for each
        other in a cycle (a deadlock costs a second and an error) nor both win a row. So the
        inserts go in one sorted order, which every instance shares, and the takeover locks
        its rows with ``FOR UPDATE SKIP LOCKED``: a row another transaction holds is being
        taken or settled by it right now, and is left to it (a ``retry`` row skipped that way
        comes back with the next sweep). Locking re-reads a row changed since the statement
        began, so a row just taken over no longer qualifies. SQLite has one writer at a time
        and needs neither.
        """
        if not keys:
            return []
        row = deliveries.c
        instance = owner.split("#", 1)[0] + "#"
        ordered = sorted(dict.fromkeys(keys))
        insert = (
            self._insert(deliveries)
            .on_conflict_do_nothing(index_elements=["subscription_id", "period"])
            .returning(row.subscription_id, row.period)
        )
        new_rows = [
            {
                "subscription_id": subscription_id,
                "period": period,
                "state": "claimed",
                "owner": owner,
                "attempts": 1,
                "claimed_at": now,
            }
            for subscription_id, period in ordered
        ]
        claims: list[Claim] = []
        async with self.engine.begin() as connection:
            # Many rows, one statement: SQLAlchemy batches them ("insertmanyvalues").
            found = await connection.execute(insert, new_rows)
            inserted = {(r.subscription_id, r.period) for r in found}
            claims.extend(Claim(s, p, owner, 1) for s, p in ordered if (s, p) in inserted)
            rest = [key for key in ordered if key not in inserted]
            if rest:
                abandoned = (
                    sa.select(row.id)
                    .where(
                        sa.tuple_(row.subscription_id, row.period).in_(rest),
                        sa.or_(
                            row.state == "retry",
                            sa.and_(row.state == "claimed", row.claimed_at < now - lease),
                            sa.and_(
                                row.state == "claimed",
                                row.owner.startswith(instance, autoescape=True),
                                row.owner != owner,
                            ),
                        ),
                    )
                    .with_for_update(skip_locked=True)  # nothing on SQLite
                )
                takeover = (
                    deliveries.update()
                    .where(row.id.in_(abandoned))
                    .values(
                        state="claimed", owner=owner, claimed_at=now, attempts=row.attempts + 1
                    )
                    .returning(row.subscription_id, row.period, row.attempts)
                )
                for taken in await connection.execute(takeover):
                    claims.append(
                        Claim(taken.subscription_id, taken.period, owner, taken.attempts)
                    )
        return claims

    async def settle_many(self, outcomes: Sequence[tuple[Claim, dict[str, Any]]]) -> int:
        """Record many outcomes in one transaction; a claim lost to a takeover is skipped."""
        if not outcomes:
            return 0
        row = deliveries.c
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for claim, values in outcomes:
            parameters = {
                "k_subscription": claim.subscription_id,
                "k_period": claim.period,
                "k_owner": claim.owner,
                **values,
            }
            by_columns.setdefault(tuple(sorted(values)), []).append(parameters)
        settled = 0
        async with self.engine.begin() as connection:
            for columns, rows in by_columns.items():
                if self.engine.dialect.name == "postgresql":
                    found = await connection.execute(_settle_from_values(columns, rows))
                    settled += len(found.all())
                    continue
                statement = (
                    deliveries.update()
                    .where(
                        row.subscription_id == sa.bindparam("k_subscription"),
                        row.period == sa.bindparam("k_period"),
                        row.owner == sa.bindparam("k_owner"),
                        row.state == "claimed",
                    )
                    .values({name: sa.bindparam(name) for name in columns})
                )
                result = await connection.execute(statement, rows)
                settled += max(int(result.rowcount), 0)
        return settled

    async def last_sent(self, subscription_id: int) -> Delivery | None:
        """The subscriber's previous digest, to say what changed since."""
        async with self.engine.connect() as connection:
            found = (await connection.execute(_last_sent([subscription_id]))).first()
        return None if found is None else delivery_from_row(found)

    async def settled(self, keys: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
        """Which (subscription, period) pairs are done: sent, or failed for good."""
        row = deliveries.c
        found: set[tuple[int, str]] = set()
        async with self.engine.connect() as connection:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                rows = await connection.execute(
                    sa.select(row.subscription_id, row.period).where(
                        sa.tuple_(row.subscription_id, row.period).in_(chunk),
                        row.state.in_(["sent", "failed"]),
                    )
                )
                found.update((r.subscription_id, r.period) for r in rows)
        return found

    async def unfinished(self) -> list[tuple[int, str]]:
        """(subscription, period) rows claimed or waiting for a retry: the sweep's work."""
        row = deliveries.c
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(row.subscription_id, row.period).where(
                    row.state.in_(["claimed", "retry"])
                )
            )
            return [(found.subscription_id, found.period) for found in rows]

    # --- health and metrics ----------------------------------------------------------------

    async def ping(self) -> None:
        """One round trip; raises what the driver raises when the database is unreachable."""
        async with self.engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    async def subscribers_by_chat_type(self) -> dict[str, int]:
        """Active chats with at least one running subscription, by type ("private", …).

        A chat counts once however many subscriptions it has; types with none are left out.
        """
        query = (
            sa.select(chats.c.type, sa.func.count(sa.distinct(chats.c.id)))
            .select_from(chats.join(subscriptions, subscriptions.c.chat_id == chats.c.id))
            .where(chats.c.active == sa.true(), subscriptions.c.paused == sa.false())
            .group_by(chats.c.type)
        )
        async with self.engine.connect() as connection:
            rows = await connection.execute(query)
            return {kind: int(count) for kind, count in rows}

    async def digest_counts_since(self, since: dt.datetime) -> dict[str, int]:
        """Digests sent (by ``sent_at``) and failed for good (by ``claimed_at``) since then."""
        row = deliveries.c
        query = sa.select(
            sa.func.count().filter(row.state == "sent", row.sent_at >= since),
            sa.func.count().filter(row.state == "failed", row.claimed_at >= since),
        ).where(row.state.in_(["sent", "failed"]))
        async with self.engine.connect() as connection:
            sent, failed = (await connection.execute(query)).one()
        return {"sent": int(sent), "failed": int(failed)}
