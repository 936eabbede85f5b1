"""``/subscribe [@channel] <what> <how often> <time>`` read into a request, or one clear line.

What comes first (a topic in English or Spanish, typos allowed, or ``events`` with an
optional city), then the cadence (``daily``, ``weekly mon``, ``monthly 1``; see
:mod:`bot.digests.schedule`), then the local time. Missing parts are not errors: the guided flow
asks for them with buttons. Every error names what was expected, with an example, in the
person's language.

The guided flow's buttons carry the same parts in their data (:class:`~bot.subscriptions.
replies.Partial`), which a client can forge; :func:`checked_partial` reads them by the same
rules as typed words — the subject through :func:`read_subject`, the day through
:func:`~bot.digests.schedule.checked_cadence`, the time through :func:`read_time` — so a
button can't store what a command could not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.conversation.event_filters import FilterError, all_events, known_cities, parse_event_query
from bot.conversation.reply import InputProblem, quoted
from bot.conversation.search import CONFIDENT, rank_topics, topic_by_command
from bot.digests.compose import EVENTS, Subject
from bot.digests.schedule import (
    CADENCE_STARTS,
    Cadence,
    ScheduleInputError,
    checked_cadence,
    parse_cadence,
    parse_time,
    refuse_other_digits,
)
from bot.subscriptions.replies import Partial
from briefings.model import Catalog
from briefings.topics import fold

EVENTS_WORDS = frozenset("events event listings eventos evento cartelera agenda".split())
_TIME = re.compile(r"^[0-9]{1,2}([:.h][0-9]{2})?(am|pm|h)?$")
_CHANNEL = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$|^-100[0-9]{6,15}$")


class SubscribeError(InputProblem):
    """A /subscribe line the bot can't read: what was expected, with an example."""


@dataclass(frozen=True)
class SubscriptionRequest:
    subject: Subject | None  # None: ask what
    cadence: Cadence | None = None  # None: ask how often
    at: dt.time | None = None  # None: ask what time
    channel: str | None = None  # "@name" or "-100…": subscribe that channel, not this chat


EXAMPLE = "/subscribe events guadalajara monthly 09:00"


def read_subject(catalog: Catalog, words: list[str], now: dt.datetime) -> Subject:
    """A topic, or events with an optional city; raises :class:`SubscribeError`."""
    text = " ".join(words)
    if words and fold(words[0]) in EVENTS_WORDS:
        rest = " ".join(words[1:])
        try:
            query = parse_event_query(rest, now=now, cities=known_cities(all_events(catalog)))
        except FilterError as error:
            raise SubscribeError(
                f"{error.text('en')} Example: {EXAMPLE}",
                f"{error.text('es')} Ejemplo: /suscribir eventos guadalajara mensual 09:00",
            ) from None
        if query.start is not None:
            raise SubscribeError(
                "An events digest always covers the coming month, so leave out dates. "
                f"Example: {EXAMPLE}",
                "El resumen de eventos siempre cubre el mes que viene: quita las fechas. "
                "Ejemplo: /suscribir eventos guadalajara mensual 09:00",
            )
        if query.has_listing_filter:
            raise SubscribeError(
                "An events digest covers every listing of a city; filters such as free or "
                f"music are for /events. Example: {EXAMPLE}",
                "El resumen de eventos cubre toda la cartelera de una ciudad; filtros como "
                "gratis o música son para /eventos. Ejemplo: /suscribir eventos guadalajara "
                "mensual 09:00",
            )
        return Subject(EVENTS, query.city)
    topic = topic_by_command(catalog, text) if len(words) == 1 else None
    if topic is None:
        ranked = rank_topics(catalog, text)
        if ranked and ranked[0].score >= CONFIDENT:
            topic = ranked[0].topic
    if topic is None:
        raise _unknown_topic(catalog, text)
    return Subject(topic.id) if topic.id != EVENTS else Subject(EVENTS)


def _unknown_topic(catalog: Catalog, text: str) -> SubscribeError:
    names = ", ".join(t.command for t in catalog.topics)
    shown = quoted(text)
    return SubscribeError(
        f"I don't know the topic “{shown}”. Topics: {names}. Example: /subscribe cuba daily 07:30",
        f"No conozco el tema «{shown}». Temas: {names}. Ejemplo: /suscribir cuba diario 07:30",
    )


def read_chosen_subject(catalog: Catalog, what: str, now: dt.datetime) -> Subject:
    """A subject in its stored form (``cuba``, ``events:guadalajara``), as a button names
    it, read by :func:`read_subject`'s rules: a topic of the catalog, listings of a city
    that has some. A button names it exactly, so a near miss is refused, not corrected."""
    topic = catalog.topic(what)
    if topic is not None and topic.id != EVENTS:  # by its id, whatever its commands are
        return Subject(topic.id)
    subject = read_subject(catalog, what.replace(":", " ").split(), now)
    if subject.what != what:
        raise _unknown_topic(catalog, what.replace(":", " "))
    return subject


def checked_partial(catalog: Catalog, partial: Partial, now: dt.datetime) -> Partial:
    """A guided /subscribe step from a button's data, checked as a typed line would be.

    A monthly or daily cadence without a day takes the day the command gives it (the 1st,
    or none); weekly without one is asked. Raises :class:`SubscribeError`.
    """
    what = read_chosen_subject(catalog, partial.what, now).what if partial.what else None
    day = partial.day
    if partial.cadence is not None:
        if day is None and partial.cadence != "weekly":
            day = 1 if partial.cadence == "monthly" else 0
        if day is not None:
            try:
                day = checked_cadence(Cadence(partial.cadence, day)).day
            except ScheduleInputError as error:
                raise SubscribeError(str(error), error.spanish) from None
    at = read_time(partial.at).strftime("%H:%M") if partial.at else None
    return Partial(what, partial.cadence, day, at)


def read_time(word: str) -> dt.time:
    try:
        return parse_time(word)
    except ScheduleInputError as error:
        raise SubscribeError(str(error), error.spanish) from None


def parse_request(catalog: Catalog, text: str, now: dt.datetime) -> SubscriptionRequest:
    """The words after /subscribe; raises :class:`SubscribeError` for what it can't read."""
    try:  # before folding, which would read "²" as a 2
        refuse_other_digits(text)
    except ScheduleInputError as error:
        raise SubscribeError(str(error), error.spanish) from None
    words = text.split()
    channel = None
    if words and (words[0].startswith("@") or words[0].startswith("-100")):
        if not _CHANNEL.match(words[0]):
            shown = quoted(words[0])
            raise SubscribeError(
                f"“{shown}” is not a channel username. Example: /subscribe @mychannel "
                "events guadalajara monthly 09:00",
                f"«{shown}» no es el usuario de un canal. Ejemplo: /suscribir @micanal "
                "eventos guadalajara mensual 09:00",
            )
        channel, words = words[0], words[1:]
    lowered = [fold(word) for word in words]
    at_cadence = next((i for i, word in enumerate(lowered) if word in CADENCE_STARTS), None)
    if at_cadence is None:
        # No cadence: perhaps just a time was left at the end ("cuba 07:30"), else ask.
        if len(lowered) > 1 and _TIME.match(lowered[-1]):
            raise SubscribeError(
                "How often? Put daily, weekly (with a day) or monthly before the time. "
                "Example: /subscribe cuba daily 07:30",
                "¿Cada cuánto? Escribe diario, semanal (con un día) o mensual antes de la "
                "hora. Ejemplo: /suscribir cuba diario 07:30",
            )
        subject = read_subject(catalog, words, now) if words else None
        return SubscriptionRequest(subject, channel=channel)
    if at_cadence == 0:
        raise SubscribeError(
            f"Say what to follow first, then how often. Example: {EXAMPLE}",
            "Di primero qué seguir y luego cada cuánto. "
            "Ejemplo: /suscribir eventos guadalajara mensual 09:00",
        )
    subject = read_subject(catalog, words[:at_cadence], now)
    try:
        cadence, rest = parse_cadence(lowered[at_cadence:])
        cadence = checked_cadence(cadence)  # the rules a button's cadence meets too
    except ScheduleInputError as error:
        raise SubscribeError(str(error), error.spanish) from None
    if len(rest) > 1:
        schedule, unread = quoted(" ".join(words[at_cadence:])), quoted(" ".join(rest))
        raise SubscribeError(
            f"I read “{schedule}” as a schedule but not “{unread}”. "
            "Example: /subscribe missing weekly mon 08:00",
            f"No entiendo «{unread}» en el horario. "
            "Ejemplo: /suscribir desaparecidos semanal lun 08:00",
        )
    at = read_time(rest[0]) if rest else None
    return SubscriptionRequest(subject, cadence, at, channel)
