"""What the bot says to a line of text: plain functions, no Telegram, used by every front end.

``briefbot ask`` prints these replies; the console chat and (later) the Telegram handlers
send them. A reply is HTML messages, already split under Telegram's limits, and whether
the request was understood.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.render import escape, format_date, render_briefing, split_message, topic_name
from bot.search import CONFIDENT, WEAK, rank_commands, rank_topics, topic_by_command
from briefings.model import Catalog, Topic


@dataclass(frozen=True)
class Reply:
    messages: list[str]
    understood: bool = True
    choices: list[Topic] = field(default_factory=list)


_HELP = {
    "en": (
        "<b>briefbot</b> serves sourced news briefings about Mexico.\n"
        "Send a topic command, or just type what you want (typos welcome).\n\n"
        "{topics}\n\n/topics — all topics · /sources — the documents behind them · /about"
    ),
    "es": (
        "<b>briefbot</b> ofrece resúmenes de noticias sobre México, con sus fuentes.\n"
        "Envía un comando o escribe lo que buscas.\n\n"
        "{topics}\n\n/topics — temas · /sources — documentos · /about"
    ),
}


def _topic_lines(catalog: Catalog, lang: str) -> str:
    lines = []
    for topic in catalog.topics:
        command = topic.command_es if lang == "es" else topic.command
        description = topic.description_es if lang == "es" else topic.description_en
        lines.append(
            f"/{command} — <b>{escape(topic_name(topic, lang))}</b>: {escape(description)}"
        )
    return "\n".join(lines)


def help_reply(catalog: Catalog, lang: str = "en") -> Reply:
    return Reply(split_message([_HELP[lang].format(topics=_topic_lines(catalog, lang))]))


def sources_reply(catalog: Catalog, lang: str = "en") -> Reply:
    blocks = ["<b>Sources</b>" if lang == "en" else "<b>Fuentes</b>"]
    for document in catalog.documents:
        dated = f" · {format_date(document.as_of, lang)}" if document.as_of else ""
        lines = [f"<b>{escape(document.name)}</b>{dated}"]
        for key in document.articles:
            info = next(a for a in catalog.articles if a.key == key)
            when = f" ({format_date(info.date, lang)})" if info.date else ""
            lines.append(f"{info.number}. {escape(info.title)}{when}")
        blocks.append("\n".join(lines))
    return Reply(split_message(blocks))


def about_reply(catalog: Catalog) -> Reply:
    text = (
        "<b>About briefbot</b>\nEvery summary sentence, figure, date and quote is taken from "
        "a source document and cites it as [n]. Catalog version "
        f"<code>{escape(catalog.version)}</code>, built from {len(catalog.documents)} documents."
    )
    return Reply([text])


def briefing_reply(catalog: Catalog, topic: Topic, *, now: dt.datetime, lang: str = "en") -> Reply:
    briefing = catalog.briefing(topic.id)
    if briefing is None:
        return Reply([f"Nothing on <b>{escape(topic.name_en)}</b> in the catalog yet."], False)
    return Reply(split_message(render_briefing(catalog, briefing, now=now, lang=lang)))


def _choices_reply(matches: list[Topic], text: str) -> Reply:
    lines = [f"Not sure what “{escape(text)}” means. Did you mean:"]
    lines.extend(f"/{t.command} — {escape(t.name_en)}" for t in matches)
    return Reply(["\n".join(lines)], understood=False, choices=matches)


def _nothing_reply(catalog: Catalog, text: str) -> Reply:
    suggestions = " ".join(f"/{t.command}" for t in catalog.topics)
    return Reply(
        [f"I have nothing on “{escape(text)}”. Try one of: {suggestions}"], understood=False
    )


def answer(catalog: Catalog, text: str, *, now: dt.datetime, lang: str = "en") -> Reply:
    """The reply to one line a person typed."""
    text = text.strip()
    if not text:
        return Reply(["Send a topic such as /cuba, or type what you are looking for."], False)
    if text.startswith("/"):
        command = text.split()[0].lstrip("/").split("@", 1)[0].lower()
        if command in ("start", "help"):
            return help_reply(catalog, lang)
        if command == "topics":
            return Reply(split_message([_topic_lines(catalog, lang)]))
        if command == "sources":
            return sources_reply(catalog, lang)
        if command == "about":
            return about_reply(catalog)
        topic = topic_by_command(catalog, command)
        if topic is not None:
            return briefing_reply(catalog, topic, now=now, lang=lang)
        ranked = rank_commands(catalog, command)
        if ranked and ranked[0].score >= CONFIDENT - 6:
            return briefing_reply(catalog, ranked[0].topic, now=now, lang=lang)
        close = [m.topic for m in ranked if m.score >= WEAK + 8][:3]
        if close:
            return _choices_reply(close, text.split()[0])
        return Reply(
            [f"I don't know the command {escape(text.split()[0])}. Send /help for the topics."],
            understood=False,
        )
    ranked = rank_topics(catalog, text)
    if (
        ranked
        and ranked[0].score >= CONFIDENT
        and (len(ranked) == 1 or ranked[0].score - ranked[1].score >= 3)
    ):
        return briefing_reply(catalog, ranked[0].topic, now=now, lang=lang)
    close = [m.topic for m in ranked if m.score >= WEAK][:3]
    if close:
        return _choices_reply(close, text)
    return _nothing_reply(catalog, text)
