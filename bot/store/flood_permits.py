"""Flood permits in PostgreSQL: one budget of messages for every instance of the bot.

Telegram counts its flood limits per bot, so instances sharing a database share them. A
permit is a row: ``count`` messages to a window ``key`` (``"all"`` for the overall limit,
or a chat's id), taken at ``taken_at`` and finished (every answer back) at
``finished_at``, both by the database's clock. Like the in-process
:class:`bot.operations.rate_limiter.SlidingWindow`, a permit holds its slots from the
moment it is taken until a period after it finished: the server counts each message at
some moment in between, so however long the messages are on the wire, no period the
server looks at holds more than the limit, whatever the number of instances.

:meth:`FloodPermits.take` is one short transaction under one advisory lock (takes are
serialized; each is a few hundred microseconds), and reads no clock but the database's,
so instances whose clocks disagree still agree on the budget. A permit whose instance
died before finishing it counts as in flight for ``STALE`` seconds, then no more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.schema import flood_permits

ALL = "all"  # the key of the overall window
LOCK = 0x62726266  # pg_advisory_xact_lock's key for every take ("brbf")
STALE = dt.timedelta(seconds=30)  # an unfinished permit older than this: its instance died
KEPT = dt.timedelta(minutes=3)  # rows older than the longest period are deleted
CLEAN_EVERY = 200  # takes between two clean-ups


@dataclass(frozen=True)
class Window:
    """At most ``limit`` messages in any ``period``."""

    limit: int
    period: dt.timedelta


@dataclass(frozen=True)
class Taken:
    """What a take granted: the indexes of the chats granted, the permit rows to finish,
    and, when nothing was granted, how long until a slot may be free."""

    granted: list[int]
    permit_ids: list[int]
    retry_in: float


class FloodPermits:
    """The permit rows, over the store's engine (PostgreSQL only)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._takes = 0

    async def take(
        self,
        chats: Sequence[tuple[str, Window]],
        overall: Window,
        *,
        reserve: int,
    ) -> Taken:
        """Grant one message to as many of ``chats`` (chat key, its window) as both their
        own window and the overall one allow, in the order given; the overall window's last
        ``reserve`` slots are left (replies to people pass ``reserve=0``)."""
        rows = flood_permits.c
        keys = sorted({key for key, _ in chats} | {ALL})
        periods = {key: window.period for key, window in chats} | {ALL: overall.period}
        async with self.engine.begin() as connection:
            await connection.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK)))
            now: dt.datetime = (
                await connection.execute(sa.select(sa.func.clock_timestamp()))
            ).scalar_one()
            since = sa.case(
                *((rows["key"] == key, sa.literal(now - span)) for key, span in periods.items())
            )
            counted = sa.or_(
                sa.and_(rows.finished_at.is_(None), rows.taken_at > now - STALE),
                rows.finished_at > since,
            )
            found = await connection.execute(
                sa.select(rows["key"], sa.func.sum(rows["count"]), sa.func.min(rows.finished_at))
                .where(rows["key"].in_(keys), counted)
                .group_by(rows["key"])
            )
            used = {key: (int(total), oldest) for key, total, oldest in found}
            room = overall.limit - reserve - used.get(ALL, (0, None))[0]
            granted: list[int] = []
            per_chat: dict[str, int] = {}
            for index, (key, window) in enumerate(chats):
                if room <= 0:
                    break
                if used.get(key, (0, None))[0] + per_chat.get(key, 0) >= window.limit:
                    continue
                per_chat[key] = per_chat.get(key, 0) + 1
                granted.append(index)
                room -= 1
            if not granted:
                return Taken([], [], _retry_in(now, used, periods, overall))
            inserted = await connection.execute(
                flood_permits.insert().returning(rows.id),
                [
                    {"key": key, "count": count, "taken_at": now}
                    for key, count in [(ALL, len(granted)), *per_chat.items()]
                ],
            )
            permit_ids = [int(row_id) for row_id in inserted.scalars()]
            self._takes += 1
            if self._takes % CLEAN_EVERY == 1:
                await connection.execute(
                    flood_permits.delete().where(
                        sa.func.coalesce(rows.finished_at, rows.taken_at) < now - KEPT
                    )
                )
        return Taken(granted, permit_ids, 0.0)

    async def finish(self, permit_ids: Sequence[int]) -> None:
        """Every message of these permits has its answer: their slots run one more period."""
        if not permit_ids:
            return
        rows = flood_permits.c
        async with self.engine.begin() as connection:
            await connection.execute(
                flood_permits.update()
                .where(rows.id.in_(list(permit_ids)))
                .values(finished_at=sa.func.clock_timestamp())
            )


def _retry_in(
    now: dt.datetime,
    used: dict[str, tuple[int, dt.datetime | None]],
    periods: dict[str, dt.timedelta],
    overall: Window,
) -> float:
    """Seconds until the oldest finished permit of a full window leaves it (at least a
    slot's worth of the overall window: all may be on the wire, answers due any moment)."""
    step = overall.period.total_seconds() / max(overall.limit, 1)
    expiries = [
        (oldest + periods[key] - now).total_seconds()
        for key, (_, oldest) in used.items()
        if oldest is not None and key in periods
    ]
    return max(step, min(expiries, default=step))
