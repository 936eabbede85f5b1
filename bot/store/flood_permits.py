"""Flood permits in PostgreSQL: one budget of messages for every instance of the bot.

Telegram counts its flood limits per bot, so instances sharing a database share them. A
permit is a row: ``count`` messages to a window ``key`` (``"all"`` for the overall limit,
or a chat's id), taken at ``taken_at`` and finished (every answer back) at
``finished_at``, both by the database's clock. Like the in-process
:class:`bot.operations.rate_limiter.SlidingWindow`, a permit holds its slots from the
moment it is taken until a period after it finished: the server counts each message at
some moment in between, so however long the messages are on the wire, no period the
server looks at holds more than the limit, whatever the number of instances.

:meth:`FloodPermits.take` is one statement under one advisory lock (takes are
serialized; each is a fraction of a millisecond), and reads no clock but the database's,
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
from bot.store.store import autocommit

ALL = "all"  # the key of the overall window
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
        urgent: bool,
        reserve: int = 0,
    ) -> Taken:
        """Grant one message to as many of ``chats`` (chat key, its window) as both their
        own window and the overall one allow, in the order given; the overall window's last
        ``reserve`` slots are left. ``urgent`` (a reply to a person): while one waits, on
        any instance, takes that are not get nothing.

        One statement (``briefbot_take_permits``, bot/store/schema.py), in a transaction of
        its own: a round trip, not six, while the other instances wait for the lock.
        """
        async with autocommit(self.engine) as connection:
            found = await connection.execute(
                _TAKE,
                {
                    "keys": [key for key, _ in chats],
                    "limits": [window.limit for _, window in chats],
                    "periods": [window.period.total_seconds() for _, window in chats],
                    "overall_limit": overall.limit,
                    "overall_period": overall.period.total_seconds(),
                    "reserve": reserve,
                    "stale": STALE.total_seconds(),
                    "urgent": urgent,
                },
            )
            granted, permit_ids, retry_in = found.one()
            self._takes += 1
            if self._takes % CLEAN_EVERY == 1:
                rows = flood_permits.c
                await connection.execute(
                    flood_permits.delete().where(
                        sa.func.coalesce(rows.finished_at, rows.taken_at)
                        < sa.func.clock_timestamp() - KEPT
                    )
                )
        return Taken([index - 1 for index in granted], list(permit_ids), float(retry_in))

    async def finish(self, finished: Sequence[tuple[Sequence[int], float]]) -> None:
        """Every message of these permits had its answer ``ago`` seconds before now: from
        then, their slots run one more period. ``ago`` is measured by the caller's own
        clock, as a difference, so the clocks need not agree; the write's delay only
        makes it later than the truth, on the safe side."""
        ids = [permit_id for permit_ids, _ in finished for permit_id in permit_ids]
        agos = [max(ago, 0.0) for permit_ids, ago in finished for _ in permit_ids]
        if not ids:
            return
        async with autocommit(self.engine) as connection:
            await connection.execute(_FINISH, {"ids": ids, "agos": agos})


_TAKE = sa.text(
    "SELECT granted, permit_ids, retry_in FROM briefbot_take_permits("
    ":keys, :limits, :periods, :overall_limit, :overall_period, :reserve, :stale, :urgent)"
)
_FINISH = sa.text(
    "UPDATE flood_permits SET finished_at = clock_timestamp() - make_interval(secs => v.ago) "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:agos AS float8[])) AS v(id, ago) "
    "WHERE flood_permits.id = v.id"
)
