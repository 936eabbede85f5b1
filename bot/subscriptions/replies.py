"""What the bot says about subscriptions: the guided steps, confirmations and lists.

Plain data like :mod:`bot.conversation.answers`. The guided ``/subscribe`` keeps its progress
in the buttons themselves (``what.cadence.day.HHMM`` in the callback data), so there is no
conversation state to lose on a restart, and each step edits the same message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.conversation import callbacks
from bot.conversation.callbacks import Action
from bot.conversation.render import escape, format_moment
from bot.conversation.reply import Button, Reply
from bot.digests.compose import EVENTS, Subject
from bot.digests.schedule import (
    WEEKDAYS,
    Cadence,
    QuietHours,
    Schedule,
    describe,
    describe_cadence,
)
from bot.numbers import read_number
from bot.store import ChatRecord, Subscription
from bot.texts import en, es
from briefings.model import Catalog

TIMES = ("07:00", "08:00", "09:00", "12:00", "18:00", "21:00")
FEATURED_CITIES = ("guadalajara",)  # listings digests offered as buttons
_CADENCE_CODES = {"d": "daily", "w": "weekly", "m": "monthly"}

TEXTS = {"en": en.SUBSCRIPTIONS, "es": es.SUBSCRIPTIONS}


def text(lang: str, key: str, **values: object) -> str:
    found = TEXTS[lang][key]
    assert isinstance(found, str)
    return found.format(**values) if values else found


@dataclass(frozen=True)
class Partial:
    """A guided /subscribe in progress, carried in callback data."""

    what: str | None = None
    cadence: str | None = None
    day: int | None = None
    at: str | None = None  # "07:30"

    def encode(self) -> str:
        parts = [(self.what or "").replace(":", "~")]
        if self.cadence:
            parts.append(self.cadence[0])
        if self.day is not None:
            parts.append(str(self.day))
        if self.at:
            parts.append(self.at.replace(":", ""))
        return ".".join(parts)

    @classmethod
    def decode(cls, argument: str) -> Partial | None:
        parts = argument.split(".")
        what = parts[0].replace("~", ":") or None
        try:
            cadence = _CADENCE_CODES[parts[1]] if len(parts) > 1 else None
            day = read_number(parts[2], most=31) if len(parts) > 2 else None
            at = f"{parts[3][:2]}:{parts[3][2:]}" if len(parts) > 3 else None
            if at is not None:
                if read_number(parts[3]) is None or len(parts[3]) != 4:
                    return None
                dt.time.fromisoformat(at)
        except (KeyError, ValueError):
            return None
        if len(parts) > 4 or (len(parts) > 2 and day is None):
            return None
        return cls(what, cadence, day, at)

    def button(self, label: str) -> Button:
        return Button(label, callbacks.encode(Action("subscribe", "", self.encode())))


def _subject_title(catalog: Catalog, what: str, lang: str) -> str:
    return Subject.from_what(what).title(catalog, lang)


def guided_step(catalog: Catalog, partial: Partial, *, zone: str, lang: str, edit: bool) -> Reply:
    """The next question of the guided /subscribe, as one message with buttons."""
    texts = TEXTS[lang]
    rows: list[tuple[Button, ...]]
    if partial.what is None:
        rows = [
            (Partial(topic.id).button(topic.name_es if lang == "es" else topic.name_en),)
            for topic in catalog.topics
            if topic.id != EVENTS
        ]
        rows.append((Partial(EVENTS).button(text(lang, "all_listings")),))
        for city in FEATURED_CITIES:
            what = Subject(EVENTS, city).what
            rows.append((Partial(what).button(Subject(EVENTS, city).title(catalog, lang)),))
        return Reply([text(lang, "ask_what")], buttons=tuple(rows), edit=edit)
    title = escape(_subject_title(catalog, partial.what, lang))
    if partial.cadence is None:
        rows = [
            (Partial(partial.what, "daily", 0).button(text(lang, "daily")),),
            (Partial(partial.what, "weekly").button(text(lang, "weekly")),),
            (Partial(partial.what, "monthly", 1).button(text(lang, "monthly")),),
        ]
        return Reply([text(lang, "ask_cadence", title=title)], buttons=tuple(rows), edit=edit)
    if partial.day is None:
        days = texts["days"]
        row = tuple(
            Partial(partial.what, partial.cadence, index).button(str(days[index]))
            for index in range(7)
        )
        return Reply([text(lang, "ask_weekday", title=title)], buttons=(row,), edit=edit)
    cadence_words = describe_cadence(Cadence(partial.cadence, partial.day), lang)
    rows = [
        tuple(
            Partial(partial.what, partial.cadence, partial.day, at).button(at)
            for at in TIMES[start : start + 3]
        )
        for start in (0, 3)
    ]
    example = one_line_example(partial, lang)
    prompt = text(
        lang, "ask_time", title=title, schedule=escape(cadence_words), zone=zone, example=example
    )
    return Reply([prompt], buttons=tuple(rows), edit=edit)


def one_line_example(partial: Partial, lang: str) -> str:
    what = (partial.what or "cuba").replace(":", " ")
    day = ""
    if partial.cadence == "weekly" and partial.day is not None:
        day = f" {WEEKDAYS[partial.day]}"
    elif partial.cadence == "monthly" and partial.day not in (None, 1):
        day = f" {partial.day}"
    command = "/suscribir" if lang == "es" else "/subscribe"
    return f"{command} {what} {partial.cadence or 'daily'}{day} 07:30"


def confirmation(
    catalog: Catalog,
    subscription: Subscription,
    chat: ChatRecord,
    *,
    zone: str,
    next_at: dt.datetime | None,
    created: bool,
    lang: str,
    where: str = "",
    edit: bool = False,
) -> Reply:
    schedule = schedule_for(subscription, zone)
    quiet = ""
    if chat.quiet_start and chat.quiet_end:
        window = QuietHours(
            dt.time.fromisoformat(chat.quiet_start), dt.time.fromisoformat(chat.quiet_end)
        )
        if window.contains(schedule.at):
            quiet = text(lang, "quiet_note", start=chat.quiet_start, end=chat.quiet_end)
    when = format_moment(next_at.astimezone(ZoneInfo(zone)), lang) if next_at else "—"
    message = text(
        lang,
        "subscribed" if created else "updated",
        where=escape(where),
        title=escape(_subject_title(catalog, subscription.what, lang)),
        schedule=escape(describe(schedule, lang)),
        zone=zone,
        next=when,
        quiet=escape(quiet),
    )
    return Reply([message], edit=edit)


def schedule_for(subscription: Subscription, zone: str) -> Schedule:
    return Schedule(
        Cadence(subscription.cadence, subscription.cadence_day),
        dt.time.fromisoformat(subscription.at),
        zone,
    )


def manage_button(label: str, operation: str, subscription_id: int) -> Button:
    return Button(label, callbacks.encode(Action("manage", "", f"{operation}.{subscription_id}")))


def subscription_list(
    catalog: Catalog,
    groups: Sequence[tuple[ChatRecord, Sequence[Subscription], str]],
    *,
    lang: str,
    edit: bool = False,
    notice: str | None = None,
) -> Reply:
    """Each chat's subscriptions (this chat's, then channels this person manages)."""
    texts = TEXTS[lang]
    blocks: list[str] = []
    rows: list[tuple[Button, ...]] = []
    number = 0
    for chat, subscriptions, zone in groups:
        if not subscriptions:
            continue
        where = f" · {chat.title}" if chat.type == "channel" and chat.title else ""
        lines = [text(lang, "list_head", where=escape(where), zone=zone)]
        if not chat.active:  # a digest was refused (403): say why nothing arrives
            lines.append(text(lang, "unreachable"))
        for subscription in subscriptions:
            number += 1
            title = _subject_title(catalog, subscription.what, lang)
            described = describe(schedule_for(subscription, zone), lang)
            paused = f" · <i>{texts['paused']}</i>" if subscription.paused else ""
            lines.append(f"{number}. <b>{escape(title)}</b> — {escape(described)}{paused}")
            toggle = (
                manage_button(f"{texts['resume']} {number}", "r", subscription.id)
                if subscription.paused
                else manage_button(f"{texts['pause']} {number}", "p", subscription.id)
            )
            rows.append(
                (toggle, manage_button(f"{texts['remove']} {number}", "x", subscription.id))
            )
        blocks.append("\n".join(lines))
    if not blocks:
        return Reply([text(lang, "none")], edit=edit, notice=notice)
    return Reply(["\n\n".join(blocks)], buttons=tuple(rows), edit=edit, notice=notice)
