"""Briefings an editor would publish (issue 17): stories, dates, sentences, sources, age."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.conversation.render import (
    Citations,
    briefing_pages,
    listing_note,
    news_age,
    news_line,
    shown_text,
    to_plain,
)
from bot.digests.compose import Previous, Subject, compose_digest
from briefings.model import Article, Catalog, Paragraph, SourceRef
from briefings.relative import has_relative_date, resolve, strip_markers
from briefings.standalone import drop_dated_clause, standalone_problem, trim_connective
from briefings.stories import Dated, attribution_score, build_story, group
from tests.conftest import MEXICO_CITY

DECEMBER = dt.datetime(2026, 12, 2, 9, 0, tzinfo=MEXICO_CITY)


# --- relative dates, resolved against the article's own date -------------------------


@pytest.mark.parametrize(
    ("text", "written", "shown"),
    [
        ("Sheinbaum on Sunday denied it.", "2026-02-02", "on Sunday [1 Feb 2026] denied"),
        ("Trump asserted on Saturday that", "2026-02-02", "on Saturday [31 Jan 2026] that"),
        ("murdered on Saturday morning in", "2026-02-02", "Saturday morning [31 Jan 2026] in"),
        ("spoke on Thursday morning, hours", "2026-02-02", "morning [29 Jan 2026], hours"),
        ("who disappeared last month in", "2026-02-01", "last month [Jan 2026] in"),
        ("occurred just two weeks ago.", "2026-02-02", "two weeks ago [about 19 Jan 2026]."),
        ("Last week, Trump declared", "2026-02-02", "Last week [week of 26 Jan 2026], Trump"),
        ("released last September.", "2026-02-02", "last September [Sep 2025]."),
        ("the 14th highest rate last year,", "2026-02-02", "last year [2025],"),
        ("The band comes next month.", "2026-01-20", "next month [Feb 2026]."),
        ("The show will open on Friday.", "2026-02-02", "on Friday [6 Feb 2026]."),
    ],
)
def test_relative_dates_are_shown_absolutely(text: str, written: str, shown: str) -> None:
    resolved = resolve(text, written)
    assert resolved is not None and not has_relative_date(resolved)
    assert shown in shown_text(resolved, "en")
    assert strip_markers(resolved) == text  # the source's words are never changed


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("murdered on Saturday morning in Colima.", "2026"),  # only the year is known
        ("who disappeared last month in Sinaloa.", None),
        ("sent troops for the second time in recent days.", "2026-02-02"),  # no day to name
    ],
)
def test_a_relative_date_that_cannot_be_resolved_makes_the_sentence_unusable(
    text: str, written: str | None
) -> None:
    assert resolve(text, written) is None


def test_a_weekday_that_recurs_is_no_relative_date() -> None:
    text = "Rides are held every Sunday and on the first Saturday of the month."
    assert resolve(text, None) == text and not has_relative_date(text)


def test_resolved_dates_are_written_in_the_readers_language() -> None:
    resolved = resolve("She spoke on Sunday and last month.", "2026-02-02")
    assert resolved is not None
    assert (
        shown_text(resolved, "es") == "She spoke on Sunday [1 feb 2026] and last month [ene 2026]."
    )


# --- sentences that stand alone --------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Moreover, the National Action Party candidate won the election in 2000.",
        "However, the reality was one of a more under-the-table compliance with the U.S.",
        "It was only 30 years later that the treaty was signed by both countries.",
        "Examples include hosting Osvaldo Dorticós for a state visit in 1960.",
        "He said the deployment adds 1,190 people to the search for the workers.",
        "This cell has been waging a violent campaign for more than two months.",
        "On Sunday, she said that she had not discussed the oil shipments with him.",
        "Mexico’s 1938 Brigada Mexicana used parades and nationalist speeches to…",
        "Capitalizing on Castro: the connections between Mexico's foreign and .",
        'Carlos Mendez: "This is a calculated act of diplomatic sovereignty by Mexico.',
        # "another" what? The video of the sentence before, which is not shown
        "In another, an image of Yordi Alejandro Cárdenas Flores says he was 21 in 2022.",
        "In this case, the prosecutor opened a file on the disappearance of the workers.",
        # which stance? The pledge told in the sentence before, not shown
        "The Mexican president's stance introduces a new friction point in relations.",
        "President Claudia Sheinbaum announced the decision over the weekend, framing it so.",
        "Authorities subsequently located the vehicle outside an address in Villa de Álvarez.",
        "Vizsla Silver also announced the temporary suspension of activities at the mine.",
    ],
)
def test_sentences_that_lean_on_others_or_are_cut_are_not_shown(sentence: str) -> None:
    assert standalone_problem(sentence) is not None


def test_a_relative_date_the_article_cannot_resolve_is_cut_with_its_clause() -> None:
    """An undated article's "Monday" or "two weeks ago" cannot be resolved; the phrase or
    clause that holds it goes, when what remains is a whole sentence of its own."""
    assert (
        drop_dated_clause(
            "In her complaint filed Monday with the Attorney General’s Office, Guzmán accused "
            "García Harfuch and other security officials of “treason.”"
        )
        == "Guzmán accused García Harfuch and other security officials of “treason.”"
    )
    assert (
        drop_dated_clause(
            "Since February 2025, Mexico has sent 92 people to face trial in the U.S. — the most "
            "recent prison transfer having occurred just two weeks ago."
        )
        == "Since February 2025, Mexico has sent 92 people to face trial in the U.S."
    )
    # a weekday alone is an adverb the sentence does without
    assert (
        drop_dated_clause(
            "An aunt and cousin of Education Minister Mario Delgado were murdered on Saturday "
            "morning in the city of Colima."
        )
        == "An aunt and cousin of Education Minister Mario Delgado were murdered in the city "
        "of Colima."
    )
    assert (
        drop_dated_clause(
            "Later on Saturday, three people who allegedly took part were shot dead by police."
        )
        == "Three people who allegedly took part were shot dead by police."
    )
    # the main verb is never cut away with the date: no "Mario Delgado, a former president."
    assert (
        drop_dated_clause(
            "Mario Delgado, a former president of the party, acknowledged the murder of his "
            "aunt in a social media post two weeks ago."
        )
        is None
    )
    assert drop_dated_clause("She said on Sunday that she had not discussed it.") is None


def test_an_opening_phrase_that_points_nowhere_stands_alone() -> None:
    assert standalone_problem("In one 110-second video, a missing man tells his story.") is None
    assert standalone_problem("In 2012, President Calderón visited Havana.") is None


def test_a_sentence_adverb_is_dropped_when_the_rest_stands_alone() -> None:
    trimmed = trim_connective("Indeed, Mexico’s state oil company, Pemex, canceled plans.")
    assert trimmed == "Mexico’s state oil company, Pemex, canceled plans."
    assert standalone_problem(trimmed) is None
    assert trim_connective("However, she said no.") == "However, she said no."  # a pronoun


# --- stories ---------------------------------------------------------------------------


def _article(document: str, title: str, body: list[str], **metadata: object) -> Article:
    paragraphs = tuple(Paragraph(text, number, number) for number, text in enumerate(body, 1))
    return Article(document, 1, title, paragraphs, **metadata)  # type: ignore[arg-type]


_EVENT = [
    "President Claudia Sheinbaum announced in Guaymas, Sonora, that the Navy will carry "
    "food and supplies to Cuba after Pemex canceled its shipment of crude oil.",
    "The decision follows President Donald Trump's executive order on tariffs for countries "
    "that supply oil to Cuba, which Sheinbaum said was never discussed in their call.",
]


def test_articles_on_one_event_are_one_story_led_by_the_best_attributed() -> None:
    anonymous = _article("a.txt", "Aid for Cuba", _EVENT)
    reported = _article(
        "b.txt", "Mexico sends aid to Cuba", _EVENT[::-1], author="Ana Ruiz", outlet="El Diario"
    )
    other = _article(
        "c.txt",
        "Carnival in Mazatlán",
        ["The Mazatlán carnival will celebrate the tambora drum with parades and concerts."],
    )
    dates = {
        anonymous.key: Dated("2026-02-02", False),
        reported.key: Dated("2026-02-01", False),
        other.key: Dated("2026-02-02", False),
    }
    groups = group([anonymous, reported, other], dates)
    assert sorted(len(g) for g in groups) == [1, 2]
    members = next(g for g in groups if len(g) == 2)
    assert attribution_score(reported) > attribution_score(anonymous)
    story = build_story(members, dates, {a.key: 1.0 for a in members}, frozenset(), (), set())
    assert story.articles[0] == reported.key  # the attributed article leads
    assert story.date == "2026-02-02"
    assert story.lede and len({s.text for s in story.lede}) == len(story.lede)


def test_a_post_with_a_comment_form_ranks_below_a_reported_article() -> None:
    post = _article("p.txt", "T", _EVENT, author="Emily Carter", kind="post with a comment form")
    credited = _article("r.txt", "T", _EVENT, credit="Presidencia/Cuartoscuro")
    assert attribution_score(credited) > attribution_score(post)


def test_cuba_is_its_news_newest_first_with_history_after(catalog: Catalog) -> None:
    pages, _ = briefing_pages(catalog, catalog.briefing("cuba"), now=DECEMBER)  # type: ignore[arg-type]
    first = to_plain(pages[0])
    assert first.startswith("Cuba–Mexico relations\nNews from 29 Jan – 2 Feb 2026 · 10 months old")
    # who, what and when of the newest story on the first screen
    assert "Sheinbaum on Sunday [1 Feb 2026] denied" in first
    whole = "\n".join(to_plain(p) for p in pages)
    assert "Pemex" in whole and "executive order" in whole
    assert whole.index("Background") > whole.index("Sheinbaum on Sunday")
    assert whole.index("1836") > whole.index("Background")


# --- sources a reader can judge --------------------------------------------------------


def test_sources_name_outlet_author_and_title_never_files(catalog: Catalog) -> None:
    cite = Citations(catalog)
    for document, number in (("001_a482a83a0f983083.txt", 6), ("002_8f98b7c76cfd8295.txt", 1)):
        cite.mark(SourceRef(document, number, 2, 1))
    page = to_plain(cite.block("en"))
    assert ".txt" not in page
    assert "by Emily Carter (Business & Economy Reporter), no outlet named" in page
    assert "a post with a comment form" in page
    assert "no byline or outlet in the text · photo: Presidencia/Cuartoscuro" in page
    assert "“Mexico Defies U.S. Pressure, Pledges Humanitarian Aid to Cuba" in page
    spanish = to_plain(cite.block("es"))
    assert "sin firma ni medio en el texto" in spanish and "sin medio identificado" in spanish


# --- how old the news is ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("iso", "today", "en", "es"),
    [
        ("2026-02-02", dt.date(2026, 12, 2), "10 months old", "de hace 10 meses"),
        ("2026-02-02", dt.date(2026, 2, 2), "from today", "de hoy"),
        ("2026-02-02", dt.date(2026, 2, 3), "1 day old", "de hace 1 día"),
        ("2026-02-02", dt.date(2026, 2, 20), "18 days old", "de hace 18 días"),
        ("2025-03", dt.date(2026, 12, 2), "1 year old", "de hace 1 año"),
    ],
)
def test_the_age_of_the_news_is_counted_from_today(
    iso: str, today: dt.date, en: str, es: str
) -> None:
    assert news_age(iso, today, "en") == en and news_age(iso, today, "es") == es


def test_the_age_comes_from_the_clock_at_render_time_not_the_catalog(catalog: Catalog) -> None:
    cuba = catalog.briefing("cuba")
    assert cuba is not None
    feb = dt.datetime(2026, 2, 10, 9, 0, tzinfo=MEXICO_CITY)
    assert news_line(cuba, now=feb, lang="en").endswith("· 8 days old · 4 articles")
    assert "· 10 months old ·" in news_line(cuba, now=DECEMBER, lang="en")


def test_a_digest_with_nothing_new_says_so_first_with_the_news_age(catalog: Catalog) -> None:
    first = compose_digest(
        catalog, Subject("cuba"), cadence="daily", now=DECEMBER, lang="en", previous=None
    )
    opening = to_plain(first.messages[0]).split("\n")
    assert "your daily digest · Wed 2 Dec 2026" in opening[0]
    assert opening[1] == "The newest news here is from 29 Jan – 2 Feb 2026, 10 months old."
    again = compose_digest(
        catalog,
        Subject("cuba"),
        cadence="daily",
        now=DECEMBER,
        lang="es",
        previous=Previous(DECEMBER - dt.timedelta(days=1), first.keys),
    )
    line = to_plain(again.messages[0]).split("\n")[0]
    assert line.startswith("Nada nuevo desde tu último resumen (mar 1 dic 2026, 09:00)")
    assert line.endswith("lo más reciente es del 29 ene al 2 feb 2026, de hace 10 meses.")
    assert "tu resumen diario · mié 2 dic 2026" not in line  # not today's news


# --- Spanish -------------------------------------------------------------------------


def test_every_word_the_bot_writes_in_a_spanish_briefing_is_spanish(catalog: Catalog) -> None:
    for briefing in catalog.briefings:
        pages, sources = briefing_pages(catalog, briefing, now=DECEMBER, lang="es")
        text = "\n".join(to_plain(p) for p in [*pages, sources])
        assert text.count("Las frases de las fuentes se citan en inglés") == 1
        for english in (
            "News from",
            "months old",
            "Background",
            "More:",
            "Sources",
            "date inferred",
            "year inferred",
            "no byline",
            "seed 0",
            "(past)",
            "Today is",
        ):
            assert english not in text, (briefing.topic, english)


@pytest.mark.parametrize(
    ("note", "spanish"),
    [
        ("not including service fees", "sin incluir cargos por servicio"),
        ("not including fees", "sin incluir cargos"),
        ("also at the C3 box office", "también en la taquilla de C3"),
        ("Open Tue–Sun, 10:00–18:00", "Abierto mar–dom, 10:00–18:00"),
    ],
)
def test_listing_notes_the_compiler_derives_are_spanish_in_spanish(
    note: str, spanish: str
) -> None:
    assert listing_note(note, "es") == spanish and listing_note(note, "en") == note


def test_news_dated_only_by_its_year_still_says_how_old_it_is_at_least(
    catalog: Catalog,
) -> None:
    carnival = catalog.briefing("carnival")
    assert carnival is not None
    line = news_line(carnival, now=DECEMBER, lang="en")
    assert line == "News from before 12 Feb 2026 · over 9 months old · 1 article"
    spanish = news_line(carnival, now=DECEMBER, lang="es")
    assert spanish == "Noticias de antes del 12 feb 2026 · de hace más de 9 meses · 1 artículo"
    # days after the bound, "over 0 months" would say nothing: the year alone is shown
    feb = dt.datetime(2026, 2, 20, 9, 0, tzinfo=MEXICO_CITY)
    assert news_line(carnival, now=feb, lang="en") == "News from 2026 · 1 article"


def test_a_digest_says_how_old_news_dated_only_by_its_year_is_at_least(
    catalog: Catalog,
) -> None:
    for lang, line in (
        ("en", "The newest news here is from before 12 Feb 2026, over 9 months old."),
        ("es", "Lo más reciente aquí es de antes del 12 feb 2026, de hace más de 9 meses."),
    ):
        digest = compose_digest(
            catalog, Subject("carnival"), cadence="daily", now=DECEMBER, lang=lang, previous=None
        )
        assert line in to_plain("\n".join(digest.messages)).split("\n")
