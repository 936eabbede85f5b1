"""The delivery ledger as the tests look at it: one claim, one outcome, one row, the lot.

The product claims and settles in batches (``Store.claim_many``, ``Store.settle_many``);
these one-at-a-time forms and the readers of whole rows exist for the tests alone, so
they live here and not on :class:`bot.store.Store`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from bot.store import Claim, Delivery, Store
from bot.store.schema import deliveries
from bot.store.store import delivery_from_row, failed_values, sent_values


async def claim(
    store: Store,
    subscription_id: int,
    period: str,
    owner: str,
    now: dt.datetime,
    lease: dt.timedelta,
) -> Claim | None:
    """Take the (subscription, period) row for sending, or None if someone else has it."""
    found = await store.claim_many([(subscription_id, period)], owner, now, lease)
    return found[0] if found else None


async def mark_sent(
    store: Store,
    claim: Claim,
    chat_id: int,
    message_ids: Sequence[int],
    catalog_version: str,
    content_keys: Iterable[str],
    now: dt.datetime,
) -> bool:
    values = sent_values(chat_id, message_ids, catalog_version, content_keys, now)
    return bool(await store.settle_many([(claim, values)]))


async def mark_failed(store: Store, claim: Claim, error: str, *, retry: bool) -> bool:
    """``retry``: a transient failure, claimable again; otherwise final for this period."""
    return bool(await store.settle_many([(claim, failed_values(error, retry=retry))]))


async def row(store: Store, subscription_id: int, period: str) -> Delivery | None:
    """The ledger's row for (subscription, period), if any."""
    columns = deliveries.c
    async with store.engine.connect() as connection:
        found = (
            await connection.execute(
                deliveries.select().where(
                    columns.subscription_id == subscription_id, columns.period == period
                )
            )
        ).one_or_none()
    return None if found is None else delivery_from_row(found)


async def rows(store: Store) -> list[Delivery]:
    """Every row of the ledger, oldest first."""
    async with store.engine.connect() as connection:
        found_rows = await connection.execute(deliveries.select().order_by(deliveries.c.id))
        return [delivery_from_row(found) for found in found_rows]
