"""Search end to end: free text, /search, /buscar and inline mode on the real Application,
over HTTP to the local Bot API, which refuses what Telegram would (long messages, long
callback data, more than 50 inline results)."""

from __future__ import annotations

from localapi import LocalBotApiServer
from tests.conftest import FEB_FIRST
from tests.e2e.conftest import StartBot


def _ok(server: LocalBotApiServer) -> None:
    refused = [(c.method, c.response) for c in server.api.calls if c.status != 200]
    assert not refused, refused


async def test_questions_about_people_and_companies_get_cited_sentences(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    ana, chat = bot.person(40)
    (sheinbaum,) = await bot.say(chat, ana, "who is Sheinbaum")
    assert sheinbaum.plain.startswith("What the sources say about “Sheinbaum”")
    assert "President Claudia Sheinbaum" in sheinbaum.plain and "[1 ¶" in sheinbaum.plain
    await bot.press(sheinbaum, "📰 Cuba", ana)
    assert bot.api.sent_to(40)[-1].plain.startswith("Cuba–Mexico relations")
    (pemex,) = await bot.say(chat, ana, "/search Pemex oil")
    assert "Pemex" in pemex.plain and "Sources" in pemex.plain
    (harfuch,) = await bot.say(chat, ana, "/buscar García Harfuch")
    assert "García Harfuch" in harfuch.plain
    (usage,) = await bot.say(chat, ana, "/search")
    assert "/search Sheinbaum" in usage.plain
    (nothing,) = await bot.say(chat, ana, "/search quantum chromodynamics")
    assert "I have nothing on" in nothing.plain and "I cover" in nothing.plain
    _ok(bot.server)


async def test_a_spanish_reader_and_a_listing_with_its_calendar(start_bot: StartBot) -> None:
    bot = await start_bot(now=FEB_FIRST)
    rosa, chat = bot.person(41, "Rosa", language_code="es")
    (vizsla,) = await bot.say(chat, rosa, "Vizsla Silver")
    assert vizsla.plain.startswith("Lo que dicen las fuentes sobre “Vizsla Silver”")
    ana, chat = bot.person(42)
    (swan,) = await bot.say(chat, ana, "when is the next Swan Lake")
    assert "next listed date: Fri 27 Feb 2026, 20:30" in swan.plain
    await bot.press(swan, "📅 Moscow State Ballet", ana)
    document = bot.api.sent_to(42)[-1].document
    assert document is not None and b"Swan Lake" in document[1]
    _ok(bot.server)


async def test_inline_pemex_returns_results(start_bot: StartBot) -> None:
    bot = await start_bot()
    ana = bot.api.user(43, first_name="Ana")
    for query in ("pemex", "sheinbuam", "mexico"):
        await bot.handled(bot.api.inline_query(ana, query))
    answers = bot.api.calls_to("answerInlineQuery")
    assert len(answers) == 3 and all(a.status == 200 for a in answers)
    pemex = answers[0].params["results"]
    assert pemex and any(r["id"].startswith("s:") for r in pemex)
    assert any("Sheinbaum" in r["title"] for r in answers[1].params["results"])
    assert all(len(a.params["results"]) <= 50 for a in answers)
