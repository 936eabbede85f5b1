"""What people (and clients, and forgers) send a Telegram bot, as hypothesis strategies.

Text mixes the scripts and code points that break naive code: right-to-left Hebrew and
Arabic with direction marks, emoji built from several code points (ZWJ families, flags,
skin tones, keycaps), combining marks, zero-width characters, and text that looks like the
HTML or Markdown the bot itself writes; spaces of every kind (a bare "/" before an
ideographic space once failed before any handler); digits that are not 0-9 ("²" passes
``isdigit()`` but not ``int()``, "٣" is read by ``int()`` as 3); and ids past what the
store holds. Lengths go up to 10,000 characters, well past the
4,096 Telegram lets a person send, because a bot must not trust that limit either.
Surrogates are left out: they can't be encoded in the UTF-8 JSON Telegram sends.
"""

from __future__ import annotations

from hypothesis import strategies as st

BOT_USERNAME = "briefbot_test_bot"  # the local Bot API's default
LONG_TEXT = 10_000
INLINE_QUERY_LIMIT = 256

# Every command a handler answers (tests check this against the running application).
COMMANDS = tuple(
    """start help ayuda topics temas sources fuentes about acerca stats feeds
    cuba missing desaparecidos events eventos train tren security seguridad transfers
    traslados carnival carnaval subscribe suscribir suscribirse subscriptions
    suscripciones unsubscribe desuscribir cancelar timezone zona zonahoraria quiet silencio
    digest resumen search buscar""".split()
)
# Words the bot reads in arguments, so junk is mixed with what reaches deeper code.
VOCABULARY = (
    *"""cuba missing desaparecidos events eventos train security carnival mazatlán mazatlan
    guadalajara zapopan feb febrero march 2026 1999 next month this weekend today mañana
    daily diario weekly semanal monthly mensual mon lunes sun 1 31 32 0 07:30 7:30pm 24:00
    9h 25:61 off on all todas 22:00-07:00 07:00-07:00 @mychannel @a -1001234567890
    madrid America/Mexico_City Etc/GMT+14 UTC utc+5:45 Asia/Kathmandu America/ Etc/GMT+⁴
    ² ¹⁵ ٣ ٠٧:٣٠ ０７:３０ ७:३० ²²-⁷ 2147483648 9223372036854775808
    99999999999999999999""".split(),
    "next week",
    "fin de semana",
)
# Spaces str.split() breaks on, and two it does not (U+200B, U+FEFF): after a bare "/" too.
SPACES = (
    " ",
    "\n",
    "\t",
    "\r\n",
    "\u00a0",
    "\u1680",
    "\u2003",
    "\u2009",
    "\u202f",
    "\u205f",
    "\u2028",
    "\u0085",
    "\u3000",
    "\u200b",
    "\ufeff",
)
# Digits that are not 0-9 but that isdigit() accepts (and int() reads, some of them).
OTHER_DIGITS = ("²", "¹", "⁰", "₃", "٣", "۴", "७", "３", "𝟕", "①")
# Ids a forged button may carry: the first past PostgreSQL's INTEGER, SQLite's, and beyond.
OUT_OF_RANGE_IDS = (str(2**31), str(2**31 - 1), str(2**63), str(2**64), "9" * 40, "0")

_NOT_SURROGATES = st.characters(codec="utf-8")  # what UTF-8 JSON can carry
_HEBREW = st.characters(min_codepoint=0x0590, max_codepoint=0x05FF)
_ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
_DIRECTION_MARKS = st.sampled_from(
    [chr(c) for c in (0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
)
_ZERO_WIDTH = st.sampled_from(
    [chr(c) for c in (*range(0x200B, 0x2010), 0x2060, 0xFEFF, 0x00AD, 0x034F)]
)
_COMBINING = st.characters(categories=("Mn", "Mc", "Me"))
EMOJI = (
    "😀",
    "🇲🇽",
    "🇨🇺",
    "🏳️‍🌈",
    "🏴‍☠️",
    "👩‍👩‍👧‍👦",
    "👨🏽‍💻",
    "👍🏿",
    "1️⃣",
    "#️⃣",
    "❤️",
    "🫶🏼",
    "🧑‍🤝‍🧑",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",  # a tag sequence (Scotland)
    "\U0001f1f2",  # half a flag: a lone regional indicator
    "\u200d",  # a joiner with nothing to join
    "\ufe0f",
)
_EMOJI = st.sampled_from(EMOJI)
HTML_PIECES = (
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<u>",
    "</s>",
    "<code>",
    "</code>",
    "<pre>",
    '<pre><code class="language-python">',
    "<tg-spoiler>",
    '<span class="tg-spoiler">',
    "<blockquote expandable>",
    '<a href="https://example.com/?a=1&b=2">',
    "<a href='tg://user?id=1'>",
    "<a href=javascript:alert(1)>",
    "</a>",
    "<br>",
    "<br/>",
    "<script>alert(1)</script>",
    "<!-- -->",
    "<",
    ">",
    "</",
    "<>",
    "</>",
    "&",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&nbsp;",
    "&#x1F600;",
    "&#128512;",
    "&#0;",
    "&#xD800;",
    "&#1114112;",
    "&amp",
    "&#x;",
    '"',
    "'",
)
MARKDOWN_PIECES = (
    "*bold*",
    "**",
    "_x_",
    "__",
    "`",
    "```",
    "```python\nprint(1)\n```",
    "[a](b)",
    "[link](https://t.me/briefbot_test_bot?start=cuba)",
    "~~s~~",
    "||spoiler||",
    "\\",
    "\\*",
    ">quote",
    "# heading",
    "- item",
    "1. item",
)


def _repeated(seed: str, length: int) -> str:
    return (seed * (length // len(seed) + 1))[:length]


def unicode_text(max_size: int = LONG_TEXT) -> st.SearchStrategy[str]:
    """Text from every script the strategies above know, short or (repeated) very long."""
    piece = st.one_of(
        st.text(_NOT_SURROGATES, min_size=1, max_size=20),
        st.text(_HEBREW | _DIRECTION_MARKS | st.just(" "), min_size=1, max_size=20),
        st.text(_ARABIC | _DIRECTION_MARKS | st.just(" "), min_size=1, max_size=20),
        st.text(_COMBINING, min_size=1, max_size=8),
        st.text(_ZERO_WIDTH, min_size=1, max_size=8),
        _EMOJI,
        st.sampled_from(VOCABULARY),
        st.sampled_from(SPACES),
        st.sampled_from(OTHER_DIGITS),
        st.sampled_from(("/", "/\u3000", "/ ")),
    )
    short = st.lists(piece, min_size=1, max_size=12).map("".join)
    long = st.builds(_repeated, short, st.integers(min_value=max_size // 3, max_value=max_size))
    return (short | long).map(lambda text: text[:max_size]).filter(bool)


def markup_text(max_size: int = LONG_TEXT) -> st.SearchStrategy[str]:
    """Text that looks like HTML or Markdown: tags, entities, unclosed pieces."""
    piece = st.one_of(
        st.sampled_from(HTML_PIECES),
        st.sampled_from(MARKDOWN_PIECES),
        st.text(_NOT_SURROGATES, max_size=6),
        st.sampled_from(VOCABULARY),
    )
    short = st.lists(piece, min_size=1, max_size=16).map(" ".join)
    long = st.builds(
        _repeated, short.filter(bool), st.integers(min_value=max_size // 3, max_value=max_size)
    )
    return (short | long).map(lambda text: text[:max_size]).filter(bool)


def any_text(max_size: int = LONG_TEXT) -> st.SearchStrategy[str]:
    return unicode_text(max_size) | markup_text(max_size)


def arguments() -> st.SearchStrategy[str]:
    """The junk after a command: nothing, words the bot reads, or anything at all."""
    words = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6).map(" ".join)
    return st.one_of(st.just(""), words, any_text(), st.tuples(words, any_text()).map(" ".join))


def commands(known: tuple[str, ...] = COMMANDS) -> st.SearchStrategy[tuple[str, str, str]]:
    """(name, @suffix, arguments): a registered or made-up command, perhaps for a bot.

    The suffix is "" or an @name (ours in any case, or another bot's).
    """
    name = st.one_of(
        st.just(""),  # a bare "/", perhaps before a space and words
        st.sampled_from(known),
        st.from_regex(r"[A-Za-z0-9_]{1,64}", fullmatch=True),
        st.text(_NOT_SURROGATES, min_size=1, max_size=30).filter(_one_word),
        st.builds(_repeated, st.sampled_from(known), st.integers(65, LONG_TEXT)),
    )
    suffix = st.sampled_from(
        ("", "", f"@{BOT_USERNAME}", f"@{BOT_USERNAME.upper()}", "@other_bot", "@x")
    )
    return st.tuples(name, suffix, arguments())


def _one_word(name: str) -> bool:
    """A made-up command name that stays one word, so an @suffix stays attached to it."""
    return not any(char.isspace() or char == "@" for char in name)


def command_text(name: str, suffix: str, args: str, separator: str = " ") -> str:
    return f"/{name}{suffix}{separator}{args}" if args else f"/{name}{suffix}"


SEPARATORS = st.sampled_from((" ", " ", "\n", "\t", "  ", "\u3000", "\u00a0"))


def deep_link_payloads() -> st.SearchStrategy[str]:
    """What a t.me/bot?start= link can carry, and what a hand-typed /start can."""
    topic = st.sampled_from(("cuba", "events", "eventos", "tren", "nope", "CUBA", "events_"))
    tail = st.from_regex(r"[A-Za-z0-9_-]{0,70}", fullmatch=True)
    return st.one_of(
        st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
        st.tuples(topic, tail).map("_".join),
        st.tuples(topic, st.lists(st.sampled_from(VOCABULARY), max_size=4)).map(
            lambda parts: "_".join([parts[0], *parts[1]])
        ),
        st.text(_NOT_SURROGATES, min_size=1, max_size=100).filter(lambda t: bool(t.split())),
    )


def callback_data() -> st.SearchStrategy[str]:
    """Forged callback data: anything up to Telegram's 64 bytes, in the bot's shape or not."""
    kind = st.sampled_from("tpseixwmz")
    version = st.sampled_from(("", "0123456789ab", "ffffffffffffffff", "zz", "ec6f53cc678"))
    argument = st.one_of(
        st.sampled_from(
            (
                "cuba",
                "events",
                "nope",
                "~",
                "~~",
                "guadalajara~20260201~20260301",
                "~20269999~",
                "~x~y~z",
                "999999",
                "-1",
                "p.1",
                "x.1",
                "r.999999",
                "p.",
                "cuba.d.0.0730",
                "events~guadalajara.m.1.0900",
                "cuba.w.9.0730",
                "cuba.d.0.2561",
                "nope.d.0.0730",
                ".....",
                "cuba.d.²",
                "cuba.m.¹⁵.0900",
                "cuba.d.0.٠٧٣٠",
                # Guided steps a forger writes: a city without listings, a near-miss topic,
                # dates in a subject, days outside their cadence, a time past 23:59, a
                # cadence without its day (issue 16: all were stored).
                "events~zzzz.d.0.0900",
                "events~feb.m.1.0900",
                "events~free.w.1.0900",
                "events~.d.0.0900",
                "cubaa.d.0.0900",
                "cuba.w.31.0900",
                "cuba.w.7.0900",
                "cuba.m.0.0900",
                "cuba.m.32.0900",
                "cuba.d.5.0900",
                "cuba.d.0.2400",
                "cuba.m",
                "cuba.w",
                "cuba.d",
                "events~guadalajara.w.6",
            )
        ),
        st.tuples(st.sampled_from(("p.", "r.", "x.", "")), st.sampled_from(OUT_OF_RANGE_IDS)).map(
            "".join
        ),
        st.tuples(st.sampled_from(("p.", "r.", "x.", "")), st.sampled_from(OTHER_DIGITS)).map(
            "".join
        ),
        st.from_regex(r"[\w~.-]{0,48}", fullmatch=True),
    )
    page = st.sampled_from(("0", "1", "2", "999", "-1", "", "0001", "x", *OTHER_DIGITS))
    shaped = st.tuples(kind, version, argument, page).map("|".join)
    raw = st.text(_NOT_SURROGATES, min_size=1, max_size=16) | st.from_regex(
        r"[ -~]{1,64}", fullmatch=True
    )
    from_bytes = st.binary(min_size=1, max_size=32).map(lambda b: b.decode("latin-1"))
    return (shaped | raw | from_bytes).filter(lambda d: 1 <= len(d.encode()) <= 64)


LANGUAGES = st.sampled_from(("en", "es", "es-MX", "pt-br", "zz", None))
