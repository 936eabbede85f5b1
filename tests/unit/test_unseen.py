"""Documents the compiler has not seen: odd encodings, shapes and missing years."""

from __future__ import annotations

from pathlib import Path

from briefings.catalog import build
from tests.conftest import TODAY

GUIDE = (
    "Weekend guide (Visit Mexico)\nThe weekend is busy in Puebla.\n"
    "Poetry night\nPoets read at the library.\nWhen: Friday, March 20 at 6 p.m.\nCost: Free\n"
    "Food fair\nWhen: March 21-22\nWhere: Zócalo, Puebla\n"
)


def test_a_listing_with_no_year_anywhere_takes_it_from_its_weekday(
    tmp_path: Path, seed_copy: Path
) -> None:
    (seed_copy / "004_guide.txt").write_text(GUIDE, "utf-8")
    catalog = build(seed_copy, tmp_path / "c.json")
    events = {e.title: e for e in catalog.briefing("events").events}  # type: ignore[union-attr]
    poetry = events["Poetry night"]
    assert poetry.start == "2026-03-20T18:00"  # a Friday in 2026, the seeds' newest year
    assert poetry.year_inferred and "Friday" in (poetry.year_basis or "")
    assert (events["Food fair"].start, events["Food fair"].end) == ("2026-03-21", "2026-03-22")


def test_a_byte_order_mark_and_windows_line_ends_are_read_as_text(
    tmp_path: Path, seed_copy: Path
) -> None:
    text = (
        "Cuba signs an oil deal with Mexico in Havana. (Reuters)\r\n"
        "Mexico and Cuba signed an oil agreement on Friday, March 13, 2026, in Havana.\r\n"
        "The deal covers 20,000 barrels a day for a year, officials in Havana said.\r\n"
    )
    (seed_copy / "005_bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    catalog = build(seed_copy, tmp_path / "c.json")
    info = next(a for a in catalog.articles if a.document == "005_bom.txt")
    assert info.caption == "Cuba signs an oil deal with Mexico in Havana."
    assert info.credit == "Reuters" and info.date == "2026-03-13"
    assert "cuba" in info.topics


def test_a_junk_document_never_heads_a_briefing(tmp_path: Path, seed_copy: Path) -> None:
    words = "cuba mexico oil train missing carnival police the of and a in".split()
    junk = " ".join(words[i % len(words)] for i in range(20_000)) + "."
    (seed_copy / "006_junk.txt").write_text(junk, "utf-8")
    (seed_copy / "007_fish.txt").write_text(
        "Fish & <Chips> price war. (AP)\nA price war over fish & chips in <Mexico City> "
        "lifted sales 40% in 2025, traders said.\n",
        "utf-8",
    )
    catalog = build(seed_copy, tmp_path / "c.json")
    for briefing in catalog.briefings:
        assert "oil train missing" not in briefing.headline
    from bot.conversation.answers import Answers
    from bot.conversation.render import to_plain

    reply = Answers(catalog).free_text("/more", now=TODAY, lang="en")
    assert "<Mexico City>" in to_plain(reply.messages[0])
    assert "&lt;Mexico City&gt;" in reply.messages[0]
