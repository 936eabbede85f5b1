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
from bot.store import ChatRecord, Subscription
from briefings.model import Catalog

TIMES = ("07:00", "08:00", "09:00", "12:00", "18:00", "21:00")
FEATURED_CITIES = ("guadalajara",)  # listings digests offered as buttons
_CADENCE_CODES = {"d": "daily", "w": "weekly", "m": "monthly"}

TEXTS = {
    "en": {
        "ask_what": "<b>Subscribe</b> — what should the digest follow?",
        "ask_cadence": "<b>{title}</b> — how often?",
        "ask_weekday": "<b>{title}</b> — on which day?",
        "ask_time": (
            "<b>{title}</b>, {schedule} — at what time? Times are in {zone} "
            "(change it with /timezone). Or type e.g. <code>{example}</code>."
        ),
        "daily": "Daily",
        "weekly": "Weekly",
        "monthly": "Monthly (on the 1st)",
        "days": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "all_listings": "All listings",
        "subscribed": (
            "✅ Subscribed{where}: <b>{title}</b>, {schedule} ({zone}).\n"
            "Next digest: {next}.{quiet}\n"
            "/subscriptions to pause or remove it · /digest for a preview now"
        ),
        "updated": (
            "✅ Updated{where}: <b>{title}</b>, now {schedule} ({zone}).\n"
            "Next digest: {next}.{quiet}"
        ),
        "quiet_note": " That time is in your quiet hours ({start}–{end}): it arrives at {end}.",
        "none": (
            "No subscriptions here yet. Try <code>/subscribe cuba daily 07:30</code>, "
            "<code>/subscribe events guadalajara monthly 09:00</code> or just /subscribe."
        ),
        "list_head": "<b>Subscriptions</b>{where} · times in {zone}",
        "paused": "paused",
        "pause": "⏸ Pause",
        "resume": "▶ Resume",
        "remove": "✖ Remove",
        "removed": "Removed: {title}.",
        "removed_all": "Removed {n} subscription(s).",
        "not_subscribed": "There is no subscription to {title} here. /subscriptions lists them.",
        "gone": "That subscription no longer exists.",
        "admins_only": (
            "Only the group's administrators can change its subscriptions and settings. "
            "Anyone can read them with /subscriptions."
        ),
        "channel_private": (
            "Subscribe a channel from your private chat with me: "
            "<code>/subscribe @channel events guadalajara monthly 09:00</code>"
        ),
        "channel_missing": (
            "I can't find {channel}. Add me to the channel as an administrator, then try again."
        ),
        "channel_not_channel": "{channel} is not a channel.",
        "channel_bot": (
            "I'm not an administrator of {channel} who can post. Make me one, then try again."
        ),
        "channel_user": "Only an administrator of {channel} can subscribe it.",
        "channel_complete": (
            "For a channel, say everything in one line: "
            "<code>/subscribe {channel} events guadalajara monthly 09:00</code>"
        ),
        "zone_now": (
            "This chat's time zone is <b>{zone}</b>; digests go out at local times there. "
            "Change it with <code>/timezone America/Mexico_City</code> or a city, "
            "e.g. <code>/timezone madrid</code>."
        ),
        "zone_set": "🕑 Time zone set to <b>{label}</b>.{guess} Digests follow local time there.",
        "zone_guess": " (I read “{text}” as {label}.)",
        "zone_unknown": (
            "I don't know the time zone “{text}”. Send a city or an IANA name, "
            "e.g. <code>/timezone America/Mexico_City</code> or <code>/timezone madrid</code>."
        ),
        "zone_suggest": " Did you mean: {names}?",
        "quiet_now": (
            "Quiet hours: <b>{window}</b>. Digests due then arrive when they end. "
            "Set them with <code>/quiet 22:00-07:00</code>, or <code>/quiet off</code>."
        ),
        "quiet_none": "none",
        "quiet_set": "🌙 Quiet hours set to <b>{start}–{end}</b> ({zone}).",
        "quiet_off": "Quiet hours are off.",
        "preview_none": (
            "A preview of what digest? Try <code>/digest cuba</code> or "
            "<code>/digest events guadalajara</code>."
        ),
        "unavailable": (
            "Subscriptions are not available right now; briefings still are. "
            "Please try again in a few minutes."
        ),
        "database_away": (
            "⏳ I can't reach the subscriptions database right now. Please try again in a "
            "minute; briefings work as usual, and digests due meanwhile will still come."
        ),
    },
    "es": {
        "ask_what": "<b>Suscribirse</b> — ¿qué debe seguir el resumen?",
        "ask_cadence": "<b>{title}</b> — ¿cada cuánto?",
        "ask_weekday": "<b>{title}</b> — ¿qué día?",
        "ask_time": (
            "<b>{title}</b>, {schedule} — ¿a qué hora? Horas en {zone} "
            "(cámbiala con /timezone). O escribe p. ej. <code>{example}</code>."
        ),
        "daily": "Diario",
        "weekly": "Semanal",
        "monthly": "Mensual (el día 1)",
        "days": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
        "all_listings": "Toda la cartelera",
        "subscribed": (
            "✅ Suscrito{where}: <b>{title}</b>, {schedule} ({zone}).\n"
            "Próximo resumen: {next}.{quiet}\n"
            "/subscriptions para pausarla o quitarla · /digest para verlo ahora"
        ),
        "updated": (
            "✅ Actualizado{where}: <b>{title}</b>, ahora {schedule} ({zone}).\n"
            "Próximo resumen: {next}.{quiet}"
        ),
        "quiet_note": " Esa hora cae en tus horas de silencio ({start}–{end}): llega a las {end}.",
        "none": (
            "Aún no hay suscripciones aquí. Prueba <code>/suscribir cuba diario 07:30</code>, "
            "<code>/suscribir eventos guadalajara mensual 09:00</code> o solo /suscribir."
        ),
        "list_head": "<b>Suscripciones</b>{where} · horas en {zone}",
        "paused": "en pausa",
        "pause": "⏸ Pausar",
        "resume": "▶ Reanudar",
        "remove": "✖ Quitar",
        "removed": "Quitada: {title}.",
        "removed_all": "Quitadas {n} suscripciones.",
        "not_subscribed": "No hay suscripción a {title} aquí. /subscriptions las muestra.",
        "gone": "Esa suscripción ya no existe.",
        "admins_only": (
            "Solo los administradores del grupo pueden cambiar sus suscripciones y ajustes. "
            "Cualquiera puede verlas con /subscriptions."
        ),
        "channel_private": (
            "Suscribe un canal desde tu chat privado conmigo: "
            "<code>/suscribir @canal eventos guadalajara mensual 09:00</code>"
        ),
        "channel_missing": (
            "No encuentro {channel}. Agrégame al canal como administrador y vuelve a intentarlo."
        ),
        "channel_not_channel": "{channel} no es un canal.",
        "channel_bot": (
            "No soy administrador de {channel} con permiso para publicar. Hazme uno e inténtalo."
        ),
        "channel_user": "Solo un administrador de {channel} puede suscribirlo.",
        "channel_complete": (
            "Para un canal, dilo todo en una línea: "
            "<code>/suscribir {channel} eventos guadalajara mensual 09:00</code>"
        ),
        "zone_now": (
            "La zona horaria de este chat es <b>{zone}</b>; los resúmenes siguen su hora local. "
            "Cámbiala con <code>/timezone America/Mexico_City</code> o una ciudad, "
            "p. ej. <code>/timezone madrid</code>."
        ),
        "zone_set": "🕑 Zona horaria: <b>{label}</b>.{guess} Los resúmenes siguen su hora local.",
        "zone_guess": " (Entendí «{text}» como {label}.)",
        "zone_unknown": (
            "No conozco la zona horaria «{text}». Envía una ciudad o un nombre IANA, "
            "p. ej. <code>/timezone America/Mexico_City</code> o <code>/timezone madrid</code>."
        ),
        "zone_suggest": " ¿Quisiste decir: {names}?",
        "quiet_now": (
            "Horas de silencio: <b>{window}</b>. Lo que toque entonces llega al terminar. "
            "Ajústalas con <code>/quiet 22:00-07:00</code> o <code>/quiet off</code>."
        ),
        "quiet_none": "ninguna",
        "quiet_set": "🌙 Horas de silencio: <b>{start}–{end}</b> ({zone}).",
        "quiet_off": "Horas de silencio desactivadas.",
        "preview_none": (
            "¿Qué resumen quieres ver? Prueba <code>/digest cuba</code> o "
            "<code>/digest eventos guadalajara</code>."
        ),
        "unavailable": (
            "Las suscripciones no están disponibles ahora; los resúmenes sí. "
            "Inténtalo de nuevo en unos minutos."
        ),
        "database_away": (
            "⏳ No puedo acceder ahora a la base de datos de suscripciones. Inténtalo de nuevo "
            "en un minuto; los resúmenes funcionan como siempre y los envíos pendientes "
            "llegarán igual."
        ),
    },
}


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
            day = int(parts[2]) if len(parts) > 2 else None
            at = f"{parts[3][:2]}:{parts[3][2:]}" if len(parts) > 3 else None
            if at is not None:
                dt.time.fromisoformat(at)
        except (KeyError, ValueError):
            return None
        if len(parts) > 4 or (day is not None and not 0 <= day <= 31):
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
