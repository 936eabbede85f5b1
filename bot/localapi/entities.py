"""Telegram's HTML parse mode, checked as strictly as Telegram checks it.

:func:`parse_html` returns the text a reader sees, or raises :class:`EntityParseError`
with Telegram's wording, so a message that passes here is one Telegram would accept.
"""

from __future__ import annotations

import re

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>"
)
_ATTRIBUTE = re.compile(r"([\w-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")


class EntityParseError(ValueError):
    """What Telegram answers: 400 Bad Request: can't parse entities."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _check_attributes(name: str, raw: str, text: str, index: int) -> None:
    attributes = {key.lower(): value for key, value in _ATTRIBUTE.findall(raw)}
    if name == "a" and "href" not in attributes:
        return  # Telegram drops an <a> without href silently; it is not an error
    if name == "span" and attributes.get("class", "").strip("\"'") != "tg-spoiler":
        raise EntityParseError(
            f'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte '
            f"offset {_offset(text, index)}"
        )


def parse_html(text: str) -> str:
    """The plain text of a Telegram HTML message; raises :class:`EntityParseError`."""
    plain: list[str] = []
    stack: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "<":
            match = _TAG.match(text, index)
            if match is None:
                raise EntityParseError(
                    "Can't parse entities: unsupported start tag at byte offset "
                    f"{_offset(text, index)}"
                )
            closing, name, raw = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                raise EntityParseError(
                    f'Can\'t parse entities: unsupported start tag "{name}" at byte offset '
                    f"{_offset(text, index)}"
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise EntityParseError(
                        "Can't parse entities: unexpected end tag at byte offset "
                        f"{_offset(text, index)}"
                    )
                stack.pop()
            else:
                _check_attributes(name, raw, text, index)
                stack.append(name)
            index = match.end()
        elif char == "&":
            match = _ENTITY.match(text, index)
            if match is None:
                raise EntityParseError(
                    "Can't parse entities: character '&' is reserved and must be escaped "
                    f"at byte offset {_offset(text, index)}"
                )
            decimal, hexadecimal, name = match.groups()
            if name is not None:
                if name not in NAMED_ENTITIES:
                    raise EntityParseError(
                        f'Can\'t parse entities: unsupported entity name "{name}" at byte '
                        f"offset {_offset(text, index)}"
                    )
                plain.append(NAMED_ENTITIES[name])
            else:
                code = int(decimal) if decimal else int(hexadecimal, 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise EntityParseError(
                        "Can't parse entities: invalid character code at byte offset "
                        f"{_offset(text, index)}"
                    )
                plain.append(chr(code))
            index = match.end()
        else:  # plain text up to the next tag or entity, in one step ('>' alone is fine)
            following = _SPECIAL.search(text, index)
            stop = following.start() if following else len(text)
            plain.append(text[index:stop])
            index = stop
    if stack:
        raise EntityParseError(
            f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(plain)
