"""The command menus Telegram shows next to the text box, in English and Spanish.

Private chats list every topic and the reference commands; groups get a shorter list
(topics, /help and the digest commands admins use), since a group's menu is shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.texts import en, es
from briefings.model import Catalog

DESCRIPTION_LIMIT = 256


@dataclass(frozen=True)
class Menu:
    scope: str  # "private" or "group"
    language: str  # "" for the default (English), or "es"
    commands: tuple[tuple[str, str], ...]


_REFERENCE = {"en": en.MENU_COMMANDS, "es": es.MENU_COMMANDS}


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
DESCRIPTIONS = {"en": en.DESCRIPTIONS, "es": es.DESCRIPTIONS}
