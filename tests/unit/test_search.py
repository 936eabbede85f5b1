"""Search over everything the catalog shows: what is indexed, how a question is read, the
ranking, and the answers a reader gets from free text, /search and inline mode."""

from __future__ import annotations

import pytest

from bot.console.html_entities import parse_html
from bot.conversation import callbacks
from bot.conversation.answers import Answers
from bot.conversation.fulltext import SearchIndex
from bot.conversation.inline_results import INLINE_LIMIT, inline_results
from bot.conversation.question import read_question
from bot.conversation.render import to_plain, utf16_len
from bot.conversation.reply import Reply
from briefings.model import Catalog
from briefings.search_records import search_records
from tests.conftest import FEB_FIRST
from tests.quality.questions import ASKED, found_parts


@pytest.fixture(scope="module")
def answers(catalog: Catalog) -> Answers:
    return Answers(catalog, "briefbot_test_bot")


@pytest.fixture(scope="module")
def index(catalog: Catalog) -> SearchIndex:
    return SearchIndex.of(catalog)


def _within_limits(reply: Reply) -> None:
    for message in reply.messages:
        assert utf16_len(parse_html(message)) <= 4096
    for row in reply.buttons:
        for button in row:
            if button.data:
                assert len(button.data.encode()) <= 64 and callbacks.decode(button.data)


def _plain(reply: Reply) -> str:
    return "\n\n".join(to_plain(m) for m in reply.messages)


# --- what is indexed ----------------------------------------------------------------------


def test_every_item_a_briefing_shows_can_be_found(catalog: Catalog) -> None:
    records = search_records(catalog)
    texts = {r.text for r in records}
    for briefing in catalog.briefings:
        for story in briefing.stories:
            shown = [*story.lede, *story.details, *story.facts, *story.quotes, *story.dates]
            assert all(item.text in texts for item in shown)
        assert all(s.text in texts for s in briefing.background)
        assert all(e.title in texts for e in briefing.events)
    assert {a.title for a in catalog.articles if a.title} <= texts
    kinds = {r.kind for r in records}
    assert {"sentence", "figure", "quote", "listing", "passage", "title"} <= kinds


def test_passages_are_whole_cited_and_not_shown_twice(catalog: Catalog) -> None:
    assert catalog.passages
    keys = {a.key for a in catalog.articles}
    shown = {(s.source, s.text) for b in catalog.briefings for st in b.stories for s in st.lede}
    for passage in catalog.passages:
        assert f"{passage.source.document}#{passage.source.article}" in keys
        assert passage.source.paragraph >= 1
        assert (passage.source, passage.text) not in shown
    # García Harfuch is in no briefing, but a search must find him (issue 18)
    assert any("García Harfuch" in p.text for p in catalog.passages)


def test_records_come_in_the_same_order_from_the_same_catalog(catalog: Catalog) -> None:
    assert search_records(catalog) == search_records(catalog)


# --- reading a question -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms", "spanish", "wants_next"),
    [
        ("who is Sheinbaum", ("sheinbaum",), False, False),
        ("¿Quién es García Harfuch?", ("garcia", "harfuch"), True, False),
        ("Luz de Esperanza", ("luz", "esperanza"), False, False),
        ("when is the next Via RecreActiva?", ("via", "recreactiva"), False, True),
        ("¿cuándo es la próxima Vía RecreActiva?", ("via", "recreactiva"), True, True),
        ("Swan Lake tickets", ("swan", "lake"), False, False),
        ("cuánto cuesta el tren", ("tren",), True, False),
    ],
)
def test_a_question_is_read_for_its_words_language_and_next(
    text: str, terms: tuple[str, ...], spanish: bool, wants_next: bool
) -> None:
    question = read_question(text)
    assert (question.terms, question.spanish, question.wants_next) == (terms, spanish, wants_next)


# --- the index ----------------------------------------------------------------------------


def test_names_are_found_without_accents_and_with_typos(index: SearchIndex) -> None:
    plain = index.search(read_question("garcia harfuch"))
    assert plain.hits and "García Harfuch" in plain.hits[0].record.text
    typo = index.search(read_question("sheinbuam"))
    assert typo.corrected == (("sheinbuam", "sheinbaum"),)
    assert all("Sheinbaum" in h.record.text for h in typo.hits)


def test_words_are_stemmed_and_every_word_is_required(index: SearchIndex) -> None:
    mining = index.search(read_question("mining companies"))
    assert mining.hits and "Vizsla Silver" in mining.hits[0].record.text
    both = index.search(read_question("Pemex oil"))
    assert all("Pemex" in h.record.text and "oil" in h.record.text for h in both.hits)
    assert not both.partial


def test_an_answer_spans_stories_and_stays_short(index: SearchIndex) -> None:
    found = index.search(read_question("Sheinbaum"))
    assert 3 <= len(found.hits) <= 5
    stories = [h.record.story or h.record.article for h in found.hits]
    assert max(stories.count(s) for s in stories) <= 2


def test_an_answer_does_not_say_one_thing_twice(index: SearchIndex) -> None:
    # a title that is its lede's first words; a sentence inside a longer passage
    for text in ("mine workers", "Zetas", "García Harfuch"):
        said = [h.record.text.rstrip("…") for h in index.search(read_question(text)).hits]
        assert not [a for a in said for b in said if a != b and a in b], said


def test_words_that_are_not_in_the_catalog_find_nothing(index: SearchIndex) -> None:
    for text in ("quantum chromodynamics", "weather in paris tomorrow", "", "who is", '"*)('):
        assert index.search(read_question(text)).hits == ()


def test_fts_syntax_in_a_question_is_only_words(index: SearchIndex) -> None:
    for text in ('Pemex" OR "cuba', "pemex AND NOT", "NEAR(pemex cuba)", "pemex*", "-pemex"):
        found = index.search(read_question(text))
        assert all("Pemex" in h.record.text for h in found.hits)


# --- answers --------------------------------------------------------------------------------


def test_a_search_answer_cites_dates_and_offers_the_briefing(answers: Answers) -> None:
    reply = answers.free_text("Pemex", now=ASKED, lang="en")
    text = _plain(reply)
    sentences, _ = found_parts(text)
    assert text.startswith("What the sources say about “Pemex”")
    assert sentences and all("[1 ¶" in line and line.endswith("2 Feb 2026") for line in sentences)
    assert "\nSources\n[1] “Sheinbaum asserts she has never spoken to Trump" in text
    labels = [b.text for row in reply.buttons for b in row]
    assert labels == ["📰 Cuba–Mexico relations"]
    _within_limits(reply)


def test_a_listing_is_shown_with_add_to_calendar(answers: Answers) -> None:
    reply = answers.free_text("Swan Lake tickets", now=FEB_FIRST, lang="en")
    text = _plain(reply)
    assert "Moscow State Ballet performs the classic ‘Swan Lake’ — Fri 27 Feb 2026" in text
    assert "from 483.75 MXN" in text
    calendar = [b for row in reply.buttons for b in row if b.text.startswith("📅")]
    assert len(calendar) == 1 and calendar[0].data
    ics = answers.button(calendar[0].data, now=FEB_FIRST, lang="en")
    assert ics.attachment is not None and b"Swan Lake" in ics.attachment.content
    _within_limits(reply)


def test_when_is_the_next_gives_the_rule_or_the_listed_date(answers: Answers) -> None:
    rule = _plain(answers.free_text("when is the next Via RecreActiva", now=ASKED, lang="en"))
    assert rule.startswith("Via RecreActiva Nocturna: next date by its rule: Sat 5 Dec 2026")
    listed = _plain(answers.free_text("when is the next Swan Lake", now=FEB_FIRST, lang="en"))
    assert listed.startswith("Moscow State Ballet performs the classic ‘Swan Lake’: next listed")
    over = _plain(answers.free_text("when is the next Swan Lake", now=ASKED, lang="en"))
    assert "every listed date has passed (the last was 28 Feb 2026)" in over


def test_a_listing_named_with_a_kind_of_outing_is_that_listing(answers: Answers) -> None:
    named = _plain(answers.free_text("Nation of Language concert", now=FEB_FIRST, lang="en"))
    assert named.startswith("What the sources say") and "C3 Rooftop" in named
    assert "Jazz Room" not in named
    kinds = _plain(answers.free_text("concerts in guadalajara", now=FEB_FIRST, lang="en"))
    assert kinds.startswith("Listings · Guadalajara")


def test_spanish_questions_are_answered_in_spanish(answers: Answers) -> None:
    asked = _plain(answers.free_text("¿qué pasó con Pemex?", now=ASKED, lang="en"))
    assert asked.startswith("Lo que dicen las fuentes sobre “Pemex”")
    assert "Las frases de las fuentes se citan en inglés" in asked and "\nFuentes\n" in asked
    client = _plain(answers.search("Pemex", now=ASKED, lang="es"))
    assert client.startswith("Lo que dicen las fuentes")
    nothing = _plain(answers.free_text("¿quién ganó el mundial?", now=ASKED, lang="en"))
    assert nothing.startswith("No tengo nada sobre") and "Relaciones Cuba–México" in nothing


def test_nothing_relevant_is_said_honestly_with_what_is_covered(answers: Answers) -> None:
    reply = answers.search("quantum chromodynamics", now=ASKED, lang="en")
    text = _plain(reply)
    assert not reply.understood and text.startswith("I have nothing on “quantum chromodynamics”")
    assert "I cover Cuba–Mexico relations, Missing persons" in text and reply.buttons


def test_search_without_words_says_how_to_use_it(answers: Answers) -> None:
    for lang, example in (("en", "/search Sheinbaum"), ("es", "/buscar Sheinbaum")):
        reply = answers.search("  ", now=ASKED, lang=lang)
        assert not reply.understood and example in _plain(reply)


def test_a_topic_name_still_opens_its_briefing(answers: Answers) -> None:
    for text, head in (
        ("cuban oil", "Cuba–Mexico relations"),
        ("missing peple", "Missing persons"),
        ("Colima", "Security in Sinaloa and Colima"),
    ):
        assert _plain(answers.free_text(text, now=ASKED, lang="en")).startswith(head)
    # a topic's word with more words that a sentence has: that sentence answers
    crisis = _plain(answers.free_text("Cuban Missile Crisis", now=ASKED, lang="en"))
    assert crisis.startswith("What the sources say") and "Cuban Missile Crisis" in crisis


def test_what_a_person_types_is_escaped_in_the_answer(answers: Answers) -> None:
    reply = answers.search("Pemex <b>& oil", now=ASKED, lang="en")
    assert "<b>&amp; oil" not in reply.messages[0] and "&lt;b&gt;&amp; oil" in reply.messages[0]
    assert "Pemex <b>& oil" in _plain(reply)
    _within_limits(reply)


@pytest.mark.parametrize(
    "text", ["Sheinbaum", "Mexico", "Cuba Mexico oil", "2026", "Guadalajara", "x" * 5000]
)
def test_every_search_answer_fits_telegram(answers: Answers, text: str) -> None:
    _within_limits(answers.search(text, now=ASKED, lang="en"))
    _within_limits(answers.search(text, now=ASKED, lang="es"))


# --- inline mode ----------------------------------------------------------------------------


def test_inline_pemex_returns_the_found_sentences(catalog: Catalog, index: SearchIndex) -> None:
    results = inline_results(catalog, "pemex", now=ASKED, index=index)
    found = [r for r in results if r.id.startswith("s:")]
    assert found and all("Pemex" in r.message and "Source:" in r.message for r in found)
    assert len(results) <= INLINE_LIMIT
    assert all(len(r.id.encode()) <= 64 for r in results)
    for result in results:
        assert utf16_len(parse_html(result.message)) <= 4096
    everything = inline_results(catalog, "mexico", now=ASKED, index=index)
    assert len(everything) <= INLINE_LIMIT
