"""The command menus Telegram shows next to the text box, in English and Spanish.

Private chats list every topic and the reference commands; groups get a shorter list
(topics, /help and the digest commands admins use), since a group's menu is shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefings.model import Catalog

DESCRIPTION_LIMIT = 256


@dataclass(frozen=True)
class Menu:
    scope: str  # "private" or "group"
    language: str  # "" for the default (English), or "es"
    commands: tuple[tuple[str, str], ...]


_REFERENCE = {
    "en": (
        ("topics", "All topics as buttons"),
        ("sources", "The documents behind the briefings"),
        ("help", "How to ask, with examples"),
        ("about", "How briefings cite their sources"),
        ("subscribe", "Get a digest daily, weekly or monthly"),
        ("subscriptions", "Your digests: pause or remove them"),
        ("timezone", "Your time zone for digests"),
        ("quiet", "Hours with no digests, e.g. 22:00-07:00"),
        ("digest", "Preview a digest now"),
    ),
    "es": (
        ("topics", "Todos los temas"),
        ("sources", "Los documentos detrás de los resúmenes"),
        ("help", "Cómo preguntar, con ejemplos"),
        ("about", "Cómo citan sus fuentes los resúmenes"),
        ("subscribe", "Recibe un resumen diario, semanal o mensual"),
        ("subscriptions", "Tus resúmenes: pausar o quitar"),
        ("timezone", "Tu zona horaria para los resúmenes"),
        ("quiet", "Horas sin resúmenes, p. ej. 22:00-07:00"),
        ("digest", "Ver un resumen ahora"),
    ),
}


# A group's menu is shared: topics, help, and what its admins use to set up digests.
_GROUP_REFERENCE = ("help", "subscribe", "subscriptions", "timezone")


def menus(catalog: Catalog) -> list[Menu]:
    found = []
    for lang in ("en", "es"):
        topics = tuple(
            (
                topic.command_es if lang == "es" else topic.command,
                (topic.description_es if lang == "es" else topic.description_en)[
                    :DESCRIPTION_LIMIT
                ],
            )
            for topic in catalog.topics
        )
        help_only = tuple(c for c in _REFERENCE[lang] if c[0] in _GROUP_REFERENCE)
        language = "" if lang == "en" else lang
        found.append(Menu("private", language, topics + _REFERENCE[lang]))
        found.append(Menu("group", language, topics + help_only))
    return found


# What Telegram shows in an empty chat ("What can this bot do?") and on the bot's profile.
DESCRIPTIONS = {
    "en": (
        "Short, sourced briefings on news from Mexico: Cuba–Mexico relations, missing "
        "persons, security, the Toluca train, listings in Guadalajara and more. Every "
        "sentence and figure cites its article. Type a topic, a question, or @ me in any chat.",
        "Sourced news briefings about Mexico, with listings and calendar files.",
    ),
    "es": (
        "Resúmenes breves de noticias de México, con fuentes: relaciones Cuba–México, "
        "personas desaparecidas, seguridad, el tren a Toluca, la cartelera de Guadalajara y "
        "más. Cada frase y cifra cita su artículo. Escribe un tema o una pregunta.",
        "Resúmenes de noticias de México con fuentes, cartelera y calendario.",
    ),
}
