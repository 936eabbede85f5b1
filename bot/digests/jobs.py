"""Digest jobs in PTB's JobQueue, rebuilt from the store: one job per delivery moment.

The store is the source of truth. :meth:`DigestScheduler.rebuild` (at start, and whenever
an injected clock jumps) reads every active subscription, and plans each one's next
digest: now, if the latest slot has passed without a settled ledger row (the bot was down:
that one digest is sent once, however many periods were missed), otherwise at the next
slot. Slots are computed in the subscriber's zone (:mod:`bot.digests.schedule`), so they follow
daylight-saving changes, and a slot inside the chat's quiet hours moves to the end of the
window.

Subscriptions due at the same moment share one job. Thousands of readers of the 09:00
digest would otherwise be thousands of APScheduler jobs firing back to back, each adding
tomorrow's job, and the event loop would stall for seconds exactly when people are
chatting; a shared job puts the digests on the delivery queue and plans the next ones in
slices that let replies through.

Jobs wait in real time: :func:`~bot.clock.real_seconds_until` turns "due at this moment of
the injected clock" into a delay, so a demo clock running 60 times faster fires on time.
A sweep every ``SWEEP_SECONDS`` re-queues ledger rows left ``retry`` or abandoned.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from telegram.ext import CallbackContext, ExtBot, JobQueue

from bot.clock import Clock, real_seconds_until
from bot.digests.delivery import Due
from bot.digests.schedule import Cadence, QuietHours, Schedule, delivery_time
from bot.store import ChatRecord, Store, Subscription, describe_outage, is_outage

logger = logging.getLogger("briefbot.scheduler")

SWEEP_SECONDS = 30.0
FIRE_SLICE = 500  # digests queued and re-planned before the loop serves others
_JOB_OPTIONS = {"misfire_grace_time": None, "coalesce": True}  # late is better than never
Queue = JobQueue[CallbackContext[ExtBot[None], dict, dict, dict]]  # type: ignore[type-arg]


def schedule_of(subscription: Subscription, chat: ChatRecord, default_zone: str) -> Schedule:
    return Schedule(
        Cadence(subscription.cadence, subscription.cadence_day),
        dt.time.fromisoformat(subscription.at),
        chat.timezone or default_zone,
    )


def quiet_hours_of(chat: ChatRecord) -> QuietHours | None:
    if not chat.quiet_start or not chat.quiet_end:
        return None
    return QuietHours(
        dt.time.fromisoformat(chat.quiet_start), dt.time.fromisoformat(chat.quiet_end)
    )


def _job_name(when: dt.datetime) -> str:
    return f"digest:{when.isoformat()}"


@dataclass(frozen=True)
class _Planned:
    """One subscription's next digest, with the records it was planned from."""

    chat: ChatRecord
    subscription: Subscription
    due: Due
    slot: dt.datetime
    when: dt.datetime


class DigestScheduler:
    def __init__(
        self,
        job_queue: Queue,
        store: Store,
        clock: Clock,
        *,
        default_zone: str,
        enqueue: Callable[[Due], None],
    ) -> None:
        self.job_queue, self.store, self.clock = job_queue, store, clock
        self.default_zone = default_zone
        self.enqueue = enqueue
        self._next: dict[int, _Planned] = {}  # subscription id -> its next digest
        self._moments: dict[dt.datetime, set[int]] = {}  # delivery moment -> subscriptions

    @property
    def planned(self) -> dict[int, tuple[dt.datetime, str]]:
        """Subscription id -> (delivery moment, period) of its next digest."""
        return {sid: (p.when, p.due.period) for sid, p in self._next.items()}

    def planned_for(self, subscription_id: int) -> tuple[dt.datetime, str] | None:
        found = self._next.get(subscription_id)
        return (found.when, found.due.period) if found else None

    async def rebuild(self) -> int:
        """Plan every active subscription's next job from the store; returns how many."""
        pairs = await self.store.schedulable()
        for job in self.job_queue.jobs():
            if job.name and job.name.startswith("digest:"):
                job.schedule_removal()
        self._next.clear()
        self._moments.clear()
        await self._plan_all(pairs)
        if not self.job_queue.get_jobs_by_name("digest-sweep"):
            self.job_queue.run_repeating(
                self._sweep_unfinished, SWEEP_SECONDS, first=SWEEP_SECONDS, name="digest-sweep"
            )
        return len(pairs)

    async def refresh_chat(self, chat_id: int) -> None:
        """Re-plan one chat's digests after its subscriptions or settings changed."""
        for planned in [p for p in self._next.values() if p.chat.id == chat_id]:
            self._unplan(planned.subscription.id)
        await self._plan_all(await self.store.schedulable(chat_id))

    async def _plan_all(self, pairs: Iterable[tuple[Subscription, ChatRecord]]) -> None:
        now = self.clock.now()
        plans = []
        for subscription, chat in pairs:
            schedule = schedule_of(subscription, chat, self.default_zone)
            latest = schedule.latest_slot(now)
            missed = latest is not None and latest > subscription.created_at
            plans.append((subscription, chat, schedule, latest if missed else None))
        keys = [(s.id, sch.period_key(slot)) for s, _, sch, slot in plans if slot is not None]
        settled = await self.store.settled(keys)
        for subscription, chat, schedule, latest in plans:
            if (
                latest is not None
                and (subscription.id, schedule.period_key(latest)) not in settled
            ):
                self._plan(subscription, chat, schedule, latest, now)
            else:
                self._plan(subscription, chat, schedule, schedule.next_slot(now), now)

    def _plan(
        self,
        subscription: Subscription,
        chat: ChatRecord,
        schedule: Schedule,
        slot: dt.datetime,
        now: dt.datetime,
    ) -> None:
        when = delivery_time(max(slot, now), schedule.zone, quiet_hours_of(chat))
        due = Due(subscription.id, schedule.period_key(slot))
        self._unplan(subscription.id)
        self._next[subscription.id] = _Planned(chat, subscription, due, slot, when)
        sharing = self._moments.get(when)
        if sharing is None:  # the first digest of this moment: it gets the job
            sharing = self._moments[when] = set()
            self.job_queue.run_once(
                self._fire,
                when=real_seconds_until(self.clock, when),
                data=when,
                name=_job_name(when),
                job_kwargs=_JOB_OPTIONS,
            )
        sharing.add(subscription.id)

    def _unplan(self, subscription_id: int) -> None:
        """Forget a subscription's next digest (its moment's job stays, for the others)."""
        planned = self._next.pop(subscription_id, None)
        if planned is not None:
            self._moments.get(planned.when, set()).discard(subscription_id)

    async def _fire(self, context: CallbackContext) -> None:  # type: ignore[type-arg]
        """Queue the moment's digests and plan each one's next from the same records (no
        database trip: a change to a chat or subscription re-plans it via ``refresh_chat``)."""
        assert context.job is not None
        when: dt.datetime = context.job.data  # type: ignore[assignment]
        sharing = self._moments.pop(when, set())
        for count, subscription_id in enumerate(sorted(sharing), start=1):
            planned = self._next.get(subscription_id)
            if planned is None or planned.when != when:  # re-planned or dropped meanwhile
                continue
            self.enqueue(planned.due)
            schedule = schedule_of(planned.subscription, planned.chat, self.default_zone)
            now = self.clock.now()
            next_slot = schedule.next_slot(max(now, planned.slot))
            self._plan(planned.subscription, planned.chat, schedule, next_slot, now)
            if count % FIRE_SLICE == 0:
                await asyncio.sleep(0)  # people's replies go between slices

    async def _sweep_unfinished(self, context: CallbackContext) -> None:  # type: ignore[type-arg]
        try:
            await self.sweep()
        except Exception as error:  # the next sweep finds the same rows: nothing is lost
            if not is_outage(error):
                raise
            logger.warning("sweep skipped, the database is away (%s)", describe_outage(error))

    async def sweep(self) -> int:
        """Queue ledger rows waiting for a retry or abandoned mid-send; the claim decides."""
        found = await self.store.unfinished()
        for subscription_id, period in found:
            self.enqueue(Due(subscription_id, period))
        return len(found)
