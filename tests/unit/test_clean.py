"""Junk becomes metadata or goes; sentences that lost words stay out of briefings."""

from __future__ import annotations

import json
import re

import pytest

from briefings.catalog import render_catalog
from briefings.clean import clean_article, damage, is_social_post, language_of, repair
from briefings.model import Article, Catalog
from briefings.segment import segment

# What must never reach a reader, in any briefing text.
JUNK = [
    r"pic\.twitter\.com",
    r"\(@\w+\)",
    r"Leave a Reply",
    r"This Post Has \d+ Comments",
    r"Be the first to comment",
    r"^Share:",
    r"relationship between cuba and mexico",
    r"- Wikipedia",
    r"Xinhua",
    r"Presidencia de la República",
    r"\[ ?edit ?\]",
    r"\[\d+\]",
    r"\bIn[A-Z][a-z]",
    r"\bof[A-Z][a-z]",
    r"\b14, Cubans",
    r"\bU\. Relations",
    r"from[A-Z][a-z]",
    r"Profunda consternación",
    r"Por instrucciones",
    r"#\w+",
    r"livewellmexico",
    r"Guevaraand|Allendewas|exilesprime",
]


def _briefing_texts(catalog: Catalog) -> list[str]:
    data = json.loads(render_catalog(catalog))
    texts: list[str] = []
    for briefing in data["briefings"]:
        texts.append(briefing["headline"])
        texts.extend(briefing["summary"])
        texts.extend(f["text"] for f in briefing["facts"])
        texts.extend(t["text"] for t in briefing["timeline"])
        texts.extend(q["text"] + " " + q["speaker"] for q in briefing["quotes"])
        for event in briefing["events"]:
            texts.extend([event["title"], event["summary"], *event["notes"]])
    return texts


@pytest.mark.parametrize("pattern", JUNK)
def test_no_junk_reaches_any_briefing(catalog: Catalog, pattern: str) -> None:
    offenders = [t for t in _briefing_texts(catalog) if re.search(pattern, t, re.M)]
    assert offenders == []


def _article(articles: list[Article], document_prefix: str, number: int) -> Article:
    return next(
        a for a in articles if a.document.startswith(document_prefix) and a.number == number
    )


def test_lead_caption_becomes_caption_and_credit(articles: list[Article]) -> None:
    first = _article(articles, "001", 1)
    assert first.credit == "Colectivo Luz de Esperanza/Facebook"
    assert first.caption is not None and first.caption.startswith("Mexico's National Registry")
    assert all("(Colectivo" not in p.text for p in first.paragraphs)


def test_embedded_posts_and_their_spanish_text_are_removed(articles: list[Article]) -> None:
    body = "\n".join(a.body for a in articles)
    assert "TráficoZMGuadalajara" not in body
    assert "El Colectivo Luz de Esperanza pegó" not in body
    assert "Trump aseguró" not in body
    assert "#AlMomento" not in body


def test_byline_and_dateline_become_metadata(articles: list[Article]) -> None:
    aid = _article(articles, "002", 1)
    assert aid.title.startswith("Mexico Defies U.S. Pressure")
    assert aid.author == "Emily Carter"
    assert aid.dateline == "Mexico City"
    assert aid.date == "Feb. 2"
    assert aid.paragraphs[0].text.startswith("In a move signaling regional solidarity")


def test_comment_footer_is_removed(articles: list[Article]) -> None:
    aid = _article(articles, "002", 1)
    assert aid.paragraphs[-1].text.startswith("Elena Rosas")


def test_repeated_seo_titles_collapse(articles: list[Article]) -> None:
    wiki = _article(articles, "000", 1)
    assert wiki.title == "Relationship between cuba and mexico"
    assert not any(
        "relationship between cuba and mexico" in p.text.lower() for p in wiki.paragraphs
    )


def test_author_bio_becomes_the_author(articles: list[Article]) -> None:
    guide = _article(articles, "001", 9)
    assert guide.author == "Dawn Stoner"
    assert "livewellmexico" not in guide.body


@pytest.mark.parametrize(
    "sentence",
    [
        "InCuba was expelled from the Organization of American States.",
        "After the revolution ofCuba soon took actions inimical to American trade interests.",
        "Overall, an estimated 14, Cubans were killed in Cuban military actions abroad.",
        "In response, the U. Relations between the countries deteriorated rapidly.",
        "Despite this, the Soviets kept in touch until the collapse of the bloc in It is small.",
        "It is the island with iconic leaders like Fidel Castro and Che Guevaraand the rest.",
    ],
)
def test_sentences_that_lost_words_are_flagged(sentence: str) -> None:
    assert damage(sentence, frozenset({"guevara", "and"})) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        "The U.S. Attorney General's Office said so.",
        "The carnival, scheduled for Feb. 12-17, will celebrate the tambora.",
        "Island nations in the Caribbean depend on oil imports.",
        "On March 7, 2026, the band played in Zapopan.",
    ],
)
def test_whole_sentences_are_not_flagged(sentence: str) -> None:
    assert damage(sentence, frozenset({"island", "and"})) is None


def test_only_unambiguous_glue_is_repaired() -> None:
    assert repair("Tickets available fromTicketNow for 650 pesos.") == (
        "Tickets available from TicketNow for 650 pesos."
    )
    assert (
        repair("National Action Party(PAN) candidate") == "National Action Party (PAN) candidate"
    )
    assert repair("InCuba was expelled.") == "InCuba was expelled."  # the year is unknowable


def test_language_and_social_posts_are_recognised() -> None:
    assert language_of("Por instrucciones de la presidenta de México, y del General") == "es"
    assert language_of("The search for the workers has intensified.") == "en"
    assert is_social_post("— TráficoZMGuadalajara (@Trafico_ZMG) May 12, 2024")
    assert is_social_post("La mandataria señaló… pic.twitter.com/ZX7qMnIhtq")


def test_cleaning_a_raw_article_keeps_paragraph_numbers_and_lines() -> None:
    raw = segment(
        "x.txt",
        "A photo. (Agency)\nFirst paragraph of the story here.\n#Tag Spanish post text\n"
        "Second paragraph of the story here.",
    )[0]
    article = clean_article(raw)
    assert [(p.number, p.line) for p in article.paragraphs] == [(2, 2), (4, 4)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The <b>train</b> opened.<br/>", "The train opened."),
        ("Mexico&#8217;s aid &amp;amp; oil<!-- ad slot -->", "Mexico’s aid & oil"),
        (
            "See [the registry](https://example.com) and **128,059** names.",
            "See the registry and 128,059 names.",
        ),
        ("# A Markdown heading", "A Markdown heading"),
        ("A hidden &#x200b;mark", "A hidden mark"),
        ("Business & Economy Reporter", "Business & Economy Reporter"),
    ],
)
def test_markup_a_scraper_left_is_stripped(line: str, expected: str) -> None:
    """Found by fuzzing: tags, entities and Markdown reached summaries and event titles."""
    assert repair(line) == expected


def test_a_title_is_short_worded_and_no_boilerplate() -> None:
    """Found by fuzzing: a long line above a byline made a 1,000-character headline; a
    repeated social-post signature or a line of symbols became an article's title."""
    body = "The port of Manzanillo opened a new container terminal on Tuesday."
    long_line = "x" * 500 + " A long line"
    titled = clean_article(segment("a.txt", f"{long_line}\nBy Jane Roe | Reporter\n{body}")[0])
    assert titled.title == "x" * 159 + "…" and titled.author == "Jane Roe"
    signature = "— Someone (@someone) May 12, 2024"
    posted = clean_article(segment("b.txt", f"{signature}\n{body}\n{signature}")[0])
    assert posted.title == body.rstrip(".")
    wordless = clean_article(segment("c.txt", f"\u2605.\n{body}")[0])
    assert wordless.title == body.rstrip(".")
    spaced = clean_article(segment("d.txt", "The port reopened on Tuesday .")[0])
    assert spaced.title == "The port reopened on Tuesday"  # not "… Tuesday "
