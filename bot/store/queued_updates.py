"""Webhook updates queued in PostgreSQL, taken by any instance one chat at a time, in order.

Telegram posts a bot's updates to whichever instance the proxy picks, and the next post of
the same chat may reach another instance before the first is handled. So with PostgreSQL
the webhook only stores the update (:meth:`QueuedUpdates.add`, which also makes a repeated
post a no-op) and answers 200; every instance takes updates with :meth:`QueuedUpdates.take`:
of each chat only the oldest update not yet handled, and only while nobody holds it. An
update is held under a lease: an instance that dies while handling it leaves it to be
taken over once the lease ran out (and handled again: at most one update per chat per
death). Handled rows are kept for ``KEPT_HANDLED``, so a post Telegram repeats is
recognized, then deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.schema import queued_updates
from bot.store.store import autocommit

KEPT_HANDLED = dt.timedelta(minutes=10)  # Telegram repeats a post within seconds, not this
NO_CHAT = 1 << 62  # chat keys of updates with neither chat nor user: each its own "chat"

# Of each chat, its oldest update not yet handled; taken when nobody holds it (or its
# holder's lease ran out). ``FOR UPDATE … SKIP LOCKED`` leaves a row another instance is
# taking right now; the lease test is on the locked row itself, so PostgreSQL checks it
# again on the row's newest version and a row just taken by another is not taken twice.
_TAKE = sa.text(
    """
    WITH heads AS (
        SELECT DISTINCT ON (chat_key) update_id
        FROM queued_updates
        WHERE handled_at IS NULL
        ORDER BY chat_key, update_id
    ), free AS (
        SELECT queued.update_id
        FROM queued_updates AS queued JOIN heads USING (update_id)
        WHERE queued.handled_at IS NULL
          AND (queued.lease_until IS NULL OR queued.lease_until < clock_timestamp())
        ORDER BY queued.update_id
        LIMIT :most
        FOR UPDATE OF queued SKIP LOCKED
    )
    UPDATE queued_updates AS taken
    SET owner = :owner, lease_until = clock_timestamp() + make_interval(secs => :lease)
    FROM free
    WHERE taken.update_id = free.update_id
    RETURNING taken.update_id, taken.body
    """
)


def chat_key(chat_or_user: int | None, update_id: int) -> int:
    return chat_or_user if chat_or_user is not None else NO_CHAT + update_id


class QueuedUpdates:
    """The queue's rows, over the store's engine (PostgreSQL only)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, update_id: int, key: int, body: str) -> bool:
        """Queue a posted update; False if it was posted before (queued or handled)."""
        insert = (
            postgresql.insert(queued_updates)
            .values(update_id=update_id, chat_key=key, body=body)
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(queued_updates.c.update_id)
        )
        async with autocommit(self.engine) as connection:
            return (await connection.execute(insert)).first() is not None

    async def take(self, owner: str, most: int, lease: dt.timedelta) -> list[tuple[int, str]]:
        """Up to ``most`` updates, each the next of a chat nobody is handling, oldest first."""
        if most <= 0:
            return []
        async with autocommit(self.engine) as connection:
            found = await connection.execute(
                _TAKE, {"owner": owner, "most": most, "lease": lease.total_seconds()}
            )
            taken = [(int(update_id), str(body)) for update_id, body in found]
        return sorted(taken)

    async def handled(self, owner: str, update_ids: Sequence[int]) -> None:
        """Done: the chats' next updates may be taken (unless the lease was lost meanwhile,
        and another instance handles it again)."""
        await self._settle(owner, update_ids, handled_at=sa.func.clock_timestamp())

    async def give_back(self, owner: str, update_ids: Sequence[int]) -> None:
        """Taken but not started (a stop): any instance may take them now."""
        await self._settle(owner, update_ids, handled_at=None)

    async def _settle(self, owner: str, update_ids: Sequence[int], **values: object) -> None:
        if not update_ids:
            return
        row = queued_updates.c
        async with autocommit(self.engine) as connection:
            await connection.execute(
                queued_updates.update()
                .where(row.update_id.in_(list(update_ids)), row.owner == owner)
                .values(owner=None, lease_until=None, **values)
            )

    async def forget_handled(self) -> int:
        """Delete handled rows older than ``KEPT_HANDLED``; how many."""
        row = queued_updates.c
        async with autocommit(self.engine) as connection:
            result = await connection.execute(
                queued_updates.delete().where(
                    row.handled_at < sa.func.clock_timestamp() - KEPT_HANDLED
                )
            )
        return int(result.rowcount)

    async def waiting(self) -> int:
        """Updates not yet handled, by any instance: for metrics and tests."""
        row = queued_updates.c
        async with self.engine.connect() as connection:
            found = await connection.execute(
                sa.select(sa.func.count()).where(row.handled_at.is_(None))
            )
            return int(found.scalar_one())
