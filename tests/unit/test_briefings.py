"""What a reader notices in each briefing: summary, figures, timeline, quotes, sources."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from briefings.model import Briefing, Catalog


def _briefing(catalog: Catalog, topic: str) -> Briefing:
    briefing = catalog.briefing(topic)
    assert briefing is not None, topic
    return briefing


@pytest.mark.parametrize(
    "topic", ["cuba", "missing", "events", "train", "security", "transfers", "carnival"]
)
def test_every_topic_has_a_sourced_two_to_four_sentence_summary(
    catalog: Catalog, topic: str
) -> None:
    briefing = _briefing(catalog, topic)
    assert 2 <= len(briefing.summary) <= 4
    assert len(briefing.summary_sources) == len(briefing.summary)
    for sentence in briefing.summary:
        assert sentence[0].isupper() and sentence.rstrip().endswith((".", "”", '"'))
    for a, b in zip(briefing.summary, briefing.summary[1:], strict=False):
        assert fuzz.token_set_ratio(a, b) < 72


def test_every_item_cites_a_real_paragraph(catalog: Catalog) -> None:
    known = {a.key for a in catalog.articles}
    for briefing in catalog.briefings:
        refs = [
            *briefing.summary_sources,
            *(f.source for f in briefing.facts),
            *(t.source for t in briefing.timeline),
            *(q.source for q in briefing.quotes),
            *(e.source for e in briefing.events),
        ]
        for ref in refs:
            assert f"{ref.document}#{ref.article}" in known
            assert ref.paragraph >= 1 and ref.line >= 1


def test_missing_registry_figure_has_its_as_of_date(catalog: Catalog) -> None:
    facts = _briefing(catalog, "missing").facts
    registry = next(f for f in facts if f.value == "128,059")
    assert registry.as_of == "2025-03"
    assert "people" in registry.measure
    assert registry.source.line == 12
    values = {f.value for f in facts}
    assert {"more than 15,300", "More than 90%"} <= values


def test_cuba_timeline_runs_in_order_from_1836_to_2024(catalog: Catalog) -> None:
    timeline = _briefing(catalog, "cuba").timeline
    years = [int(entry.date[:4]) for entry in timeline]
    assert years == sorted(years)
    assert years[0] == 1836 and years[-1] == 2024
    assert {1934, 1952, 1960, 2000, 2021} <= set(years)
    first = timeline[0]
    assert "Santa María–Calatrava Treaty" in first.text


def test_cuba_quotes_name_their_speakers(catalog: Catalog) -> None:
    quotes = {q.speaker: q.text for q in _briefing(catalog, "cuba").quotes}
    assert "Claudia Sheinbaum" in quotes
    assert quotes["Carlos Mendez"].startswith("This is a calculated act of diplomatic sovereignty")
    assert "Elena Rosas" in quotes


def test_speakers_are_named_in_full(catalog: Catalog) -> None:
    speakers = {q.speaker for b in catalog.briefings for q in b.quotes}
    assert {"Clara Brugada", "Nathalie Desplas Puel", "Estrella Palacios Domínguez"} <= speakers
    assert "María Salazar" in speakers


def test_as_of_is_the_newest_date_the_sources_support(catalog: Catalog) -> None:
    assert _briefing(catalog, "cuba").as_of == "2026-02-02"
    assert _briefing(catalog, "transfers").as_of == "2026-01-26"
    for briefing in catalog.briefings:
        assert briefing.as_of is not None and briefing.as_of.startswith("2026")


def test_cuba_leads_with_the_newest_dated_article(catalog: Catalog) -> None:
    cuba = _briefing(catalog, "cuba")
    assert cuba.headline.startswith("Mexico Defies U.S. Pressure")
    assert cuba.summary[0].startswith("In a move signaling regional solidarity")


def test_train_figures(catalog: Catalog) -> None:
    values = {f.value: f.measure for f in _briefing(catalog, "train").facts}
    assert values["141 billion-peso"] == "investment"
    assert "58-kilometer-long" in values
