"""Digest jobs in PTB's JobQueue, rebuilt from the store: one job per subscription.

The store is the source of truth. :meth:`DigestScheduler.rebuild` (at start, and whenever
an injected clock jumps) reads every active subscription, and for each one plans a single
job: now, if the latest slot has passed without a settled ledger row (the bot was down:
that one digest is sent once, however many periods were missed), otherwise at the next
slot. Slots are computed in the subscriber's zone (:mod:`bot.schedule`), so they follow
daylight-saving changes, and a slot inside the chat's quiet hours moves to the end of the
window. When a job fires it puts the digest on the delivery queue and plans the next one.

Jobs wait in real time: :func:`~bot.clock.real_seconds_until` turns "due at this moment of
the injected clock" into a delay, so a demo clock running 60 times faster fires on time.
A sweep every ``SWEEP_SECONDS`` re-queues ledger rows left ``retry`` or abandoned.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from telegram.ext import CallbackContext, ExtBot, JobQueue

from bot.clock import Clock, real_seconds_until
from bot.delivery import Due
from bot.schedule import Cadence, QuietHours, Schedule, delivery_time
from bot.store import ChatRecord, Store, Subscription

logger = logging.getLogger("briefbot.scheduler")

SWEEP_SECONDS = 30.0
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


def _job_name(subscription_id: int) -> str:
    return f"digest:{subscription_id}"


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
        self.planned: dict[int, tuple[dt.datetime, str]] = {}  # subscription -> (when, period)

    async def rebuild(self) -> int:
        """Plan every active subscription's next job from the store; returns how many."""
        pairs = await self.store.schedulable()
        for job in self.job_queue.jobs():
            if job.name and job.name.startswith("digest:"):
                job.schedule_removal()
        self.planned.clear()
        await self._plan_all(pairs)
        if not self.job_queue.get_jobs_by_name("digest-sweep"):
            self.job_queue.run_repeating(
                self._sweep_unfinished, SWEEP_SECONDS, first=SWEEP_SECONDS, name="digest-sweep"
            )
        return len(pairs)

    async def refresh_chat(self, chat_id: int) -> None:
        """Re-plan one chat's jobs after its subscriptions or settings changed."""
        for job in self.job_queue.jobs():
            data = job.data
            if isinstance(data, tuple) and data[0].id == chat_id:
                job.schedule_removal()
                self.planned.pop(data[2].subscription_id, None)
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
        period = schedule.period_key(slot)
        self.planned[subscription.id] = (when, period)
        self.job_queue.run_once(
            self._fire,
            when=real_seconds_until(self.clock, when),
            data=(chat, subscription, Due(subscription.id, period), slot),
            name=_job_name(subscription.id),
            job_kwargs=_JOB_OPTIONS,
        )

    async def _fire(self, context: CallbackContext) -> None:  # type: ignore[type-arg]
        """Queue the digest and plan the next one from the same records (no database trip:
        any change to the chat or subscription re-plans its jobs through ``refresh_chat``)."""
        assert context.job is not None
        chat: ChatRecord
        subscription: Subscription
        due: Due
        slot: dt.datetime
        chat, subscription, due, slot = context.job.data  # type: ignore[misc]
        self.enqueue(due)
        schedule = schedule_of(subscription, chat, self.default_zone)
        now = self.clock.now()
        self._plan(subscription, chat, schedule, schedule.next_slot(max(now, slot)), now)

    async def _sweep_unfinished(self, context: CallbackContext) -> None:  # type: ignore[type-arg]
        await self.sweep()

    async def sweep(self) -> int:
        """Queue ledger rows waiting for a retry or abandoned mid-send; the claim decides."""
        found = await self.store.unfinished()
        for subscription_id, period in found:
            self.enqueue(Due(subscription_id, period))
        return len(found)
