"""The plain replies: pages and buttons, stale buttons, deep links, calendar files, menus."""

from __future__ import annotations

import dataclasses

import icalendar
import pytest

from bot.console.html_entities import parse_html
from bot.conversation import callbacks
from bot.conversation.answers import Answers, language_of
from bot.conversation.callbacks import Action
from bot.conversation.deeplinks import read_payload
from bot.conversation.inline_results import INLINE_LIMIT, inline_results
from bot.conversation.menus import menus
from bot.conversation.render import to_plain, utf16_len
from bot.conversation.reply import Reply
from briefings.model import Catalog
from tests.conftest import FEB_FIRST, TODAY


@pytest.fixture(scope="module")
def answers(catalog: Catalog) -> Answers:
    return Answers(catalog, "briefbot_test_bot")


def _all_data(reply: Reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row if b.data]


def _assert_valid(reply: Reply) -> None:
    for message in reply.messages:
        assert utf16_len(parse_html(message)) <= 4096
    for data in _all_data(reply):
        assert len(data.encode()) <= 64 and callbacks.decode(data) is not None


def test_a_long_briefing_is_paged_with_more_and_back(answers: Answers, catalog: Catalog) -> None:
    topic = catalog.topic("cuba")
    assert topic is not None
    first = answers.briefing(topic, now=TODAY, lang="en")
    _assert_valid(first)
    labels = [b.text for row in first.buttons for b in row]
    assert any(label.startswith("More ›") for label in labels)
    assert not any(label.startswith("‹ Back") for label in labels)
    more = next(b for row in first.buttons for b in row if b.text.startswith("More"))
    second = answers.button(more.data, now=TODAY, lang="en")
    assert second.edit and second.messages[0] != first.messages[0]
    assert any(b.text == "‹ Back" for row in second.buttons for b in row)
    back = next(b for row in second.buttons for b in row if b.text == "‹ Back")
    assert answers.button(back.data, now=TODAY, lang="en").messages == first.messages


def test_every_page_and_the_sources_page_fit_and_cite(answers: Answers, catalog: Catalog) -> None:
    for topic in catalog.topics:
        page = 0
        while True:
            reply = answers.briefing(topic, now=TODAY, lang="en", page=page)
            _assert_valid(reply)
            if not any(b.text.startswith("More") for row in reply.buttons for b in row):
                break
            page += 1
        sources = answers.button(
            callbacks.encode(Action("sources", catalog.version, topic.id, 0)), now=TODAY, lang="en"
        )
        assert sources.edit and to_plain(sources.messages[0]).startswith("Sources")


def test_a_button_from_an_older_catalog_gets_the_current_briefing(
    answers: Answers, catalog: Catalog
) -> None:
    stale = callbacks.encode(Action("page", "0123456789ab", "cuba", 3))
    reply = answers.button(stale, now=TODAY, lang="en")
    assert reply.notice and "updated" in reply.notice
    topic = catalog.topic("cuba")
    assert topic is not None
    assert reply.messages == answers.briefing(topic, now=TODAY, lang="en").messages


@pytest.mark.parametrize(
    "data", [None, "", "garbage", "p|zz|cuba|1", "p|" + "a" * 70, "q|x|y|1", "p|ab|cuba|-1"]
)
def test_forged_button_data_gets_the_topics(answers: Answers, data: str | None) -> None:
    reply = answers.button(data, now=TODAY, lang="en")
    assert not reply.understood and reply.notice and reply.buttons


def test_a_removed_topic_says_so(answers: Answers, catalog: Catalog) -> None:
    data = callbacks.encode(Action("page", catalog.version, "volcanoes", 0))
    reply = answers.button(data, now=TODAY, lang="en")
    assert reply.notice and "no longer" in reply.notice


def test_callback_data_never_exceeds_64_bytes() -> None:
    with pytest.raises(callbacks.CallbackTooLong):
        callbacks.encode(Action("ics", "0123456789ab", "~" + "x" * 60))


def test_deep_links(answers: Answers, catalog: Catalog) -> None:
    link = read_payload(catalog, "events_guadalajara")
    assert link is not None and link.topic.id == "events" and link.words == "guadalajara"
    assert read_payload(catalog, "desaparecidos") is not None
    for bad in ("", "no such topic", "x" * 65, "cuba!", "volcanoes"):
        assert read_payload(catalog, bad) is None
    welcome = answers.deep_link("bogus$$", now=TODAY, lang="en")
    assert "didn't point" in to_plain(welcome.messages[0]) and welcome.buttons
    listings = answers.deep_link("events_guadalajara", now=TODAY, lang="en")
    assert "Guadalajara" in to_plain(listings.messages[0])
    assert "Mazatlán" not in to_plain(" ".join(listings.messages))


def test_events_today_are_past_and_on_february_first_upcoming(answers: Answers) -> None:
    today = to_plain(
        "\n".join(answers.events("guadalajara feb 2026", now=TODAY, lang="en").messages)
    )
    assert "every date below has passed" in today and "(upcoming)" not in today
    feb = to_plain(
        "\n".join(answers.events("guadalajara february", now=FEB_FIRST, lang="en").messages)
    )
    assert "(upcoming)" in feb and "(past)" not in feb


def test_an_empty_month_says_so_and_shows_that_month_from_another_year(answers: Answers) -> None:
    text = to_plain("\n".join(answers.events("guadalajara feb", now=TODAY, lang="en").messages))
    assert "No listings for Guadalajara · Feb 2027" in text
    assert "from 2026" in text and "Swan Lake" in text
    assert "Sat 6 Feb 2027" in text  # the monthly ride, by its rule, marked as such
    assert "not a new listing" in text


def test_a_bad_filter_is_one_friendly_line(answers: Answers) -> None:
    reply = answers.events("guadalajara 31st of smarch", now=TODAY, lang="en")
    assert not reply.understood and "Example: /events guadalajara feb" in reply.messages[0]


def test_calendar_file_for_a_filter_and_for_one_listing(answers: Answers) -> None:
    listings = answers.events("guadalajara feb 2026", now=TODAY, lang="en")
    all_button = listings.buttons[-1][0]
    assert all_button.text.startswith("📅 Add all 5")
    reply = answers.button(all_button.data, now=TODAY, lang="en")
    assert reply.attachment is not None and reply.attachment.filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(reply.attachment.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert {str(e["summary"]) for e in events} >= {"Jazz Room", "Via RecreActiva Nocturna"}
    ride = next(e for e in events if str(e["summary"]) == "Via RecreActiva Nocturna")
    assert (
        ride["dtstart"].dt.tzinfo is not None
        and "FREQ=MONTHLY" in ride["rrule"].to_ical().decode()
    )
    assert calendar.walk("VTIMEZONE")
    one = answers.button(listings.buttons[0][0].data, now=TODAY, lang="en")
    assert one.attachment is not None
    assert len(icalendar.Calendar.from_ical(one.attachment.content).walk("VEVENT")) >= 1
    again = answers.button(all_button.data, now=TODAY, lang="en")
    assert again.attachment == reply.attachment  # the injected clock makes it repeatable


def test_free_text_typos_and_choices(answers: Answers) -> None:
    assert "Missing" in to_plain(
        answers.free_text("missing peple", now=TODAY, lang="en").messages[0]
    )
    assert "Cuba" in to_plain(answers.free_text("cuban oil", now=TODAY, lang="en").messages[0])
    guadalajara = answers.free_text("what's on in guadalajara", now=TODAY, lang="en")
    assert "Listings · Guadalajara" in to_plain(guadalajara.messages[0])
    assert "Cuba" in to_plain(answers.unknown_command("/cubaa", now=TODAY, lang="en").messages[0])
    nothing = answers.free_text("quantum chromodynamics", now=TODAY, lang="en")
    assert not nothing.understood and nothing.buttons


def test_spanish_replies(answers: Answers, catalog: Catalog) -> None:
    assert language_of("es-MX") == "es" and language_of("en") == "en" and language_of(None) == "en"
    topic = catalog.topic("missing")
    assert topic is not None
    reply = answers.briefing(topic, now=TODAY, lang="es")
    labels = [b.text for row in reply.buttons for b in row]
    assert "Fuentes" in labels
    assert "/desaparecidos" in to_plain(answers.help("es").messages[0])


def test_menus_are_valid_for_telegram(catalog: Catalog) -> None:
    found = menus(catalog)
    assert {(m.scope, m.language) for m in found} == {
        ("private", ""),
        ("private", "es"),
        ("group", ""),
        ("group", "es"),
    }
    for menu in found:
        for command, description in menu.commands:
            assert command.isascii() and command == command.lower() and 1 <= len(command) <= 32
            assert 1 <= len(description) <= 256
    private = next(m for m in found if m == found[0])
    group = next(m for m in found if m.scope == "group" and m.language == "")
    assert len(group.commands) < len(private.commands)


def test_inline_results_are_within_limits(catalog: Catalog) -> None:
    for query in ("", "cuba", "128", "guadalajara", "x" * 256, "<b>&amp;"):
        results = inline_results(catalog, query, now=TODAY)
        assert len(results) <= INLINE_LIMIT
        assert len({r.id for r in results}) == len(results)
        for result in results:
            assert len(result.id.encode()) <= 64
            assert utf16_len(parse_html(result.message)) <= 4096
    missing = inline_results(catalog, "missing", now=TODAY)
    assert missing[0].id == "b:missing" and any(r.id.startswith("f:missing") for r in missing)
    assert "Source:" in next(r for r in missing if r.id.startswith("f:")).message


def test_inline_results_speak_the_readers_language(catalog: Catalog) -> None:
    """A Spanish reader's inline figure says "datos de …" and "Fuente", never "as of"."""
    spanish = inline_results(catalog, "missing", now=TODAY, lang="es")
    figures = [r for r in spanish if r.id.startswith("f:") and "(" in r.title]
    assert figures, "a figure with the date it was true"
    for result in figures:
        assert "as of" not in result.title and "as of" not in to_plain(result.message)
        assert "(datos de " in result.title
    shown = "\n".join(to_plain(r.message) for r in spanish)
    assert "Fuente:" in shown and "Source:" not in shown and "article " not in shown
    assert ".txt" not in shown  # the article as the sources page names it, not the seed file
    english = inline_results(catalog, "missing", now=TODAY, lang="en")
    assert any("(as of " in r.title for r in english if r.id.startswith("f:"))


def test_replies_are_frozen(answers: Answers) -> None:
    reply = answers.help("en")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.understood = False  # type: ignore[misc]


@pytest.mark.parametrize("text", ["hi", "Hola!", "buenos días", "¡Hola!"])
def test_a_greeting_gets_the_welcome(answers: Answers, text: str) -> None:
    reply = answers.free_text(text, now=TODAY, lang="en")
    assert "Welcome to briefbot" in reply.messages[0] and reply.buttons


def test_thanks_is_answered_briefly(answers: Answers) -> None:
    assert "welcome" in answers.free_text("thanks!", now=TODAY, lang="en").messages[0]
    assert "De nada" in answers.free_text("gracias", now=TODAY, lang="es").messages[0]


def test_an_unknown_command_of_any_length_is_quoted_short(answers: Answers) -> None:
    """Found by fuzzing: ``/`` and 5,000 letters came back whole, past Telegram's limit."""
    reply = answers.free_text("/" + "q" * 5000, now=TODAY, lang="en")
    _assert_valid(reply)
    assert f"I don't know the command /{'q' * 62}…" in to_plain(reply.messages[0])


def test_a_quoted_question_cannot_turn_the_reply_around_or_break_its_line(
    answers: Answers,
) -> None:
    """A right-to-left override in someone's words would reverse the bot's own sentence
    after the quote on their screen; a line break would split the one-line answer."""
    asked = "\u202eqwzx\u2066 plik\nvrot\u202c"
    reply = answers.free_text(asked, now=TODAY, lang="en")
    text = "\n".join(to_plain(m) for m in reply.messages)
    assert "“qwzx plik vrot”" in text
    assert not {"\u202e", "\u2066", "\u202c"} & set(text)


def test_a_filter_eventos_cannot_read_is_explained_in_spanish(answers: Answers) -> None:
    """``/eventos zzzz`` answered in English, whatever the person's language."""
    reply = answers.events("zzzz", now=TODAY, lang="es")
    assert not reply.understood
    [line] = reply.messages
    assert line.startswith("No entiendo «zzzz» como filtro") and "/eventos guadalajara" in line
    english = answers.events("zzzz", now=TODAY, lang="en")
    assert english.messages[0].startswith("I can't read “zzzz” as a filter")


def test_the_sources_and_about_pages_speak_the_readers_language(answers: Answers) -> None:
    """/sources names seeds by number, never by file name; /about is not English-only."""
    for lang in ("en", "es"):
        shown = to_plain("\n".join(answers.sources(lang).messages))
        assert ".txt" not in shown
    assert "Seed 001" in to_plain(answers.sources("en").messages[0])
    assert to_plain(answers.sources("es").messages[0]).startswith("Fuentes")
    assert "Semilla 001" in to_plain("\n".join(answers.sources("es").messages))
    assert to_plain(answers.about("es").messages[0]).startswith("Acerca de briefbot")
    assert "About briefbot" in to_plain(answers.about("en").messages[0])
