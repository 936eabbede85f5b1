"""An article without a headline of its own still gets a name a reader recognises."""

from __future__ import annotations

from briefings.article_names import article_name
from briefings.model import Article, Paragraph


def _article(title: str, *paragraphs: tuple[str, bool]) -> Article:
    return Article(
        document="001_x.txt",
        number=1,
        title=title,
        paragraphs=tuple(
            Paragraph(text=text, number=n, line=n, heading=heading)
            for n, (text, heading) in enumerate(paragraphs, 1)
        ),
    )


def test_a_titled_article_keeps_its_title() -> None:
    article = _article("Mexico Defies U.S. Pressure", ("Mexico pledged aid on Sunday.", False))
    assert article_name(article) == "Mexico Defies U.S. Pressure"


def test_an_untitled_article_goes_by_its_one_heading() -> None:
    lede = "President Claudia Sheinbaum on Sunday denied that she had spoken to Trump."
    article = _article(
        lede.rstrip("."),
        (lede, False),
        ("Sheinbaum asserts she has never spoken to Trump about oil", True),
    )
    assert article_name(article) == "Sheinbaum asserts she has never spoken to Trump about oil"


def test_a_long_first_sentence_is_cut_where_a_clause_ends_never_mid_clause() -> None:
    lede = (
        "Mexico’s Tourism Ministry projects that Mazatlán’s 2026 carnival will attract more "
        "than 1.26 million attendees and generate an estimated economic impact of 1.2 billion "
        "pesos (US $69 million), according to officials who presented the event’s details."
    )
    article = _article(lede[:150] + "…", (lede, False))
    assert article_name(article) == (
        "Mexico’s Tourism Ministry projects that Mazatlán’s 2026 carnival will attract more "
        "than 1.26 million attendees"
    )


def test_a_relative_date_or_no_clause_end_leaves_the_article_unnamed() -> None:
    lede = (
        "The search for 10 kidnapped mine workers who disappeared last month in the Concordia "
        "mountains in the northern state of Sinaloa has intensified considerably."
    )
    assert article_name(_article(lede.rstrip("."), (lede, False))) == ""
    short = "Ten mine workers disappeared last month in Sinaloa."
    assert article_name(_article(short.rstrip("."), (short, False))) == ""
