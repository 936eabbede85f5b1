"""Telegram's HTML parse mode, checked the way Telegram checks it.

:func:`parse_html` follows TDLib's parser (the code behind the Bot API): the same tags, the
same attribute rules, the same error texts and byte offsets. It returns the text a reader
sees, so limits can be counted on it as Telegram counts them. One deliberate difference:
Telegram keeps a stray ``&`` (or ``&nbsp;``) as literal text, which silently shows the reader
markup; here every ``&`` must start ``&lt;``, ``&gt;``, ``&amp;``, ``&quot;`` or ``&#…;``, so
forgetting to escape is caught in tests rather than seen by users.
"""

from __future__ import annotations

import re

TAGS = frozenset(
    "a b strong i em u ins s strike del span tg-spoiler tg-emoji code pre blockquote".split()
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\n\r\v\f"
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([a-zA-Z]+));")
_NAME_TOKEN = re.compile(r"[a-zA-Z0-9.-]*")
_SPECIAL = re.compile(r"[<&]")


class EntityParseError(ValueError):
    """Telegram's "can't parse entities" refusal; ``str()`` is the description."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"Can't parse entities: {problem}")
        self.description = str(self)


def parse_html(text: str) -> str:
    """The visible text of ``text`` in HTML parse mode; raises :class:`EntityParseError`."""
    return _Parser(text).run()


class _Parser:
    """TDLib's ``parse_html`` step by step, on code points, reporting UTF-8 byte offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.plain: list[str] = []
        self.length = 0  # of the visible text so far, in code points
        self.open: list[tuple[str, str, int]] = []  # tag, argument, self.length at the tag

    def offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8", "surrogatepass"))

    def fail(self, problem: str, index: int | None = None) -> EntityParseError:
        if index is not None:
            problem += f" at byte offset {self.offset(index)}"
        return EntityParseError(problem)

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def skip_spaces(self) -> None:
        while self.peek() and self.peek() in _SPACE:
            self.at += 1

    def run(self) -> str:
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char == "<":
                self.tag()
                continue
            if char == "&":
                visible = self.entity()
            else:  # a run of plain text; a lone '>' is plain text too
                following = _SPECIAL.search(text, self.at)
                stop = following.start() if following else len(text)
                visible, self.at = text[self.at : stop], stop
            self.plain.append(visible)
            self.length += len(visible)
        if self.open:
            tag = self.open[-1][0]
            raise self.fail(f'can\'t find end tag corresponding to start tag "{tag}"')
        return "".join(self.plain)

    def entity(self) -> str:
        match = _ENTITY.match(self.text, self.at)
        if match is None:
            raise self.fail("character '&' is reserved and must be escaped as &amp;", self.at)
        hexadecimal, decimal, name = match.groups()
        if name is not None and name not in NAMED_ENTITIES:
            raise self.fail(f'unsupported entity name "{name}"', self.at)
        if name is not None:
            char = NAMED_ENTITIES[name]
        else:
            code = int(hexadecimal, 16) if hexadecimal else int(decimal)
            if not 0 < code < 0x10FFFF or match.end() - self.at > 10:
                raise self.fail(f"invalid character reference {match.group()!r}", self.at)
            if 0xD800 <= code <= 0xDFFF:
                raise self.fail(
                    "text contains invalid Unicode characters after decoding HTML entities, "
                    "check for unmatched surrogate code units"
                )
            char = chr(code)
        self.at = match.end()
        return char

    def tag(self) -> None:
        begin = self.at
        self.at += 1
        if self.peek() == "/":
            self.end_tag(begin)
            return
        while self.peek() and self.peek() not in _SPACE and self.peek() != ">":
            self.at += 1
        if not self.peek():
            raise self.fail("unclosed start tag", begin)
        name = self.text[begin + 1 : self.at].lower()
        if name not in TAGS:
            raise self.fail(f'unsupported start tag "{name}"', begin)
        argument = ""
        while self.peek() != ">":
            attribute, value = self.attribute(name, begin)
            if name == "a" and attribute == "href":
                argument = value
            elif name == "span" and attribute == "class" and value.startswith("tg-"):
                argument = value[3:]
            elif name == "tg-emoji" and attribute == "emoji-id":
                argument = value
        if name == "span" and argument != "spoiler":
            raise self.fail('tag "span" must have class "tg-spoiler"', begin)
        self.at += 1
        self.open.append((name, argument, self.length))

    def attribute(self, tag: str, begin: int) -> tuple[str, str]:
        """One ``name``, ``name=token`` or ``name="value"``; TDLib ignores unknown ones."""
        self.skip_spaces()
        if self.peek() == ">":
            return "", ""
        start = self.at
        while self.peek() and self.peek() not in _SPACE and self.peek() not in "=>":
            self.at += 1
        attribute = self.text[start : self.at]
        if not attribute:
            raise self.fail(f'empty attribute name in the tag "{tag}"', begin)
        self.skip_spaces()
        if self.peek() != "=":  # a bare attribute, like <blockquote expandable>
            if not self.peek():
                raise self.fail(f'unclosed start tag "{tag}"', begin)
            return attribute, ""
        self.at += 1
        self.skip_spaces()
        quote = self.peek()
        if not quote:
            raise self.fail(f'unclosed start tag "{tag}"', begin)
        if quote not in "'\"":
            token = _NAME_TOKEN.match(self.text, self.at)
            assert token is not None  # the pattern matches the empty string
            self.at = token.end()
            if not self.peek():
                raise self.fail("unclosed start tag", begin)
            if self.peek() not in _SPACE and self.peek() != ">":
                raise self.fail("unexpected end of name token", token.start())
            return attribute, token.group().lower()
        self.at += 1
        value: list[str] = []
        while self.peek() and self.peek() != quote:
            if self.peek() == "&":
                value.append(self.entity())
            else:
                value.append(self.peek())
                self.at += 1
        if not self.peek():
            raise self.fail("unclosed start tag", begin)
        self.at += 1
        return attribute, "".join(value)

    def end_tag(self, begin: int) -> None:
        if not self.open:
            raise self.fail("unexpected end tag", begin)
        start = self.at + 1
        self.at = start
        while self.peek() and self.peek() not in _SPACE and self.peek() != ">":
            self.at += 1
        name = self.text[start : self.at].lower()
        self.skip_spaces()
        if self.peek() != ">":
            raise self.fail("unclosed end tag", begin)
        self.at += 1
        tag, argument, start_length = self.open.pop()
        if name and name != tag:  # "</>" closes whatever is open, as in TDLib
            raise self.fail(
                f"unmatched end tag at byte offset {self.offset(begin)}, "
                f'expected "</{tag}>", found "</{name}>"'
            )
        has_text = self.length > start_length  # TDLib makes no entity of an empty tag
        if tag == "tg-emoji" and has_text and not (argument.isdigit() and int(argument) > 0):
            raise self.fail("invalid custom emoji identifier specified")
