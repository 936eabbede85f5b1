"""What the bot says about subscriptions: the guided steps, confirmations and lists.

Plain data like :mod:`bot.conversation.answers`. The guided ``/subscribe`` keeps its progress
in the buttons themselves (``what.cadence.day.HHMM`` in the callback data), so there is no
conversation state to lose on a restart, and each step edits the same message.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.conversation import callbacks
from bot.conversation.callbacks import Action
from bot.conversation.render import MESSAGE_LIMIT, escape, format_moment, utf16_len
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
PAGE_SIZE = 10  # subscriptions per page of /subscriptions: 20 buttons, well under 100
PAGE_BUDGET = MESSAGE_LIMIT - 96  # a page's lines, leaving room for "Page 2 of 11"
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
            # Only the shape: whether it is a time is for the rules the command meets too
            # (bot.subscriptions.requests.checked_partial).
            if at is not None and (read_number(parts[3]) is None or len(parts[3]) != 4):
                return None
        except KeyError:
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


def button_tag(key: bytes, shown_in: int, subscription_id: int) -> str:
    """What binds a subscription's buttons to the chat they were shown in.

    Ids are sequential and visible, so a button names its subscription together with this
    signature of (chat, id) under the bot's own key: nobody can make one for an id they
    were not shown, and one chat's buttons do nothing when their data is sent from another.
    Twelve characters (72 bits) keep the data well inside Telegram's 64 bytes.
    """
    digest = hmac.new(key, f"{shown_in}:{subscription_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:9]).decode()


def manage_button(label: str, operation: str, subscription_id: int, tag: str, page: int) -> Button:
    """Pause (p), resume (r) or remove (x) one subscription, then show ``page`` again."""
    argument = f"{operation}.{subscription_id}.{tag}"
    return Button(label, callbacks.encode(Action("manage", "", argument, page)))


def page_button(label: str, page: int) -> Button:
    return Button(label, callbacks.encode(Action("manage", "", "l", page)))


@dataclass(frozen=True)
class _Listed:
    """One line of the list: a subscription, its chat and its number across all pages."""

    chat: ChatRecord
    zone: str
    number: int
    subscription: Subscription
    line: str


def _listed(
    catalog: Catalog,
    groups: Sequence[tuple[ChatRecord, Sequence[Subscription], str]],
    lang: str,
) -> list[_Listed]:
    paused = f" · <i>{TEXTS[lang]['paused']}</i>"
    found: list[_Listed] = []
    for chat, subscriptions, zone in groups:
        for subscription in subscriptions:
            number = len(found) + 1
            title = _subject_title(catalog, subscription.what, lang)
            described = describe(schedule_for(subscription, zone), lang)
            line = f"{number}. <b>{escape(title)}</b> — {escape(described)}"
            found.append(
                _Listed(
                    chat,
                    zone,
                    number,
                    subscription,
                    line + (paused if subscription.paused else ""),
                )
            )
    return found


def _page_text(listed: Sequence[_Listed], lang: str) -> str:
    """The lines under a heading per chat (repeated on each page the chat's lines reach)."""
    blocks: list[list[str]] = []
    chat_id: int | None = None
    for entry in listed:
        if entry.chat.id != chat_id:
            chat_id = entry.chat.id
            title = entry.chat.title if entry.chat.type == "channel" else None
            where = escape(f" · {title}") if title else ""
            blocks.append([text(lang, "list_head", where=where, zone=entry.zone)])
            if not entry.chat.active:  # a digest was refused (403): say why nothing arrives
                blocks[-1].append(text(lang, "unreachable"))
        blocks[-1].append(entry.line)
    return "\n\n".join("\n".join(block) for block in blocks)


def _pages(listed: Sequence[_Listed], lang: str) -> list[list[_Listed]]:
    """The list cut into pages of at most :data:`PAGE_SIZE` lines that fit one message."""
    pages: list[list[_Listed]] = [[]]
    for entry in listed:
        candidate = [*pages[-1], entry]
        if pages[-1] and (
            len(candidate) > PAGE_SIZE or utf16_len(_page_text(candidate, lang)) > PAGE_BUDGET
        ):
            pages.append([entry])
        else:
            pages[-1] = candidate
    return pages


def subscription_list(
    catalog: Catalog,
    groups: Sequence[tuple[ChatRecord, Sequence[Subscription], str]],
    *,
    lang: str,
    sign: Callable[[int], str],
    page: int = 0,
    edit: bool = False,
    notice: str | None = None,
) -> Reply:
    """One page of each chat's subscriptions (this chat's, then channels this person runs).

    Telegram takes 4096 characters and about a hundred buttons per message, so the list
    is paged: :data:`PAGE_SIZE` subscriptions (two buttons each) and a row to go back and
    on. Numbers run across pages, and each button brings its own page back after a change.
    ``sign`` gives the tag that binds a subscription's buttons to this chat.
    """
    texts = TEXTS[lang]
    listed = _listed(catalog, groups, lang)
    if not listed:
        return Reply([text(lang, "none")], edit=edit, notice=notice)
    pages = _pages(listed, lang)
    page = min(max(page, 0), len(pages) - 1)
    shown = pages[page]
    message = _page_text(shown, lang)
    rows: list[tuple[Button, ...]] = []
    for entry in shown:
        number, subscription = entry.number, entry.subscription
        tag = sign(subscription.id)
        toggle = (
            manage_button(f"{texts['resume']} {number}", "r", subscription.id, tag, page)
            if subscription.paused
            else manage_button(f"{texts['pause']} {number}", "p", subscription.id, tag, page)
        )
        remove = manage_button(f"{texts['remove']} {number}", "x", subscription.id, tag, page)
        rows.append((toggle, remove))
    if len(pages) > 1:
        message += "\n\n" + text(lang, "list_page", page=page + 1, pages=len(pages))
        way = []
        if page > 0:
            way.append(page_button(text(lang, "list_previous"), page - 1))
        if page < len(pages) - 1:
            way.append(page_button(text(lang, "list_next"), page + 1))
        rows.append(tuple(way))
    return Reply([message], buttons=tuple(rows), edit=edit, notice=notice)
