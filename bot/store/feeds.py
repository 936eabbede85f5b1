"""The configured feeds, in the same database as the subscriptions.

A poll is claimed like a digest: :meth:`FeedStore.claim_due` takes a lease on each due feed
with one conditional UPDATE (it succeeds for one instance only), and :meth:`finish` records
the outcome and lets go. A lease that outlives its holder (killed mid-poll) expires and any
instance polls the feed again; an item polled twice is deduplicated by the documents folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.schema import feeds, shared_documents


@dataclass(frozen=True)
class FeedRecord:
    id: int
    url: str
    interval: int
    added_by: int | None
    added_at: dt.datetime
    etag: str | None
    last_modified: str | None
    next_poll_at: dt.datetime
    last_ok_at: dt.datetime | None
    failures: int
    failing_since: dt.datetime | None
    last_error: str | None
    documents: int


def _feed(row: Any) -> FeedRecord:
    values = row._mapping
    return FeedRecord(**{f.name: values[feeds.c[f.name]] for f in fields(FeedRecord)})


class FeedStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(
        self, url: str, interval: int, added_by: int | None, now: dt.datetime
    ) -> FeedRecord | None:
        """The new feed, due at once; None when that URL is configured already."""
        async with self.engine.begin() as connection:
            found = await connection.execute(feeds.select().where(feeds.c.url == url))
            if found.one_or_none() is not None:
                return None
            await connection.execute(
                feeds.insert().values(
                    url=url, interval=interval, added_by=added_by, added_at=now, next_poll_at=now
                )
            )
            row = (await connection.execute(feeds.select().where(feeds.c.url == url))).one()
        return _feed(row)

    async def remove(self, feed_id: int) -> FeedRecord | None:
        async with self.engine.begin() as connection:
            row = (
                await connection.execute(feeds.select().where(feeds.c.id == feed_id))
            ).one_or_none()
            if row is None:
                return None
            await connection.execute(feeds.delete().where(feeds.c.id == feed_id))
        return _feed(row)

    async def all(self) -> list[FeedRecord]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(feeds.select().order_by(feeds.c.id))
            return [_feed(row) for row in rows]

    async def claim_due(self, owner: str, now: dt.datetime, lease: float) -> list[FeedRecord]:
        """The due feeds this instance now holds, each for ``lease`` seconds."""
        row = feeds.c
        free = sa.or_(row.lease_until.is_(None), row.lease_until < now)
        async with self.engine.connect() as connection:
            due = await connection.execute(
                sa.select(row.id).where(row.next_poll_at <= now, free).order_by(row.next_poll_at)
            )
            ids = [found.id for found in due]
        claimed = []
        until = now + dt.timedelta(seconds=lease)
        for feed_id in ids:
            async with self.engine.begin() as connection:
                result = await connection.execute(
                    feeds.update()
                    .where(row.id == feed_id, row.next_poll_at <= now, free)
                    .values(lease_owner=owner, lease_until=until)
                )
                if result.rowcount == 1:
                    taken = await connection.execute(feeds.select().where(row.id == feed_id))
                    claimed.append(_feed(taken.one()))
        return claimed

    async def finish(self, feed_id: int, owner: str, **values: Any) -> bool:
        """Record a poll's outcome and release the lease (if this instance still holds it)."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                feeds.update()
                .where(feeds.c.id == feed_id, feeds.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None, **values)
            )
        return bool(result.rowcount)

    async def poll_now(self, feed_id: int, now: dt.datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                feeds.update().where(feeds.c.id == feed_id).values(next_poll_at=now)
            )

    # --- documents shared by the instances ----------------------------------------------

    async def document_digests(self) -> dict[str, str]:
        """Every shared document's name and digest."""
        table = shared_documents.c
        async with self.engine.connect() as connection:
            rows = await connection.execute(sa.select(table.name, table.sha256))
            return {row.name: row.sha256 for row in rows}

    async def documents(self, names: list[str]) -> dict[str, str]:
        """The bodies of these shared documents."""
        table = shared_documents.c
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(table.name, table.body).where(table.name.in_(names))
            )
            return {row.name: row.body for row in rows}

    async def share_documents(self, bodies: dict[str, tuple[str, str]], now: dt.datetime) -> None:
        """Insert or replace documents: name -> (digest, body)."""
        if not bodies:
            return
        table = shared_documents
        async with self.engine.begin() as connection:
            await connection.execute(table.delete().where(table.c.name.in_(list(bodies))))
            await connection.execute(
                table.insert(),
                [
                    {"name": name, "sha256": digest, "body": body, "updated_at": now}
                    for name, (digest, body) in bodies.items()
                ],
            )
