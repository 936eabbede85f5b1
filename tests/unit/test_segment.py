"""Seeds split into articles by their structure, in any order."""

from __future__ import annotations

import itertools
import random

import pytest

from briefings.segment import Line, content_lines, segment, split_caption
from tests.conftest import SECOND_SEED, SEEDS

SECOND_SEED_STARTS = [
    (1, "Mexico's National Registry of Missing and Disappeared Persons lists 128,059"),
    (19, "“Every minute recovered from lost mobility time is a minute returned"),
    (31, "For the second time in recent days, the federal government has sent"),
    (45, 'The education minister expressed "deep dismay, indignation and sadness"'),
    (68, "The Sheinbaum administration has sent 92 high-impact criminals"),
    (80, "Mexico's oil supplies to Cuba — provided both through Pemex contracts"),
    (106, "Mazatlán's carnival dates back to 1898. (carnavalmazatlan.com)"),
    (117, "Andrés Manuel López Obrador welcomes Cuban President Miguel Díaz-Canel"),
    (159, "Ever wonder why so many people visit Guadalajara? February is a good month"),
]


def _second_seed() -> str:
    return (SEEDS / SECOND_SEED).read_text("utf-8")


def test_second_seed_holds_nine_articles_with_their_first_lines() -> None:
    found = segment(SECOND_SEED, _second_seed())
    assert len(found) == 9
    for article, (line, start) in zip(found, SECOND_SEED_STARTS, strict=True):
        assert (article.lines[0].number, article.lines[0].text[: len(start)]) == (line, start)


@pytest.mark.parametrize("name", ["000_6862caea1a5d2365.txt", "002_8f98b7c76cfd8295.txt"])
def test_other_seeds_are_one_article_each(name: str) -> None:
    assert len(segment(name, (SEEDS / name).read_text("utf-8"))) == 1


def _seed_chunks() -> list[str]:
    lines = content_lines(_second_seed())
    starts = [
        i for i, line in enumerate(lines) if line.number in {n for n, _ in SECOND_SEED_STARTS}
    ]
    bounds = [*starts, len(lines)]
    return ["\n".join(line.text for line in lines[a:b]) for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize("order_seed", range(25))
def test_seed_articles_glued_in_a_new_order_split_back(order_seed: int) -> None:
    chunks = _seed_chunks()
    order = list(range(len(chunks)))
    random.Random(order_seed).shuffle(order)
    glued = "\n\n".join(chunks[i] for i in order)
    found = [a.lines[0].text for a in segment("glued.txt", glued)]
    assert found == [chunks[i].split("\n", 1)[0] for i in order]


OWN_ARTICLES = [
    "Rescue crews pulled three hikers from a ravine near Tapalpa. (Protección Civil Jalisco/X)\n"
    "Three hikers who spent two nights in a ravine near Tapalpa were rescued on Tuesday.\n"
    "The hikers had lost the trail in fog, and their families alerted the rescue service.\n"
    "Rescuers reached the ravine with ropes and a stretcher after a six-hour climb.\n"
    "One hiker was treated for a sprained ankle; the others walked out unaided.",
    "A new bakery in Oaxaca sells bread made with heirloom corn. (Ana López/Cuartoscuro)\n"
    "A cooperative bakery in Oaxaca city has started selling bread made from heirloom corn.\n"
    "The bakers buy the corn from farmers in the Mixteca region at fair prices.\n"
    "Customers line up before dawn for the loaves, which sell out by nine.\n"
    "The cooperative plans a second oven so that it can supply school cafeterias.",
    "Monterrey's football club signed a Brazilian striker. (Club Monterrey)\n"
    "Monterrey announced the signing of a Brazilian striker on a three-year contract.\n"
    "The striker scored eighteen goals in the Brazilian league last season.\n"
    "Fans greeted the player at the stadium, where he posed with the club's jersey.\n"
    "The coach said the striker would debut in the league match against Tigres.",
]


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_articles_of_our_own_split_in_any_order(order: tuple[int, int, int]) -> None:
    glued = "\n\n".join(OWN_ARTICLES[i] for i in order)
    found = segment("own.txt", glued)
    assert [a.lines[0].text for a in found] == [OWN_ARTICLES[i].split("\n")[0] for i in order]


def test_a_caption_inside_an_article_does_not_split_it() -> None:
    text = (
        OWN_ARTICLES[0]
        + "\nRescuers carried the hikers to the trailhead in Tapalpa. (Protección Civil)\n"
        "The rescue service asked hikers in Tapalpa to carry a charged phone and a map."
    )
    assert len(segment("one.txt", text)) == 1


def test_a_title_with_a_byline_starts_an_article() -> None:
    text = (
        OWN_ARTICLES[1] + "\nMexico Opens New Port Terminal\nBy Jane Roe | Business Reporter\n"
        "MANZANILLO, March 3 — The port of Manzanillo opened a container terminal."
    )
    found = segment("two.txt", text)
    assert [a.lines[0].text for a in found][1] == "Mexico Opens New Port Terminal"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Photo text. (Colectivo Luz de Esperanza/Facebook)",
            ("Photo text.", "Colectivo Luz de Esperanza/Facebook"),
        ),
        ("(Funeraria Magaña)", ("", "Funeraria Magaña")),
        ("Quote here. (@Defensamx1/X)", ("Quote here.", "@Defensamx1/X")),
        ("Made in roughly 45 minutes for 90 pesos (US $5).", None),
        ("The party was founded in 1939 (PAN).", None),
        ("Rescuers reach the ravine. (AP)", ("Rescuers reach the ravine.", "AP")),
    ],
)
def test_caption_credits_are_told_from_ordinary_parentheses(
    line: str, expected: tuple[str, str] | None
) -> None:
    assert split_caption(line) == expected


def test_lines_are_what_a_reader_sees_numbered_as_an_editor_numbers_them() -> None:
    """Found by fuzzing: a file of zero-width characters gave an article titled U+200B, and
    a form feed or U+2028 counted as a line end, so a cited line lay past the file's end."""
    text = (
        "\u200b\u200d\ufeff\n"  # nothing visible: not a line of content
        "Cuba\u200b and\tMexico\x0csign a deal\u2028today.\r"
        "A family 👨\u200d👩\u200d👧 at the\ue000 port.\r\n"
        "\u0301\u00ad\n"
        "End."
    )
    assert content_lines(text) == [
        Line(2, "Cuba and Mexico sign a deal today."),
        Line(3, "A family 👨\u200d👩\u200d👧 at the port."),
        Line(5, "End."),
    ]
